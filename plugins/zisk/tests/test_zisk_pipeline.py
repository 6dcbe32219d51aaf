"""`ixcore.pipeline.prove_env` with the Zisk provers (stand-in toolchain) on a multi-block
.ixe: leaves per shard, mode-1 aggregation along the tree, an unconditional root."""
from ix_zisk.prover import ZiskAggProver, ZiskLeafProver
from ix_zisk.settings import ZiskSettings
from ixcore.executors.local import LocalExecutor
from ixcore.formats.ixe import IxeFormat
from ixcore.pipeline import Backends, PlanSettings, prove_env


def test_prove_env_with_zisk_reaches_unconditional_root(tmp_path, zisk_table, fixture_env, make_manifest):
    settings = ZiskSettings.from_table(zisk_table)
    backends = Backends(IxeFormat(), ZiskLeafProver(settings), ZiskAggProver(settings), LocalExecutor(1))
    result = prove_env(
        fixture_env.path, backends, PlanSettings(arity=2), manifest=make_manifest(fixture_env, 3),
        workdir=tmp_path / "work", env=fixture_env,
    )
    summary = result.summary()
    assert result.ok and result.unconditional, summary["checks"]
    assert summary["aggregated"] and summary["aggregations"] == 2
    assert summary["subject_equals_env_root"]
    assert all(s.steps and s.proof_size > 0 for s in result.shards)
