"""Reusing a stored root whole (ixcore/reuse.py): a re-run of an env whose verified,
unconditional root is stored verifies that root instead of folding the leaves again, and
every stored root that is not exactly that (another env's, a forged child, a broken
signature, a conditional one) is turned away by name while the run takes the full path."""
from __future__ import annotations

import attrs
import pytest
from pipeline_doubles import ToyFormat, backends, write_toy_env

from ix_native import provers as native
from ixcore import proofio
from ixcore.address import ZERO
from ixcore.merkle import merkle_root
from ixcore.model import Claim
from ixcore.pipeline import PlanSettings, prove_env
from ixcore.store import FsStore


@pytest.fixture
def run(host, tmp_path):
    """prove_env of a toy env (planned by `range`, no manifest), the env passed in (a toy
    env has no indexed root of its own)."""
    partitioner = host.create("partitioner", "range", {})

    def go(env_file, store, tag="w", shards=3):
        b = attrs.evolve(backends(store=store), partitioner=partitioner, partitioner_name="range")
        env = ToyFormat().load(env_file)
        return prove_env(env_file, b, PlanSettings(shards=shards), workdir=tmp_path / tag, env=env)

    return go


@pytest.fixture
def env_file(tmp_path):
    return write_toy_env(tmp_path / "a.toy.json", 30)


def test_rerun_verifies_the_stored_root_instead_of_folding(run, env_file, tmp_path):
    store = FsStore(tmp_path / "st")
    first = run(env_file, store)
    assert first.unconditional and len(first.leaves) == 3
    assert store.with_roots(first.env_root, ZERO, "agg") == [proofio.proof_id(first.root)]  # banked
    again = run(env_file, FsStore(tmp_path / "st"), "w2")
    assert again.unconditional and again.root == first.root and again.fold.aggregations == 0
    assert not again.leaves and again.stored == (first.root,) and not again.warnings
    assert {"prove", "fold"}.isdisjoint(again.phases) and {"load", "store", "verify"} <= set(again.phases)
    checks = {c.name: c for c in again.verification.checks}
    assert checks["tree"].ok and "3 leaves" in checks["tree"].detail  # re-derived, not trusted
    assert {proofio.proof_id(p) for p in again.support} == {proofio.proof_id(p) for p in first.leaves}


def _only(store_dir, first, root):
    """A store holding the first run's leaves and `root` in place of its own root."""
    store = FsStore(store_dir)
    for leaf in first.leaves:
        store.put(leaf)
    store.put(root)
    return store


def _resigned(root, **record_changes):
    """`root` re-signed by this machine's (trusted) key with its record changed."""
    record = native._parse_record(root, native.AGG_RECORD)
    record.update(record_changes)
    return native.sign(root, record)


def _refused(res, pid) -> bool:
    return any(f"stored root {pid} of this env not reused" in w for w in res.warnings)


def _full_path_result(res, env_root) -> bool:
    return res.unconditional and res.root.claim.subject_root == env_root and res.fold.aggregations >= 1


def test_a_root_with_a_forged_child_is_refused(run, env_file, tmp_path):
    first = run(env_file, FsStore(tmp_path / "st"))
    other = run(write_toy_env(tmp_path / "b.toy.json", 30, prefix="o"), FsStore(tmp_path / "other"), "wo")
    children = native._parse_record(first.root, native.AGG_RECORD)["children"]
    forged = _resigned(first.root, children=children[:-1] + [str(proofio.proof_id(other.leaves[0]))])
    store = _only(tmp_path / "forged", first, forged)
    store.put(other.leaves[0])
    res = run(env_file, FsStore(tmp_path / "forged"), "w2")
    assert _refused(res, proofio.proof_id(forged)) and _full_path_result(res, first.env_root)
    assert res.root != forged


def test_a_root_whose_signature_fails_is_refused(run, env_file, tmp_path):
    first = run(env_file, FsStore(tmp_path / "st"))
    record = native._parse_record(first.root, native.AGG_RECORD)
    sig = record["signature"]
    record["signature"] = ("0" if sig[0] != "0" else "1") + sig[1:]
    broken = attrs.evolve(first.root, body=native._canonical(record))
    _only(tmp_path / "bad-sig", first, broken)
    res = run(env_file, FsStore(tmp_path / "bad-sig"), "w2")
    assert _refused(res, proofio.proof_id(broken)) and _full_path_result(res, first.env_root)
    assert any("signature does not verify" in w for w in res.warnings)


