"""Mt-KaHyPar (MIT) bisections under ixcore's recursive-bisection driver: the default.

The default preset is DETERMINISTIC: only the deterministic presets give the same
partition for the same input on more than one thread, and reproducible manifests are
what lets stored proofs be reused.
"""
from __future__ import annotations

import os

import numpy as np

from .library import LibraryPartitioner, pin_lists

PRESETS = {
    "deterministic": "DETERMINISTIC",
    "deterministic_quality": "DETERMINISTIC_QUALITY",
    "default": "DEFAULT",
    "quality": "QUALITY",
    "highest_quality": "HIGHEST_QUALITY",
}


class MtKaHyParPartitioner(LibraryPartitioner):
    name = "mtkahypar"
    library = "mtkahypar"
    presets = PRESETS
    default_preset = "deterministic"
    deterministic_presets = frozenset({"deterministic", "deterministic_quality"})
    worker = "ix_partitioners.mtkahypar_partitioner:bisection_job"


def bisection_job(ptr, pins, net_weights, vertex_weights, k, eps, seed, preset, threads):
    """Runs in the worker process: one TBB pool, then ixcore's driver with k=2 calls."""
    import mtkahypar

    from ixcore.hypergraph import Hypergraph
    from ixcore.partition import recursive_bisection

    mtk = mtkahypar.initialize(threads or os.cpu_count() or 1)
    mtkahypar.set_seed(seed)
    preset_type = getattr(mtkahypar.PresetType, PRESETS[preset])

    def bisect(sub: Hypergraph, max_left: int, max_right: int, _seed: int) -> np.ndarray:
        total = int(sub.vertex_weights.sum())
        ctx = mtk.context_from_preset(preset_type)
        ctx.logging = False
        slack = max((max_left + max_right) / total - 1.0, 1e-4)
        ctx.set_partitioning_parameters(2, slack, mtkahypar.Objective.KM1)
        ctx.set_individual_target_block_weights([max_left, max_right])
        hg = mtk.create_hypergraph(ctx, sub.n, sub.num_nets, pin_lists(sub), sub.vertex_weights.tolist(), sub.net_weights.tolist())
        return np.asarray(hg.partition(ctx).get_partition(), dtype=np.int8)

    return recursive_bisection(Hypergraph(vertex_weights, ptr, pins, net_weights), k, eps, bisect, seed)
