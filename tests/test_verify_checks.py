"""The external verifier, one check at a time: each condition broken alone fails exactly
its own check with its own words, and an honest root passes all of them.

Written against the mutants of ixcore/verify.py that survived (bench/mutation.py): half
of verify.py (the leaf-set verifier, the report's JSON and exception) ran in no test."""
from __future__ import annotations

import attrs
import pytest
from pipeline_doubles import ToyFormat, ToyLeafProver, range_manifest, write_toy_env

from ix_native.provers import NativeAggProver
from ixcore.address import Address
from ixcore.errors import InputError, VerificationError
from ixcore.merkle import merkle_root
from ixcore.verify import Check, VerifyReport, verify_leaf_set, verify_root, vks_id

NAMES = ["proof", "program id", "vks_id", "mode", "failures", "witness", "subject", "assumptions"]


@pytest.fixture
def chain(tmp_path):
    env = ToyFormat().load(write_toy_env(tmp_path / "e.toy.json", 12))
    m = range_manifest(env, 3)
    leaf = ToyLeafProver()
    leaves = [leaf.prove(env, list(s.blocks), tmp_path) for s in m.shards]
    agg = NativeAggProver(leaf)
    return env, leaves, agg, agg.aggregate(leaves)


def _verify(env, agg, root, **kw):
    kw.setdefault("env_root", env.env_root())
    return verify_root(root, leaf_id=agg.program_ids[0], agg_id=agg.agg_id, **kw)


def _failed(report):
    return [c.name for c in report.failures()]


def test_honest_root_passes_every_check_with_its_words(chain):
    env, _, agg, root = chain
    r = _verify(env, agg, root, backend_check=agg.verify)
    assert r.ok and [c.name for c in r.checks] == NAMES
    er = Address(env.env_root()).short()
    assert [c.detail for c in r.checks] == [
        "native agg proof verifies",
        f"root program {root.program_id.short()} (trusted agg {Address(agg.agg_id).short()})",
        f"root commits {root.claim.vks_id.short()}, trusted pin {vks_id(agg.program_ids[0], agg.agg_id).short()}",
        "mode 1 (an aggregate that discharged assumptions is mode 1)",
        "0 kernel failure(s)",
        "witness lists hash to the committed roots",
        f"subject = env root {er}",
        "none outstanding (unconditional)",
    ]
    assert r.to_json() == {"ok": True, "checks": [attrs.asdict(c) for c in r.checks]}
    r.raise_for_failure()


def test_no_backend_check_is_reported_as_such(chain):
    env, _, agg, root = chain
    assert _verify(env, agg, root).checks[0] == Check("proof", True, "no backend check requested")


def test_backend_rejection_fails_only_the_proof_check(chain):
    env, _, agg, root = chain

    def reject(_proof):
        raise InputError("body is not a record")

    r = _verify(env, agg, root, backend_check=reject)
    assert _failed(r) == ["proof"] and r.checks[0].detail == "body is not a record"
    assert r.checks[0].ok is False and r.to_json()["checks"][0]["ok"] is False


@pytest.mark.parametrize("field, value, name", [
    ("program_id", Address.hash(b"other agg"), "program id"),
])
def test_wrong_program_fails_only_its_check(chain, field, value, name):
    env, _, agg, root = chain
    assert _failed(_verify(env, agg, attrs.evolve(root, **{field: value}))) == [name]


@pytest.mark.parametrize("claim_field, value, name", [
    ("vks_id", Address.hash(b"other pin"), "vks_id"),
    ("mode", 0, "mode"),
    ("failures", 3, "failures"),
])
def test_wrong_claim_field_fails_only_its_check(chain, claim_field, value, name):
    env, _, agg, root = chain
    bad = attrs.evolve(root, claim=attrs.evolve(root.claim, **{claim_field: value}))
    r = _verify(env, agg, bad)
    assert _failed(r) == [name]
    if name == "failures":
        assert r.failures()[0].detail == "3 kernel failure(s)"


def test_forged_assumption_list_fails_the_witness_check(chain):
    env, _, agg, root = chain
    forged = attrs.evolve(root, assumptions=(Address.hash(b"hidden"),))
    r = _verify(env, agg, forged, require_unconditional=False)
    assert _failed(r) == ["witness"] and r.failures()[0].detail == "1 proof(s) with a forged witness list"


def test_forged_subject_list_fails_the_witness_check(chain):
    env, _, agg, root = chain
    forged = attrs.evolve(root, subjects=root.subjects[1:])
    assert "witness" in _failed(_verify(env, agg, forged))


