"""Mt-KaHyPar (MIT) under ixcore's tree drivers: the default partitioner.

The default preset is DETERMINISTIC: only the deterministic presets give the same
partition for the same input on more than one thread (and, measured, the same on one
thread as on two), and reproducible manifests are what lets stored proofs be reused.

Mt-KaHyPar's Python API configures a context only from a compiled-in preset or from an
`.ini` file, and the presets fix the coarsening limit at 160·k vertices. At k = 32 that
leaves a 5,120-vertex coarsest hypergraph on which initial partitioning (20 runs of
recursive bipartitioning) took 63 % of the time. So `deterministic` is built from an
`.ini` of our own: the DETERMINISTIC preset's parameters written out by their documented
command-line names (`MtKaHyPar --help`), with two changes measured on the 50k profiles
(docs/benchmarks.md): a coarsening limit of 20·k (`c-t`, the `contraction_limit` option)
and Jet refinement stopping after 4 rounds without improvement instead of 8. Same
algorithms, so just as reproducible; a test checks that the stock values reproduce the
compiled preset exactly.
"""
from __future__ import annotations

import os
import tempfile

import numpy as np

from .library import LibraryPartitioner, pin_lists

PRESETS = {
    "deterministic": "DETERMINISTIC",
    "deterministic_quality": "DETERMINISTIC_QUALITY",
    "default": "DEFAULT",
    "quality": "QUALITY",
    "highest_quality": "HIGHEST_QUALITY",
}

#: ix's coarsening limit multiplier for `deterministic` (Mt-KaHyPar's presets use 160).
DEFAULT_CONTRACTION_LIMIT = 20
#: ix's changes to the DETERMINISTIC preset (besides `c-t`).
IX_TUNING = {"r-jet-num-iterations": "4"}

#: Mt-KaHyPar's DETERMINISTIC preset as command-line options.
DETERMINISTIC_OPTIONS = {
    "mode": "direct",
    "preset-type": "deterministic",
    "deterministic": "true",
    "maxnet-removal-factor": "0.01",
    "smallest-maxnet-threshold": "50000",
    "maxnet-ignore": "1000",
    "num-vcycles": "0",
    "s-use-localized-random-shuffle": "false",
    "s-static-balancing-work-packages": "128",
    # preprocessing: deterministic Louvain community detection
    "p-stable-io": "true",
    "p-enable-community-detection": "true",
    "p-louvain-edge-weight-function": "hybrid",
    "p-max-louvain-pass-iterations": "5",
    "p-louvain-min-vertex-move-fraction": "0.01",
    "p-vertex-degree-sampling-threshold": "200000",
    "p-louvain-low-memory-contraction": "true",
    "p-num-sub-rounds": "16",
    # coarsening
    "c-type": "deterministic_multilevel_coarsener",
    "c-use-adaptive-edge-size": "false",
    "c-resolve-swaps": "true",
    "c-min-shrink-factor": "1.01",
    "c-max-shrink-factor": "2.5",
    "c-s": "1",
    "c-t": "160",
    "c-vertex-degree-sampling-threshold": "200000",
    "c-num-sub-rounds": "3",
    "c-rating-score": "heavy_edge",
    "c-rating-heavy-node-penalty": "no_penalty",
    "c-rating-acceptance-criterion": "best_prefer_unmatched",
    # initial partitioning: recursive bipartitioning on the coarsest hypergraph
    "i-mode": "rb",
    "i-runs": "20",
    "i-use-adaptive-ip-runs": "false",
    "i-perform-refinement-on-best-partitions": "false",
    "i-remove-degree-zero-hns-before-ip": "true",
    "i-fm-refinement-rounds": "3",
    "i-lp-maximum-iterations": "20",
    "i-lp-initial-block-size": "5",
    "i-r-refine-until-no-improvement": "false",
    "i-r-lp-type": "deterministic",
    "i-r-lp-maximum-iterations": "5",
    "i-r-sync-lp-sub-rounds": "1",
    "i-r-lp-he-size-activation-threshold": "100",
    "i-r-sync-lp-active-nodeset": "true",
    "i-r-fm-type": "do_nothing",
    "i-population-size": "64",
    # refinement: deterministic Jet and rebalancing
    "r-refine-until-no-improvement": "false",
    "r-rebalancer-type": "deterministic",
    "r-max-det-rebalancing-rounds": "0",
    "r-det-rebalancing-deadzone": "0.1",
    "r-det-rebalancing-heavy-vertex-exclusion": "1.5",
    "r-lp-type": "do_nothing",
    "r-lp-maximum-iterations": "5",
    "r-sync-lp-sub-rounds": "1",
    "r-lp-he-size-activation-threshold": "100",
    "r-sync-lp-active-nodeset": "true",
    "r-jet-type": "deterministic",
    "r-jet-num-iterations": "8",
    "r-jet-relative-improvement-threshold": "0.001",
    "r-jet-dynamic-rounds": "3",
    "r-jet-initial-negative-gain": "0.75",
    "r-jet-final-negative-gain": "0.0",
    "r-fm-type": "do_nothing",
    "r-flow-algo": "do_nothing",
}


