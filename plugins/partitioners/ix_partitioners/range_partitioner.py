"""The naive baseline: contiguous block-id ranges of about equal weight.

Block ids are ranks in blake3-address order, so ranges carry no locality: this is the
smoke-test reference every real partitioner must beat on km1. It reports its balance
honestly (heavy-tailed weights can make a range split miss eps) and never calls a library.
"""
from __future__ import annotations

import time

import numpy as np

from ixcore import __version__
from ixcore.hypergraph import Hypergraph
from ixcore.manifest import balanced_agg_tree
from ixcore.partition import PartitionResult, trivial_result


class RangePartitioner:
    name = "range"
    version = __version__
    deterministic = True

    def partition(self, hypergraph: Hypergraph, k: int, eps: float, seed: int) -> PartitionResult:
        n = hypergraph.n
        meta = {"partitioner": self.name, "version": self.version, "preset": "prefix-split", "seed": seed, "eps": eps}
        if k <= 1 or n <= 1:
            return trivial_result(n, dict(meta, seconds=0.0, imbalance=1.0))
        start = time.perf_counter()
        k = min(k, n)
        parts = range_parts(np.asarray(hypergraph.vertex_weights, dtype=np.float64), k)
        imbalance = hypergraph.imbalance(parts, k)
        meta.update(
            k=k,
            seconds=time.perf_counter() - start,
            imbalance=imbalance,
            balance="met" if imbalance <= 1 + eps + 1e-12 else "not met (range ignores eps)",
        )
        return PartitionResult(parts, k, balanced_agg_tree(0, k), meta)


def range_parts(weights: np.ndarray, k: int) -> np.ndarray:
    """Cut the id order where the weight prefix crosses i·W/k, keeping >= 1 block per shard."""
    n = len(weights)
    w = weights if weights.any() else np.ones(n)
    prefix = np.cumsum(w) - w / 2  # a block goes where its midpoint falls
    cuts = np.searchsorted(prefix, np.arange(1, k) * (w.sum() / k))
    # every shard non-empty: cut i lies in [i, n - (k - i)]
    cuts = np.clip(cuts, np.arange(1, k), n - k + np.arange(1, k))
    for i in range(1, len(cuts)):
        if cuts[i] <= cuts[i - 1]:
            cuts[i] = cuts[i - 1] + 1
    bounds = np.concatenate(([0], cuts, [n]))
    return np.repeat(np.arange(k, dtype=np.int32), np.diff(bounds))
