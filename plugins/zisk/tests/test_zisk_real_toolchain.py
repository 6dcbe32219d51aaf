"""The real Zisk toolchain and Ix's guest ELFs, when configured (else skipped with why).

Point IX_ZISK_CONFIG at an ix.toml whose [plugins.zisk] names the ELFs (and binaries,
unless they are on PATH or in ~/.zisk/bin).
"""
import os

import pytest

pytestmark = pytest.mark.zisk


@pytest.fixture
def real_zisk():
    from ix_zisk.settings import ZiskSettings
    from ix_zisk.toolchain import ZiskToolchain
    from ixcore.config import load_config

    path = os.environ.get("IX_ZISK_CONFIG")
    if not path:
        pytest.skip("IX_ZISK_CONFIG is not set (an ix.toml with [plugins.zisk] for the real toolchain)")
    settings = ZiskSettings.from_table(load_config(path).plugin_options("zisk"))
    missing = [r for r in ZiskToolchain(settings).requirements(need_agg=True) if not r.found]
    if missing:
        pytest.skip("real Zisk toolchain incomplete: " + "; ".join(f"{r.name}: {r.detail}" for r in missing))
    return settings


def test_real_leaves_and_aggregate(tmp_path, real_zisk, fixture_env, make_manifest):
    from ix_zisk.prover import ZiskAggProver, ZiskLeafProver

    leaf, agg = ZiskLeafProver(real_zisk), ZiskAggProver(real_zisk)
    leaves = [leaf.prove(fixture_env, s.blocks, tmp_path / f"s{s.id}") for s in make_manifest(fixture_env, 2).shards]
    root = agg.aggregate(leaves, tmp_path / "agg")
    agg.verify(root)
    assert root.claim.unconditional and root.claim.subject_root == fixture_env.env_root()
