"""Ix's real SP1 host, when configured (else skipped with why): execute only.

Point IX_SP1_CONFIG at an ix.toml whose [plugins.sp1] names the host binary.
"""
import os

import pytest

pytestmark = pytest.mark.sp1


def test_real_sp1_execute(tmp_path, fixture_env):
    from ix_sp1.host import Sp1Host, Sp1Settings
    from ix_sp1.prover import Sp1LeafProver
    from ixcore.config import load_config

    path = os.environ.get("IX_SP1_CONFIG")
    if not path:
        pytest.skip("IX_SP1_CONFIG is not set (an ix.toml with [plugins.sp1] for Ix's sp1-host)")
    settings = Sp1Settings.from_table(load_config(path).plugin_options("sp1"))
    missing = [r for r in Sp1Host(settings).requirements() if not r.found]
    if missing:
        pytest.skip("sp1-host unavailable: " + "; ".join(r.detail for r in missing))
    prover = Sp1LeafProver(settings)
    blocks = [w.block for w in fixture_env.work_items()]
    ex = prover.execute(fixture_env, blocks, tmp_path)
    assert ex.steps > 0 and ex.claim.subject_root == fixture_env.env_root()
