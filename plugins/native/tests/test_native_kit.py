"""The native backends through the public conformance kit (ixcore.testing), on a small
generated lean4export environment."""
from __future__ import annotations

import pytest

from ixcore.plugins import PluginHost
from ixcore.testing import check_agg_prover, check_env_format, check_leaf_prover, check_profiler


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from ix_native.demo_env import write_demo_env

    path = tmp_path_factory.mktemp("kit") / "demo.ndjson"
    write_demo_env(path, 40, 1)
    return path


@pytest.fixture(scope="module")
def host():
    return PluginHost()


@pytest.fixture(scope="module")
def env(host, demo):
    return host.create("env_format", "ndjson", {}).load(demo)


def test_ndjson_format_conforms(host, demo):
    check_env_format(lambda: host.create("env_format", "ndjson", {}), demo)


def test_kernel_profiler_conforms(host, env):
    check_profiler(lambda: host.create("profiler", "kernel", {}), env)


def test_native_leaf_prover_conforms(host, env):
    check_leaf_prover(lambda: host.create("leaf_prover", "native", {}), env)


def test_native_agg_prover_conforms(host, env):
    """The kit once found that NativeAggProver.verify did not bind its record's
    `children`/`child_claims` entries; the record is now signed over the whole proof
    encoding, so a flipped byte anywhere fails `verify_rejects_tampering`."""
    check_agg_prover(
        lambda: host.create("agg_prover", "native", {}), lambda: host.create("leaf_prover", "native", {}), env,
    )
