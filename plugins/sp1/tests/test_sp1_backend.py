"""SP1 publics codec and the SP1 leaf prover against the stand-in host (a test double)."""
import attrs
import pytest

from ixcore.address import Address
from ixcore.errors import ConfigError, InputError, MissingRequirement, VerificationError
from ixcore.executors.local import LocalExecutor
from ixcore.formats.ixe import IxeFormat
from ixcore.pipeline import Backends, PlanSettings, prove_env
from ix_sp1.host import Sp1Settings, prove_args
from ix_sp1.prover import Sp1LeafProver
from ix_sp1.publics import Sp1Publics

A, B, C = (Address(bytes([i]) * 32) for i in (1, 2, 3))


def test_publics_golden_layout():
    p = Sp1Publics(2, A, B, 9, C)
    raw = p.to_bytes()
    assert raw.hex() == "02000000" + "01" * 32 + "02" * 32 + "09000000" + "03" * 32
    assert Sp1Publics.from_bytes(raw) == p
    claim = p.claim(bytes(C))
    assert (claim.failures, claim.subject_root, claim.env_hash, claim.checked) == (2, A, C, 9)
    with pytest.raises(InputError, match="103 bytes, expected 104"):
        Sp1Publics.from_bytes(raw[:-1])


def test_prove_argv_and_settings():
    from pathlib import Path

    assert prove_args(Path("s.ixe"), Path("c"), Path("p"), Path("f"), Path("m")) == [
        "--ixe", "s.ixe", "--check-list", "c", "--publics-out", "p", "--proof-out", "f", "--json", "m"]
    with pytest.raises(ConfigError, match="prover must be one of"):
        Sp1Settings.from_table({"prover": "gpu"})
    with pytest.raises(ConfigError, match="unknown key 'plugins.sp1.elf'"):
        Sp1Settings.from_table({"elf": "x"})


def test_prove_execute_verify_each_shard(tmp_path, sp1_table, fixture_env, make_manifest):
    prover = Sp1LeafProver(Sp1Settings.from_table(sp1_table))
    for shard in make_manifest(fixture_env, 3).shards:
        proof = prover.prove(fixture_env, shard.blocks, tmp_path / f"s{shard.id}")
        ex = prover.execute(fixture_env, shard.blocks, tmp_path / f"e{shard.id}")
        assert ex.claim.subject_root == proof.claim.subject_root and ex.steps > 0
        assert proof.stats["peak_memory"] == 123_456_789 and proof.stats["proof_bytes"] == len(proof.body)
        prover.verify(proof, reexecute=True, env=fixture_env)


def test_tampered_proof_does_not_verify(tmp_path, sp1_table, fixture_env):
    prover = Sp1LeafProver(Sp1Settings.from_table(sp1_table))
    proof = prover.prove(fixture_env, [fixture_env.work_items()[0].block], tmp_path)
    body = bytearray(proof.body)
    body[20] ^= 1
    with pytest.raises(VerificationError, match="sp1-host failed"):
        prover.verify(attrs.evolve(proof, body=bytes(body)))


def test_pipeline_without_aggregation_reports_not_aggregated(tmp_path, sp1_table, fixture_env, make_manifest):
    backends = Backends(IxeFormat(), Sp1LeafProver(Sp1Settings.from_table(sp1_table)), None, LocalExecutor(1))
    result = prove_env(fixture_env.path, backends, PlanSettings(), manifest=make_manifest(fixture_env, 3),
                       workdir=tmp_path / "w", env=fixture_env)
    summary = result.summary()
    assert result.ok and result.unconditional and not summary["aggregated"], summary["checks"]
    assert summary["subject_equals_env_root"]


def test_missing_host_is_missing_requirement(tmp_path, monkeypatch, fixture_env):
    monkeypatch.setenv("PATH", str(tmp_path))
    prover = Sp1LeafProver(Sp1Settings.from_table({}))
    with pytest.raises(MissingRequirement, match="sp1-host not found"):
        prover.prove(fixture_env, [fixture_env.work_items()[0].block], tmp_path)
    assert not prover.host.requirements()[0].found
