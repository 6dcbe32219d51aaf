"""Entry point of the ix_zisk distribution: the Zisk leaf and aggregation provers and
`ix calibrate`.

Heavy imports stay inside factories so that plugin discovery stays cheap.
"""
from __future__ import annotations

from ixcore import hookimpl


def _settings(table: dict):
    from .settings import ZiskSettings

    return ZiskSettings.from_table(table)


def _requirements(need_agg: bool):
    """What `ix plugins` shows, read from [plugins.zisk] of the current ix.toml."""

    def check():
        from ixcore.config import load_config
        from ixcore.errors import IxError
        from ixcore.roles import Requirement

        from .toolchain import ZiskToolchain

        try:
            settings = _settings(load_config().plugin_options("zisk"))
        except IxError as exc:
            return [Requirement("[plugins.zisk]", False, str(exc))]
        return ZiskToolchain(settings).requirements(need_agg=need_agg)

    return check


def _leaf(table: dict):
    from .prover import ZiskLeafProver

    return ZiskLeafProver(_settings(table))


def _agg(table: dict):
    from .prover import ZiskAggProver

    return ZiskAggProver(_settings(table))


@hookimpl
def ix_register_leaf_provers(register):
    register("zisk", _leaf, summary="Ix's Zisk leaf guest via cargo-zisk / ziskemu", requirements=_requirements(False))


@hookimpl
def ix_register_agg_provers(register):
    register("zisk", _agg, summary="Ix's Zisk aggregation guest (mode-1 discharge)", requirements=_requirements(True))


@hookimpl
def ix_add_commands(cli):
    from .calibrate import calibrate_command

    cli.add_command(calibrate_command)
