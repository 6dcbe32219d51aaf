"""Entry point of the ix_native distribution: the ixcore hook implementations it provides.

Heavy imports stay inside factories so that plugin discovery stays cheap.
"""
from __future__ import annotations

from ixcore import hookimpl


@hookimpl
def ix_register_env_formats(register):
    def ndjson(config):
        from ixcore.config import check_table

        from .env import NdjsonFormat

        check_table(config, {}, "plugins.ndjson", "env format ndjson")  # no options
        return NdjsonFormat()

    register("ndjson", ndjson, summary="lean4export NDJSON (3.x) as content-addressed blocks")


@hookimpl
def ix_register_profilers(register):
    def kernel(config):
        from ixcore.config import check_table

        from .profiler import KernelProfiler

        check_table(config, {"jobs": int}, "plugins.kernel", "profiler kernel")
        return KernelProfiler(**config)

    register("kernel", kernel, summary="per-block work and delta edges from the Python Lean kernel")


@hookimpl
def ix_add_commands(cli):
    from .demo_cmd import demo_env_command
    from .profile_cmd import profile_command

    cli.add_command(demo_env_command)
    cli.add_command(profile_command)


@hookimpl(specname="ix_add_commands")
def ix_add_check_command(cli):
    from .check_cmd import check_command

    cli.add_command(check_command)


#: [plugins.native] keys: read by both provers, since both are named "native"
_NATIVE_OPTIONS = {"arity": int}


@hookimpl
def ix_register_leaf_provers(register):
    def native(config):
        from ixcore.config import check_table

        from .kernel_seam import native_leaf_prover

        check_table(config, _NATIVE_OPTIONS, "plugins.native", "leaf prover native")
        return native_leaf_prover()

    register("native", native, summary="Python Lean kernel over the shard's closure sub-env (hash-bound execution record)")


@hookimpl
def ix_register_agg_provers(register):
    def native(config):
        from ixcore.config import check_table

        from .kernel_seam import native_leaf_prover
        from .provers import DEFAULT_ARITY, NativeAggProver

        check_table(config, _NATIVE_OPTIONS, "plugins.native", "agg prover native")
        return NativeAggProver(native_leaf_prover(), config.get("arity", DEFAULT_ARITY))

    register("native", native, summary="verifies native children and commits Ix's mode-1 discharge")
