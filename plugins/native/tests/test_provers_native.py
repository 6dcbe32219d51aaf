"""Native leaf and aggregation provers: claim rules, record binding, re-execution, pinning.

The kernel seam is a test double here (a block is rejected iff the test env marks it
bad); the claim algebra, record and pins are the real native code."""
from __future__ import annotations

import sys
from pathlib import Path

import attrs
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "tests"))

from pipeline_doubles import ToyFormat, range_manifest, write_toy_env  # noqa: E402

from ix_native.provers import BlockVerdict, NativeAggProver, NativeLeafProver, kernel_version, program_id  # noqa: E402
from ixcore.errors import VerificationError  # noqa: E402
from ixcore.executors import LocalExecutor  # noqa: E402
from ixcore.pipeline import Backends, PlanSettings, prove_env  # noqa: E402
from ixcore.verify import verify_root  # noqa: E402


def fake_kernel(sub_env, blocks):
    return [BlockVerdict(b, not sub_env.blocks[b].get("bad"), "bad" if sub_env.blocks[b].get("bad") else "", 7) for b in blocks]


def leaf_prover():
    return NativeLeafProver(fake_kernel, ToyFormat().load, kver="test-kernel")


@pytest.fixture
def env(tmp_path):
    return ToyFormat().load(write_toy_env(tmp_path / "n.toy.json", 16, bad={9}))


def test_leaf_claim_rules(env, tmp_path):
    items = env.work_items()
    shard = [w.block for w in items[4:8]]
    proof = leaf_prover().prove(env, shard, tmp_path)
    assert list(proof.subjects) == sorted(shard)
    expected = sorted({r for b in shard for r in env.block_refs(b)} - set(shard))
    assert list(proof.assumptions) == expected
    assert proof.claim.checked == 4 and proof.stats["work"] == 28
    sub = (tmp_path / "sub-env").read_bytes()
    from ixcore.address import Address

    assert proof.claim.env_hash == Address.hash(sub)


def test_failures_are_counted_and_named(env, tmp_path):
    bad = [w.block for w in env.work_items() if w.names == ("c9",)]
    proof = leaf_prover().prove(env, bad, tmp_path)
    assert proof.claim.failures == 1 and proof.stats["failed"] == ["c9"]


def test_reexecution_confirms_and_detects_a_tampered_record(env, tmp_path):
    p = leaf_prover()
    shard = [w.block for w in env.work_items()[:5]]
    proof = p.prove(env, shard, tmp_path)
    p.verify(proof, reexecute=True, env=env)
    # same blocks, but the kernel now rejects c0: re-execution must disagree with the record
    changed = ToyFormat().load(write_toy_env(tmp_path / "t.toy.json", 16, bad={0, 9}))
    assert env.work_items()[0].block in changed.blocks
    shard0 = [w.block for w in env.work_items() if w.names == ("c0",)]
    proof0 = p.prove(env, shard0, tmp_path)
    with pytest.raises(VerificationError, match="re-execution gives a different claim"):
        p.verify(proof0, reexecute=True, env=changed)
    with pytest.raises(VerificationError, match="not a 'ix-native-leaf 1' record"):
        p.verify(attrs.evolve(proof, body=b"{}"))


def test_program_id_is_the_hash_of_role_and_kernel_version():
    """docs/proving.md: the program id is blake3 of the role's label and the kernel version."""
    import blake3

    assert bytes(program_id("leaf", "1.0+ab")) == blake3.blake3(b"ix-native leaf program\x001.0+ab").digest()
    assert program_id("leaf", "a") != program_id("leaf", "b") != program_id("agg", "b")


def test_kernel_version_changes_with_any_kernel_source_byte(tmp_path, monkeypatch):
    """A copy of the package: editing one kernel file gives a new version (so new program
    ids and no reuse of old proofs); editing a file outside the kernel does not."""
    import shutil
    from importlib.metadata import version

    from ix_native import provers

    pkg = tmp_path / "ix_native"
    shutil.copytree(Path(provers.__file__).parent, pkg, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(provers, "_PKG", pkg)
    base = kernel_version()
    assert base.startswith(version("ix-native") + "+") and len(base.split("+")[1]) == 16
    def_eq = pkg / "lean" / "def_eq.py"
    text = def_eq.read_text()
    def_eq.write_text(text + " ")
    changed = kernel_version()
    def_eq.write_text(text)
    assert changed != base and kernel_version() == base
    (pkg / "demo_env.py").write_text("# not part of the kernel\n")
    assert kernel_version() == base


def test_agg_pins_leaf_and_agg_ids(env, tmp_path):
    p = leaf_prover()
    agg = NativeAggProver(p, arity=2)
    assert agg.program_ids == (p.program_id, agg.agg_id)
    other_kernel = NativeLeafProver(fake_kernel, ToyFormat().load, kver="another-kernel")
    alien = other_kernel.prove(env, [env.work_items()[0].block], tmp_path)
    with pytest.raises(VerificationError, match="not pinned"):
        agg.aggregate([alien])
    with pytest.raises(VerificationError, match="exceeds arity"):
        agg.aggregate([alien] * 3)


def test_pipeline_with_native_leaf_proves_and_rejects(tmp_path):
    good = write_toy_env(tmp_path / "g.toy.json", 20)
    env = ToyFormat().load(good)
    p = leaf_prover()
    b = Backends(ToyFormat(), p, NativeAggProver(p), LocalExecutor(2))
    res = prove_env(good, b, PlanSettings(jobs=2), manifest=range_manifest(env, 3), workdir=tmp_path / "w")
    assert res.unconditional and res.root.claim.subject_root == env.env_root()
    agg = b.agg_prover
    assert verify_root(res.root, leaf_id=p.program_id, agg_id=agg.agg_id, backend_check=agg.verify,
                       env_root=env.env_root()).ok
    bad = write_toy_env(tmp_path / "b.toy.json", 20, bad={3})
    with pytest.raises(VerificationError, match="kernel rejected 1 item"):
        prove_env(bad, b, PlanSettings(), manifest=range_manifest(ToyFormat().load(bad), 3), workdir=tmp_path / "x")
