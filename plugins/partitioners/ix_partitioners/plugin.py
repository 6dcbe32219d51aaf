"""Entry point of the ix_partitioners distribution: registers `range`, `kahypar` and
`mtkahypar`.

Heavy imports stay inside factories (and the libraries themselves only inside the worker
processes) so that plugin discovery stays cheap and ixcore never imports GPL code.
"""
from __future__ import annotations

from ixcore import hookimpl
from ixcore.roles import Requirement


def _range(config):
    from ixcore.config import check_table

    from .range_partitioner import RangePartitioner

    check_table(config, {}, "plugins.range", "partitioner range")  # range takes no options
    return RangePartitioner()


def _mtkahypar(config):
    from .mtkahypar_partitioner import MtKaHyParPartitioner

    return MtKaHyParPartitioner(config)


def _kahypar(config):
    from .kahypar_partitioner import KaHyParPartitioner

    return KaHyParPartitioner(config)


@hookimpl
def ix_register_partitioners(register):
    register("range", _range, summary="contiguous block-id ranges of equal weight (naive baseline)")
    register(
        "mtkahypar",
        _mtkahypar,
        summary="Mt-KaHyPar (MIT) recursive bisection, DETERMINISTIC preset by default",
        requirements=lambda: [Requirement.module("mtkahypar", "pip install mtkahypar")],
    )
    register(
        "kahypar",
        _kahypar,
        summary="KaHyPar (GPL-3.0+) recursive bisection with ix's own presets",
        requirements=lambda: [Requirement.module("kahypar", "pip install kahypar")],
    )
