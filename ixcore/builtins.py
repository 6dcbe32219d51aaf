"""Backends that ship inside ixcore itself (registered like any third-party plugin)."""
from __future__ import annotations

from . import hookimpl


@hookimpl
def ix_register_stores(register):
    def make_fs(config: dict):
        from .config import check_table
        from .store import FsStore

        check_table(config, {"path": str, "read_only": bool}, "store_options", "store fs")
        return FsStore(config.get("path", ".ix/store"), read_only=config.get("read_only", False))

    register("fs", make_fs, summary="checksummed proof files with a SQLite index (crash-safe, shared by concurrent runs)")


@hookimpl
def ix_register_executors(register):
    def make_local(config: dict):
        from .config import check_table
        from .executors import LocalExecutor

        check_table(config, _LOCAL_OPTIONS, "executor_options", "executor local")
        return LocalExecutor(config.get("jobs"), config.get("retries", 2), config.get("timeout_s"), config.get("heartbeat_s"))

    def make_dask(config: dict):
        from .config import check_table
        from .executors import DaskExecutor

        check_table(config, {**_LOCAL_OPTIONS, "scheduler": str, "workers": int}, "executor_options", "executor dask")
        return DaskExecutor(config.get("scheduler"), config.get("retries", 2), config.get("workers") or config.get("jobs"),
                            config.get("timeout_s"), config.get("heartbeat_s"))

    register("local", make_local, summary="process pool on this machine (--jobs N)")
    register(
        "dask", make_dask, summary="dask.distributed cluster (executor_options.scheduler)",
        requirements=_dask_requirements,
    )


_LOCAL_OPTIONS = {"jobs": int, "retries": int, "timeout_s": (int, float), "heartbeat_s": (int, float)}


def _dask_requirements():
    from .roles import Requirement

    return [Requirement.module("distributed", "pip install 'ixcore[dask]'")]


@hookimpl(specname="ix_register_env_formats")
def register_ixe_env_format(register):
    """Named apart from the hook so other env formats can add their own hookimpl here."""

    def make_ixe(config: dict):
        from .config import check_table
        from .formats.ixe import IxeFormat

        check_table(config, {"trust": bool}, "env_options", "env format ixe")
        return IxeFormat(trust=config.get("trust", False))

    register("ixe", make_ixe, summary="Ixon .ixe environments of argumentcomputer/ix (E1, and E0 of #492..#569)")


@hookimpl(specname="ix_register_profilers")
def register_static_profiler(register):
    """Profile-free planning (Ix main's static strategy): sizes and reference edges only."""

    def make_static(config: dict):
        from .config import check_table

        check_table(config, {}, "plugins.static", "profiler static")
        return StaticProfiler()

    register("static", make_static, summary="no kernel run: block sizes and static reference edges from the env")


# --8<-- [start:profiler]
class StaticProfiler:
    """Asks the environment for its static profile (any env format provides one)."""

    name = "static"

    def profile(self, env, blocks=None, jobs=1, progress=None):
        return env.static_profile()
# --8<-- [end:profiler]
