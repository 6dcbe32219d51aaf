"""Example ix partitioner plugin: LPT (longest processing time first) weight balancing."""
from __future__ import annotations

import heapq

import numpy as np

from ixcore import hookimpl
from ixcore.manifest import balanced_agg_tree
from ixcore.partition import PartitionResult


class LptPartitioner:
    name = "lpt"
    version = "0.1.0"
    deterministic = True

    def partition(self, hypergraph, k, eps, seed):
        n = hypergraph.n
        k = max(1, min(k, n))
        weights = np.asarray(hypergraph.vertex_weights, dtype=np.float64)
        parts = np.zeros(n, dtype=np.int32)
        heap = [(0.0, 0, shard) for shard in range(k)]  # (load, blocks, shard): lightest pops first
        for v in np.argsort(-weights, kind="stable"):
            load, count, shard = heapq.heappop(heap)
            parts[v] = shard
            heapq.heappush(heap, (load + weights[v], count + 1, shard))
        meta = {"partitioner": self.name, "version": self.version, "seed": seed, "eps": eps, "k": k}
        return PartitionResult(parts, k, balanced_agg_tree(0, k), meta)


@hookimpl
def ix_register_partitioners(register):
    register("lpt", lambda config: LptPartitioner(), summary="example: heaviest block into the lightest shard")
