"""One test per driver mismatch of issue 15, through the prover API only (ix_zisk.prover /
settings), so the same file runs against the pre-issue driver: each fails there, passes here.

The stand-ins parse argv with the golden clap tables, write proof files in the impersonated
version's layout and check child blobs the way verifier.rs does.
"""
import struct

import blake3
import pytest

from ix_zisk.prover import ZiskAggProver, ZiskLeafProver
from ix_zisk.settings import ZiskSettings
from ixcore.errors import ConfigError, IxError, MissingRequirement


def _provers(table):
    s = ZiskSettings.from_table(table)
    return ZiskLeafProver(s), ZiskAggProver(s)


def _standin_vk(path) -> bytes:
    """What the stand-in's setup writes for this ELF (tests/standins/_guest.py program_vk)."""
    with open(path, "rb") as f:
        return blake3.blake3(b"standin program vk" + f.read()).digest()


def _pinned(table):
    return {**table, "leaf_vk": _standin_vk(table["leaf_elf"]).hex(), "agg_vk": _standin_vk(table["agg_elf"]).hex()}


@pytest.mark.parametrize("version", ["0.18.0", "1.0.0-beta"])
def test_vk_is_read_from_setup_verkey_without_pins(tmp_path, zisk_versioned, fixture_env, version):
    """Mismatch: `rom-vkey` does not exist; the vk is the `.verkey.bin` setup writes."""
    table = zisk_versioned(version)
    leaf, _ = _provers(table)
    assert bytes(leaf.program_id) == _standin_vk(table["leaf_elf"])
    proof = leaf.prove(fixture_env, [fixture_env.work_items()[0].block], tmp_path)
    assert proof.program_id == leaf.program_id


def test_aggregation_blob_word1_is_68(tmp_path, zisk_versioned, fixture_env, make_manifest):
    """Mismatch: child blob word 1 is 4 + 64 = 68; the guest verifier rejects 64.
    vks are pinned so that only the blob differs from what the old driver did."""
    leaf, agg = _provers(_pinned(zisk_versioned("0.18.0")))
    leaves = [leaf.prove(fixture_env, s.blocks, tmp_path / f"s{s.id}") for s in make_manifest(fixture_env, 2).shards]
    root = agg.aggregate(leaves, tmp_path / "agg")
    assert root.claim.unconditional


def test_1_0_proof_files_carry_hash_and_hash_mode(tmp_path, zisk_versioned, fixture_env):
    """Mismatch: 1.0-beta adds Vadcop{..., hash} and ProgramVK{vk, hash_mode} to the proof file."""
    leaf, _ = _provers(_pinned(zisk_versioned("1.0.0-beta")))
    proof = leaf.prove(fixture_env, [fixture_env.work_items()[0].block], tmp_path)
    assert b"Poseidon1" in proof.body and proof.body[-1] == 0  # hash String, hash_mode Poseidon1
    leaf.verify(proof)


def test_1_0_setup_is_cargo_zisk_setup(tmp_path, zisk_versioned):
    """Mismatch: on 1.0 the program setup is `cargo-zisk setup` (program-setup is dev-only)."""
    table = zisk_versioned("1.0.0-alpha")
    cache = tmp_path / "zisk-cache"
    leaf, _ = _provers(table)
    assert leaf.program_id
    names = [p.name for p in cache.glob("*.verkey.bin")]
    assert len(names) == 1 and names[0].endswith("_poseidon1_2_4.verkey.bin")


def test_1_0_proof_time_line(tmp_path, zisk_versioned, fixture_env):
    """Mismatch: 1.0 prints `Proof generated in {:.3}s, steps: N` (not `Proof Time: ... seconds`)."""
    leaf, _ = _provers(_pinned(zisk_versioned("1.0.0-beta")))
    proof = leaf.prove(fixture_env, [fixture_env.work_items()[0].block], tmp_path)
    assert proof.stats["seconds"] == 0.010 and proof.stats["steps"] > 0


@pytest.mark.parametrize("version", ["0.16.1", "0.17.0", "1.1.0-alpha", "1.3.0-alpha"])
def test_versions_without_a_table_are_refused(tmp_path, zisk_versioned, fixture_env, version):
    """Mismatch: major >= 1 was blanket-mapped to 1.0, and 0.16/0.17 were driven with
    their proof files unparsed (and `--gpu` passed to 0.16, which has none)."""
    leaf, _ = _provers({**_pinned(zisk_versioned(version)), "gpu": True})
    with pytest.raises(MissingRequirement, match=f"cargo-zisk {version} is not supported; supported: 0.18.x, 1.0.x"):
        leaf.prove(fixture_env, [fixture_env.work_items()[0].block], tmp_path)


def test_gpu_on_a_cpu_build_is_a_config_error(tmp_path, zisk_versioned, fixture_env):
    """`--gpu` is compiled out of cpu-only builds (`#[cfg(not(feature = "cpu-only"))]`)."""
    leaf, _ = _provers({**_pinned(zisk_versioned("0.18.0", "cpu")), "gpu": True})
    with pytest.raises(ConfigError, match="is a cpu build without --gpu"):
        leaf.prove(fixture_env, [fixture_env.work_items()[0].block], tmp_path)


def test_missing_vk_names_setup_and_pin(zisk_versioned, monkeypatch):
    """Setup wrote no .verkey.bin and there is no pin: one line naming both options."""
    leaf, _ = _provers(zisk_versioned("0.18.0"))
    monkeypatch.setenv("IX_STANDIN_ZISK_SETUP_WRITES", "0")
    with pytest.raises(IxError) as exc:
        _ = leaf.program_id
    msg = str(exc.value)
    assert "\n" not in msg and "cargo-zisk program-setup --elf" in msg and "pin plugins.zisk.leaf_vk" in msg


def test_blob_layout_word_values(tmp_path, zisk_versioned, fixture_env):
    """The stored child blob the aggregation guest gets: word 0 minimal, word 1 = 68."""
    leaf, agg = _provers(_pinned(zisk_versioned("0.18.0")))
    proof = leaf.prove(fixture_env, [fixture_env.work_items()[0].block], tmp_path)
    blob = agg._child_blob(proof, [bytes(leaf.program_id), _standin_vk(agg.toolchain.settings.agg_elf)], None, 0)
    assert struct.unpack_from("<2Q", blob) == (0, 68)
