"""The example leaf prover passes ixcore's conformance kit and catches a dangling reference."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the example need not be installed

import ix_closure_prover  # noqa: E402
from ixcore.plugins import PluginHost  # noqa: E402
from ixcore.testing import TinyEnv, check_leaf_prover, tiny_env  # noqa: E402


def make():
    host = PluginHost(autoload=False, plugins=(ix_closure_prover,))
    return host.create("leaf_prover", "closure", {})


def test_closure_passes_the_kit():
    check_leaf_prover(make)


def test_a_dangling_reference_is_a_failure(tmp_path):
    env = TinyEnv({"a": {"size": 1, "refs": ["ghost"], "ok": True}, "b": {"size": 1, "refs": ["a"], "ok": True}})
    proof = make().prove(env, [env.address("a"), env.address("b")], tmp_path)
    assert proof.claim.failures == 1 and proof.claim.checked == 2
    make().verify(proof, reexecute=True, env=env)


def test_reexecute_agrees(tmp_path):
    env = tiny_env()
    blocks = [w.block for w in env.work_items()][:4]
    proof = make().prove(env, blocks, tmp_path)
    make().verify(proof, reexecute=True, env=env)


def test_closure_registers_properly():
    from ixcore.testing import check_registration

    check_registration(PluginHost(autoload=False, plugins=(ix_closure_prover,)), "leaf_prover", "closure")
