"""Inputs and checks shared by the partitioner tests."""
from __future__ import annotations

import numpy as np

from ixcore.hypergraph import Hypergraph
from ixcore.manifest import Leaf


def synthetic(n: int, weights: np.ndarray, seed: int = 3) -> Hypergraph:
    """Local chains plus a few hubs, ids shuffled (as blake3 order has no locality)."""
    rng = np.random.default_rng(seed)
    consumers = np.arange(1, n)
    producers = np.maximum(0, consumers - 1 - rng.geometric(0.3, n - 1))
    hubs = rng.integers(0, max(1, n // 50), n // 3)
    consumers = np.concatenate([consumers, rng.integers(0, n, n // 3)])
    producers = np.concatenate([producers, hubs])
    perm = rng.permutation(n)
    keep = perm[consumers] != perm[producers]
    sizes = rng.integers(40, 2000, n)
    return Hypergraph.from_edges(weights, perm[consumers][keep], perm[producers][keep], sizes)


def leaves_are_contiguous_dfs(tree) -> bool:
    def walk(node, lo):
        if isinstance(node, Leaf):
            return node.shard == lo, lo + 1
        ok_left, mid = walk(node.left, lo)
        ok_right, hi = walk(node.right, mid)
        return ok_left and ok_right, hi

    return walk(tree, 0)[0]