def test_a_stored_root_of_another_env_is_refused(run, env_file, tmp_path):
    """The index row of another env's root is edited to name this env's root: the proof
    read from its file commits its own subject, and the subject check refuses it."""
    first = run(env_file, FsStore(tmp_path / "st"))
    other_file = write_toy_env(tmp_path / "b.toy.json", 30, prefix="o")
    other = run(other_file, FsStore(tmp_path / "mixed"), "wo")
    store = FsStore(tmp_path / "mixed")
    pid = proofio.proof_id(other.root)
    store.index.db.execute("UPDATE proofs SET subject_root = ? WHERE id = ?", (str(first.env_root), str(pid)))
    assert store.with_roots(first.env_root, ZERO, "agg") == [pid]
    res = run(env_file, FsStore(tmp_path / "mixed"), "w2")
    assert _refused(res, pid) and _full_path_result(res, first.env_root) and res.root != other.root


def test_a_conditional_root_is_not_reused(run, env_file, tmp_path):
    """A root that still assumes something is no candidate; with its index row edited to
    say it assumes nothing, reading it shows the assumption and it is refused."""
    first = run(env_file, FsStore(tmp_path / "st"))
    assumed = (first.leaves[0].subjects[0],)
    claim = attrs.evolve(first.root.claim, assumptions_root=merkle_root(assumed))
    conditional = attrs.evolve(first.root, claim=claim, assumptions=assumed)
    conditional = _resigned(conditional, claim=claim.to_json())
    store = _only(tmp_path / "cond", first, conditional)
    pid = proofio.proof_id(conditional)
    assert store.with_roots(first.env_root, ZERO, "agg") == []
    store.index.db.execute("UPDATE proofs SET assumptions_root = ? WHERE id = ?", (str(ZERO), str(pid)))
    res = run(env_file, FsStore(tmp_path / "cond"), "w2")
    assert _refused(res, pid) and _full_path_result(res, first.env_root)
    assert any("outstanding assumption" in w for w in res.warnings)


def test_a_root_with_a_missing_child_is_refused(run, env_file, tmp_path):
    first = run(env_file, FsStore(tmp_path / "st"))
    store = FsStore(tmp_path / "gap")
    for leaf in first.leaves[1:]:
        store.put(leaf)
    store.put(first.root)
    res = run(env_file, FsStore(tmp_path / "gap"), "w2", shards=2)  # the 10 blocks of the missing leaf
    assert _refused(res, proofio.proof_id(first.root)) and any("is missing" in w for w in res.warnings)
    assert res.unconditional and len(res.leaves) >= 1  # the missing leaf's blocks proven again


def test_only_an_unconditional_root_of_exactly_the_env_is_banked(tmp_path):
    from ixcore.reuse import bank_root

    store = FsStore(tmp_path / "st")
    root = proofio.loads(proofio.encode(_agg_double()))
    bank_root(store, root, [root], root.claim.subject_root, folded=[])
    assert store.has(proofio.proof_id(root))
    other = FsStore(tmp_path / "other")
    bank_root(other, root, [root], ZERO, folded=[])  # a superset root: not this env's
    bank_root(other, root, [root], root.claim.subject_root, folded=[root])  # re-folded: already banked
    assert not other.has(proofio.proof_id(root))


def _agg_double():
    from ixcore.address import Address
    from ixcore.model import Proof

    subjects = (Address.hash(b"t"),)
    claim = Claim(ZERO, 0, merkle_root(subjects), ZERO, 1, mode=1)
    return Proof("native", "agg", Address.hash(b"agg"), claim, subjects, (), b"{}", "k")


def test_a_refused_candidate_is_named_when_a_good_root_is_reused(run, env_file, tmp_path):
    first = run(env_file, FsStore(tmp_path / "st"))
    record = native._parse_record(first.root, native.AGG_RECORD)
    good = proofio.proof_id(first.root)
    for digit in "0123456789abcdef":  # a broken signature whose id sorts first, so it is tried first
        record["signature"] = digit * 4 + record["signature"][4:]
        broken = attrs.evolve(first.root, body=native._canonical(record))
        if proofio.proof_id(broken) < good:
            break
    assert proofio.proof_id(broken) < good
    store = _only(tmp_path / "both", first, broken)
    store.put(first.root)
    assert store.with_roots(first.env_root, ZERO, "agg") == [proofio.proof_id(broken), good]
    res = run(env_file, FsStore(tmp_path / "both"), "w2")
    assert res.root == first.root and res.fold.aggregations == 0 and _refused(res, proofio.proof_id(broken))
