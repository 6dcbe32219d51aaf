"""KaHyPar (GPL-3.0-or-later) bisections under ixcore's recursive-bisection driver.

`kahypar` is imported only inside the worker process, so neither ixcore nor this
plugin's import pulls GPL code in. The wheel ships no `.ini` presets and a context cannot
be configured without one, so the presets below are ours: dictionaries of KaHyPar's
documented command-line parameter names (`KaHyPar --help`) written to a temporary file.
Every call is a 2-way bisection, so both presets use 2-way FM refinement; `flows` adds
HyperFlowCutter refinement on top (better cuts, several times slower).
"""
from __future__ import annotations

import os
import tempfile

import numpy as np

from .library import LibraryPartitioner

_COMMON = {
    "mode": "direct",
    "objective": "km1",
    "seed": "-1",
    "cmaxnet": "1000",
    "vcycles": "0",
    "p-use-sparsifier": "false",
    "p-detect-communities": "true",
    "p-detect-communities-in-ip": "true",
    "p-reuse-communities": "false",
    "p-max-louvain-pass-iterations": "100",
    "p-min-eps-improvement": "0.0001",
    "p-louvain-edge-weight": "hybrid",
    "c-type": "ml_style",
    "c-s": "1",
    "c-t": "160",
    "c-rating-score": "heavy_edge",
    "c-rating-use-communities": "true",
    "c-rating-heavy_node_penalty": "no_penalty",
    "c-rating-acceptance-criterion": "best_prefer_unmatched",
    "c-fixed-vertex-acceptance-criterion": "fixed_vertex_allowed",
    "i-mode": "recursive",
    "i-technique": "multi",
    "i-c-type": "ml_style",
    "i-c-s": "1",
    "i-c-t": "150",
    "i-c-rating-score": "heavy_edge",
    "i-c-rating-use-communities": "true",
    "i-c-rating-heavy_node_penalty": "no_penalty",
    "i-c-rating-acceptance-criterion": "best_prefer_unmatched",
    "i-c-fixed-vertex-acceptance-criterion": "fixed_vertex_allowed",
    "i-algo": "pool",
    "i-runs": "20",
    "i-bp-algorithm": "worst_fit",
    "i-bp-early-restart": "true",
    "i-bp-late-restart": "true",
    "i-r-type": "twoway_fm",
    "i-r-runs": "-1",
    "i-r-fm-stop": "simple",
    "i-r-fm-stop-i": "50",
    "r-runs": "-1",
    "r-fm-stop": "adaptive_opt",
    "r-fm-stop-alpha": "1",
    "r-fm-stop-i": "350",
}

PRESETS = {
    "fm": {**_COMMON, "r-type": "twoway_fm"},
    "flows": {
        **_COMMON,
        "r-type": "twoway_fm_hyperflow_cutter",
        "r-flow-execution-policy": "exponential",
        "r-hfc-size-constraint": "mf-style",
        "r-hfc-scaling": "16",
        "r-hfc-distance-based-piercing": "true",
        "r-hfc-mbc": "true",
    },
}


def preset_ini(preset: str) -> str:
    return "".join(f"{key}={value}\n" for key, value in PRESETS[preset].items())


class KaHyParPartitioner(LibraryPartitioner):
    name = "kahypar"
    library = "kahypar"
    presets = {name: name for name in PRESETS}
    default_preset = "fm"
    deterministic_presets = frozenset(PRESETS)  # sequential and seeded: same seed, same result
    worker = "ix_partitioners.kahypar_partitioner:bisection_job"


def bisection_job(ptr, pins, net_weights, vertex_weights, k, eps, seed, preset, threads):
    """Runs in the worker process (KaHyPar is single-threaded; `threads` is unused)."""
    import kahypar

    from ixcore.hypergraph import Hypergraph
    from ixcore.partition import recursive_bisection

    with tempfile.TemporaryDirectory(prefix="ix-kahypar-") as tmp:
        ini = os.path.join(tmp, f"ix_{preset}.ini")
        with open(ini, "w") as f:
            f.write(preset_ini(preset))

        def bisect(sub: Hypergraph, max_left: int, max_right: int, level_seed: int) -> np.ndarray:
            total = int(sub.vertex_weights.sum())
            hg = kahypar.Hypergraph(
                sub.n, sub.num_nets, sub.ptr.tolist(), sub.pins.tolist(), 2,
                sub.net_weights.tolist(), sub.vertex_weights.tolist(),
            )
            ctx = kahypar.Context()
            ctx.loadINIconfiguration(ini)
            ctx.setK(2)
            ctx.setEpsilon(max((max_left + max_right) / total - 1.0, 1e-4))
            ctx.setCustomTargetBlockWeights([max_left, max_right])
            ctx.setSeed(level_seed)
            ctx.suppressOutput(True)
            kahypar.partition(hg, ctx)
            return np.fromiter((hg.blockID(v) for v in range(sub.n)), dtype=np.int8, count=sub.n)

        return recursive_bisection(Hypergraph(vertex_weights, ptr, pins, net_weights), k, eps, bisect, seed)
