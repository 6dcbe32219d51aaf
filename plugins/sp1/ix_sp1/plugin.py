"""Entry point of the ix_sp1 distribution: the SP1 leaf prover (execute only; see host.py).

Heavy imports stay inside factories so that plugin discovery stays cheap.
"""
from __future__ import annotations

from ixcore import hookimpl


def _requirements():
    from ixcore.config import load_config
    from ixcore.errors import IxError
    from ixcore.roles import Requirement

    from .host import Sp1Host, Sp1Settings

    try:
        settings = Sp1Settings.from_table(load_config().plugin_options("sp1"))
    except IxError as exc:
        return [Requirement("[plugins.sp1]", False, str(exc))]
    return Sp1Host(settings).requirements()


def _leaf(table: dict):
    from .host import Sp1Settings
    from .prover import Sp1LeafProver

    return Sp1LeafProver(Sp1Settings.from_table(table))


@hookimpl
def ix_register_leaf_provers(register):
    register("sp1", _leaf, summary="Ix's SP1 guest via Ix's sp1-host: execute only (proving needs a patched host)",
             requirements=_requirements)