def deterministic_ini(contraction_limit: int, tuning: dict[str, str] = IX_TUNING) -> str:
    """ix's `deterministic` context; `tuning={}` with contraction_limit 160 is Mt-KaHyPar's."""
    options = dict(DETERMINISTIC_OPTIONS, **tuning, **{"c-t": str(int(contraction_limit))})
    return "".join(f"{key}={value}\n" for key, value in options.items())


class MtKaHyParPartitioner(LibraryPartitioner):
    name = "mtkahypar"
    library = "mtkahypar"
    presets = PRESETS
    default_preset = "deterministic"
    deterministic_presets = frozenset({"deterministic", "deterministic_quality"})
    worker = "ix_partitioners.mtkahypar_partitioner:partition_job"
    tunable_presets = {"deterministic": DEFAULT_CONTRACTION_LIMIT}


def partition_job(ptr, pins, net_weights, vertex_weights, k, eps, seed, preset, threads, tree, contraction_limit):
    """Runs in the worker process: one TBB pool and one context source for every call."""
    import mtkahypar

    from ixcore.hypergraph import Hypergraph
    from ixcore.partition import partition_with_tree

    mtk = mtkahypar.initialize(threads or os.cpu_count() or 1)
    mtkahypar.set_seed(seed)
    with tempfile.TemporaryDirectory(prefix="ix-mtkahypar-") as tmp:
        if contraction_limit is not None:
            ini = os.path.join(tmp, "ix_deterministic.ini")
            with open(ini, "w") as f:
                f.write(deterministic_ini(contraction_limit))

            def context():
                return mtk.context_from_file(ini)
        else:
            preset_type = getattr(mtkahypar.PresetType, PRESETS[preset])

            def context():
                return mtk.context_from_preset(preset_type)

        def run(sub: Hypergraph, k_sub: int, eps_sub: float, targets: list[int] | None) -> np.ndarray:
            ctx = context()
            ctx.logging = False
            ctx.set_partitioning_parameters(k_sub, eps_sub, mtkahypar.Objective.KM1)
            if targets is not None:
                ctx.set_individual_target_block_weights(targets)
            hg = mtk.create_hypergraph(ctx, sub.n, sub.num_nets, pin_lists(sub), sub.vertex_weights.tolist(), sub.net_weights.tolist())
            return np.asarray(hg.partition(ctx).get_partition(), dtype=np.int32)

        def bisect(sub: Hypergraph, max_left: int, max_right: int, _seed: int) -> np.ndarray:
            slack = max((max_left + max_right) / int(sub.vertex_weights.sum()) - 1.0, 1e-4)
            return run(sub, 2, slack, [max_left, max_right]).astype(np.int8)

        def kway(hg: Hypergraph, k_all: int, eps_all: float, _seed: int) -> np.ndarray:
            return run(hg, k_all, eps_all, None)

        hg = Hypergraph(vertex_weights, ptr, pins, net_weights)
        return partition_with_tree(hg, k, eps, seed, method=tree, bisect=bisect, kway=kway)
