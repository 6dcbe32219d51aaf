"""Inputs and checks shared by the partitioner tests."""
from __future__ import annotations

import numpy as np

from ixcore.hypergraph import Hypergraph
from ixcore.manifest import Leaf
from ixcore.testing import synthetic_hypergraph


def synthetic(n: int, weights: np.ndarray, seed: int = 3) -> Hypergraph:
    """The conformance kit's synthetic hypergraph with the given vertex weights."""
    return synthetic_hypergraph(n, seed=seed, weights=weights)


def leaves_are_contiguous_dfs(tree) -> bool:
    def walk(node, lo):
        if isinstance(node, Leaf):
            return node.shard == lo, lo + 1
        ok_left, mid = walk(node.left, lo)
        ok_right, hi = walk(node.right, mid)
        return ok_left and ok_right, hi

    return walk(tree, 0)[0]