def test_subject_against_env_targets(chain, tmp_path):
    env, leaves, agg, _ = chain
    targets = [t for w in env.work_items() for t in w.proven_targets]
    partial = agg.aggregate(leaves[:2])
    r = _verify(env, agg, partial, env_targets=targets, require_unconditional=False)
    missing = set(targets) - set(partial.subjects)
    assert _failed(r) == ["subject"]
    assert r.failures()[0].detail == f"{len(missing)} env target(s) not certified, e.g. {Address(min(missing))}"
    # a reused proof adds subjects beyond the env: still complete, the extras counted
    other = ToyFormat().load(write_toy_env(tmp_path / "other.toy.json", 1, prefix="d"))
    reused = ToyLeafProver().prove(other, [w.block for w in other.work_items()], tmp_path)
    bigger = agg.aggregate([*leaves, reused])
    r = _verify(env, agg, bigger, env_targets=targets)
    assert r.ok and [c.detail for c in r.checks if c.name == "subject"] == [
        "subject covers every env target plus 1 from reused proofs"]


def test_subject_without_targets_must_equal_the_env_root(chain):
    env, leaves, agg, _ = chain
    partial = agg.aggregate(leaves[:2])
    r = _verify(env, agg, partial, require_unconditional=False)
    assert _failed(r) == ["subject"] and r.failures()[0].ok is False
    assert r.failures()[0].detail == (
        f"subject {merkle_root(partial.subjects).short()} != env root {Address(env.env_root()).short()}")
    assert "subject" not in [c.name for c in _verify(env, agg, partial, env_root=None).checks]


def test_outstanding_assumptions_fail_only_when_unconditional_is_required(chain):
    env, leaves, agg, _ = chain
    conditional = agg.aggregate(leaves[1:])
    n = len(conditional.assumptions)
    assert n
    r = _verify(env, agg, conditional, env_root=None)
    assert _failed(r) == ["assumptions"] and r.failures()[0].detail == f"{n} outstanding assumption(s)"
    assert _verify(env, agg, conditional, env_root=None, require_unconditional=False).ok


def test_report_raises_every_failure_in_one_message():
    r = VerifyReport((Check("a", True, "fine"), Check("b", False, "bad b"), Check("c", False, "bad c")))
    assert not r.ok and r.to_json()["ok"] is False
    with pytest.raises(VerificationError, match=r"^b: bad b; c: bad c$"):
        r.raise_for_failure()


def test_leaf_set_without_aggregation(chain):
    env, leaves, agg, _ = chain
    leaf_id = agg.program_ids[0]
    r = verify_leaf_set(leaves, leaf_id=leaf_id, backend_check=ToyLeafProver().verify, env_root=env.env_root())
    assert r.ok, r.failures()
    assert [c.name for c in r.checks] == ["proof"] * 3 + ["program id", "failures", "witness", "subject", "assumptions"]
    assert r.checks[3].detail == f"0 of 3 proofs are not leaves of program {Address(leaf_id).short()}"
    # assumptions of one leaf discharged by another's subjects; what is left is outstanding
    r = verify_leaf_set(leaves[1:], leaf_id=leaf_id, env_root=None)
    assert _failed(r) == ["assumptions"]
    # an aggregate or another program's leaf in the set
    for alien in (agg.aggregate(leaves[:1]), attrs.evolve(leaves[0], program_id=Address.hash(b"x"))):
        r = verify_leaf_set([alien, *leaves[1:]], leaf_id=leaf_id, env_root=env.env_root())
        assert "program id" in _failed(r)
        assert r.checks[3].detail.startswith("1 of 3 proofs are not leaves")
    assert _failed(verify_leaf_set([], leaf_id=leaf_id)) == ["program id"]
    bad = attrs.evolve(leaves[0], claim=attrs.evolve(leaves[0].claim, failures=1))
    assert _failed(verify_leaf_set([bad, *leaves[1:]], leaf_id=leaf_id, env_root=env.env_root())) == ["failures"]
    # the backend check runs on every leaf: a body that does not carry its claim fails it
    tampered = attrs.evolve(leaves[1], body=b'{"claim": {}}')
    r = verify_leaf_set([leaves[0], tampered, leaves[2]], leaf_id=leaf_id, backend_check=ToyLeafProver().verify,
                        env_root=env.env_root())
    assert _failed(r) == ["proof"] and r.failures()[0].detail == "toy leaf: body does not carry the claim"


def test_leaf_set_with_a_reused_leaf_beyond_the_env(chain, tmp_path):
    env, leaves, agg, _ = chain
    other = ToyFormat().load(write_toy_env(tmp_path / "other.toy.json", 1, prefix="d"))
    reused = ToyLeafProver().prove(other, [w.block for w in other.work_items()], tmp_path)
    targets = [t for w in env.work_items() for t in w.proven_targets]
    r = verify_leaf_set([*leaves, reused], leaf_id=agg.program_ids[0], env_root=env.env_root(), env_targets=targets)
    assert r.ok, r.failures()
