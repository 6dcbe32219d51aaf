"""Zisk leaf and aggregation provers end to end against the stand-in toolchain.

The stand-ins (tests/standins, test doubles) check every argv and byte ix produces and
answer in the real formats, so these tests cover encoders, parsers and host checks.
"""
import pytest

from ix_zisk.prover import ZiskAggProver, ZiskLeafProver, vks_id
from ix_zisk.settings import ZiskSettings
from ixcore.address import ZERO
from ixcore.errors import MissingRequirement, VerificationError
from ixcore.merkle import merkle_root

#: One stand-in per supported line, plus the 1.0 pre-release Ix main pins (1.0.0-alpha).
SUPPORTED_STANDINS = ["0.18.0", "1.0.0-alpha", "1.0.0-beta"]


def _provers(table):
    s = ZiskSettings.from_table(table)
    return ZiskLeafProver(s), ZiskAggProver(s)


@pytest.mark.parametrize("version", SUPPORTED_STANDINS)
def test_leaves_then_aggregate_to_unconditional_claim(tmp_path, zisk_versioned, fixture_env, make_manifest, version):
    table = zisk_versioned(version)
    leaf, agg = _provers(table)
    manifest = make_manifest(fixture_env, 3)
    leaves = [leaf.prove(fixture_env, s.blocks, tmp_path / f"s{s.id}") for s in manifest.shards]
    for p in leaves:
        assert p.claim.failures == 0 and p.program_id == leaf.program_id
        assert p.stats["steps"] > 0 and p.stats["proof_bytes"] == len(p.body)
        leaf.verify(p)
    assert any(p.claim.assumptions_root != ZERO for p in leaves)  # shards depend on each other
    root = agg.aggregate(leaves, tmp_path / "agg")
    agg.verify(root)
    assert root.claim.unconditional and root.claim.mode == 1
    assert root.claim.vks_id == vks_id(*agg.program_ids)
    assert root.claim.subject_root == fixture_env.env_root()


def test_nested_aggregation_pins_vks_id(tmp_path, zisk_table, fixture_env, make_manifest):
    leaf, agg = _provers(zisk_table)
    shards = make_manifest(fixture_env, 4).shards
    leaves = [leaf.prove(fixture_env, s.blocks, tmp_path / f"s{s.id}") for s in shards]
    left = agg.aggregate(leaves[:2], tmp_path / "a0")
    right = agg.aggregate(leaves[2:], tmp_path / "a1")
    root = agg.aggregate([left, right], tmp_path / "root")
    assert root.claim.unconditional and root.claim.subject_root == fixture_env.env_root()


def test_execute_gives_claim_and_steps_without_proof(tmp_path, zisk_table, fixture_env):
    leaf, _ = _provers(zisk_table)
    blocks = [w.block for w in fixture_env.work_items()][:5]
    ex = leaf.execute(fixture_env, blocks, tmp_path)
    proof = leaf.prove(fixture_env, blocks, tmp_path / "p")
    assert ex.steps == proof.stats["steps"] > 0
    assert ex.claim.subject_root == proof.claim.subject_root == merkle_root(ex.subjects)
    leaf.verify(proof, reexecute=True, env=fixture_env)


def test_forged_witness_is_rejected_before_proving(tmp_path, zisk_table, fixture_env, make_manifest):
    import attrs

    leaf, agg = _provers(zisk_table)
    shards = make_manifest(fixture_env, 2).shards
    a, b = (leaf.prove(fixture_env, s.blocks, tmp_path / f"s{s.id}") for s in shards)
    forged = attrs.evolve(a, assumptions=())
    with pytest.raises(VerificationError, match="assumption list does not hash"):
        agg.aggregate([forged, b], tmp_path / "agg")


def test_tampered_proof_fails_cargo_zisk_verify(tmp_path, zisk_table, fixture_env):
    import attrs

    leaf, _ = _provers(zisk_table)
    p = leaf.prove(fixture_env, [fixture_env.work_items()[0].block], tmp_path)
    body = bytearray(p.body)
    body[3] ^= 1  # inside the proof words
    with pytest.raises(VerificationError, match="verify"):
        leaf.verify(attrs.evolve(p, body=bytes(body)))


def test_pinned_vk_mismatch_is_rejected(tmp_path, zisk_table, fixture_env):
    leaf, _ = _provers({**zisk_table, "leaf_vk": "11" * 32})
    with pytest.raises(VerificationError, match="leaf_vk = 1111.* but setup wrote"):
        leaf.prove(fixture_env, [fixture_env.work_items()[0].block], tmp_path)


def test_missing_elf_is_missing_requirement(tmp_path, zisk_table, fixture_env):
    leaf, _ = _provers({**zisk_table, "leaf_elf": str(tmp_path / "nope.elf")})
    with pytest.raises(MissingRequirement, match="leaf guest ELF"):
        leaf.prove(fixture_env, [fixture_env.work_items()[0].block], tmp_path)
    reqs = {r.name: r for r in leaf.toolchain.requirements(need_agg=True)}
    assert reqs["cargo-zisk"].found and reqs["cargo-zisk"].version == "0.18.0"
    assert not reqs["leaf_elf"].found and reqs["agg_elf"].found


def _standin_guest():
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("standin_guest", Path(__file__).parent / "standins" / "_guest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("version", SUPPORTED_STANDINS)
def test_proof_under_a_rogue_vadcop_vk_is_refused(tmp_path, zisk_versioned, fixture_env, make_manifest, version):
    """`cargo-zisk verify` and the aggregation guest verify against the zisk_vk inside the
    proof; a proof made for another circuit carries its own key and verifies. ix pins the
    proving key's vadcop final vk, so the re-keyed proof is refused by verify and aggregate."""
    import attrs

    from ix_zisk.proof import ZiskProofFile

    table = zisk_versioned(version)
    leaf, agg = _provers(table)
    a, b = (leaf.prove(fixture_env, s.blocks, tmp_path / f"s{s.id}") for s in make_manifest(fixture_env, 2).shards)
    codec = leaf.toolchain.version.line.proof_codec
    pf = ZiskProofFile.from_bytes(a.body, codec)
    rogue_vk = (7, 7, 7, 7)
    forged_proof = _standin_guest().tag(pf.program_vk_bytes, pf.publics.ljust(256, b"\0"), rogue_vk)
    forged = attrs.evolve(a, body=attrs.evolve(pf, zisk_vk=rogue_vk, proof=forged_proof).to_bytes())
    with pytest.raises(VerificationError, match="not the proving key's"):
        leaf.verify(forged)
    with pytest.raises(VerificationError, match="not the proving key's"):
        agg.aggregate([forged, b], tmp_path / "agg")


def test_zisk_vk_pin_and_missing_proving_key(tmp_path, zisk_versioned, monkeypatch):
    from ixcore.errors import IxError

    table = zisk_versioned("0.18.0")
    leaf, _ = _provers({**table, "zisk_vk": "11" * 32})
    with pytest.raises(VerificationError, match="zisk_vk = 1111.* but the proving key"):
        _ = leaf.toolchain.zisk_vk
    monkeypatch.setenv("ZISK_HOME", str(tmp_path / "no-zisk-home"))
    leaf, _ = _provers(table)
    with pytest.raises(IxError) as exc:
        _ = leaf.toolchain.zisk_vk
    assert "\n" not in str(exc.value) and "vadcop_final.verkey.bin" in str(exc.value) and "pin plugins.zisk.zisk_vk" in str(exc.value)
    leaf, _ = _provers({**table, "zisk_vk": "11" * 32})
    assert leaf.toolchain.zisk_vk == bytes.fromhex("11" * 32)
