"""Entry point of the ix_native distribution: the ixcore hook implementations it provides.

Heavy imports stay inside factories so that plugin discovery stays cheap.
"""
from __future__ import annotations

from ixcore import hookimpl


@hookimpl
def ix_register_env_formats(register):
    def ndjson(_config):
        from .env import NdjsonFormat

        return NdjsonFormat()

    register("ndjson", ndjson, summary="lean4export NDJSON (3.x) as content-addressed blocks")


@hookimpl
def ix_register_profilers(register):
    def kernel(config):
        from .profiler import KernelProfiler

        return KernelProfiler(**config)

    register("kernel", kernel, summary="per-block work and delta edges from the Python Lean kernel")


@hookimpl
def ix_add_commands(cli):
    from .demo_cmd import demo_env_command
    from .profile_cmd import profile_command

    cli.add_command(demo_env_command)
    cli.add_command(profile_command)
