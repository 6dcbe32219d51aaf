"""Example ix partitioner plugin: LPT (longest processing time first) weight balancing."""
from __future__ import annotations

import heapq

import numpy as np

from ixcore import hookimpl
from ixcore.config import check_table
from ixcore.hypergraph import Hypergraph
from ixcore.manifest import balanced_agg_tree
from ixcore.partition import PartitionResult
from ixcore.roles import Partitioner, Register


# --8<-- [start:partitioner]
class LptPartitioner:
    name = "lpt"
    version = "0.2.0"
    deterministic = True

    def partition(self, hypergraph: Hypergraph, k: int, eps: float, seed: int) -> PartitionResult:
        n = hypergraph.n
        k = max(1, min(k, n))
        weights = np.asarray(hypergraph.vertex_weights, dtype=np.float64)
        parts = np.zeros(n, dtype=np.int32)
        heap = [(0.0, 0, shard) for shard in range(k)]  # (load, blocks, shard): lightest pops first
        for v in np.argsort(-weights, kind="stable"):
            load, count, shard = heapq.heappop(heap)
            parts[v] = shard
            heapq.heappush(heap, (load + weights[v], count + 1, shard))
        # Blocks heavier than a balanced shard may be can never be balanced: report them.
        bound = (1 + eps) * weights.sum() / k if n else 0.0
        floor = [int(v) for v in np.flatnonzero(weights > bound)]
        meta = {"partitioner": self.name, "version": self.version, "seed": seed, "eps": eps, "k": k,
                "imbalance": hypergraph.imbalance(parts, k), "atomic_floor": floor}
        return PartitionResult(parts, k, balanced_agg_tree(0, k), meta)
# --8<-- [end:partitioner]


def make_lpt(options: dict) -> Partitioner:
    check_table(options, {}, "plugins.lpt", "partitioner lpt")  # no options: any key is an error
    return LptPartitioner()


# --8<-- [start:register]
@hookimpl
def ix_register_partitioners(register: Register) -> None:
    register("lpt", make_lpt, summary="example: heaviest block into the lightest shard")
# --8<-- [end:register]
