"""Forged witnesses, unpinned programs, failed leaves, bad trees: each rejected clearly."""
from __future__ import annotations

import attrs
import pytest
from pipeline_doubles import ToyFormat, ToyLeafProver, toy_leaves, write_toy_env

from ix_native.provers import NativeAggProver
from ixcore.address import Address
from ixcore.errors import InputError, VerificationError
from ixcore.fold import Agg, NovelLeaf, StoredChild, discharge, plan_fold, run_fold
from ixcore.manifest import Internal, Leaf
from ixcore.merkle import merkle_root
from ixcore.verify import verify_root


@pytest.fixture
def leaves(tmp_path):
    return toy_leaves(tmp_path, 3)


def test_honest_fold_discharges_everything(leaves):
    env, m, ps = leaves
    agg = NativeAggProver(ToyLeafProver())
    root = agg.aggregate(ps)
    assert root.claim.subject_root == env.env_root() and root.assumptions == ()
    report = verify_root(root, leaf_id=agg.program_ids[0], agg_id=agg.agg_id, backend_check=agg.verify, env_root=env.env_root())
    assert report.ok, report.failures()


def test_forged_subject_list_is_rejected(leaves):
    _, _, ps = leaves
    forged = attrs.evolve(ps[1], subjects=ps[1].subjects[1:])
    with pytest.raises(VerificationError, match="forged witness"):
        NativeAggProver(ToyLeafProver()).aggregate([ps[0], forged])
    with pytest.raises(VerificationError, match="forged witness"):
        discharge([forged])


def test_hidden_assumption_is_rejected(leaves):
    _, _, ps = leaves
    assert ps[2].assumptions
    forged = attrs.evolve(ps[2], assumptions=())
    with pytest.raises(VerificationError, match="assumption list does not hash"):
        NativeAggProver(ToyLeafProver()).aggregate([forged])


def test_wrong_program_id_is_rejected(leaves):
    _, _, ps = leaves
    alien = attrs.evolve(ps[0], program_id=Address.hash(b"someone else's program"))
    with pytest.raises(VerificationError, match="is not pinned"):
        NativeAggProver(ToyLeafProver()).aggregate([alien, ps[1]])


def test_aggregate_from_another_tree_is_rejected(leaves):
    _, _, ps = leaves
    agg = NativeAggProver(ToyLeafProver())
    child = agg.aggregate(ps[:2])
    bad = attrs.evolve(child, claim=attrs.evolve(child.claim, vks_id=Address.hash(b"other pin")))
    with pytest.raises(VerificationError, match="vks_id"):
        agg.aggregate([bad, ps[2]])


def test_leaf_with_failures_is_rejected(tmp_path):
    env = ToyFormat().load(write_toy_env(tmp_path / "b.toy.json", 6, bad={2}))
    bad = ToyLeafProver().prove(env, [w.block for w in env.work_items()], tmp_path)
    assert bad.claim.failures == 1
    with pytest.raises(VerificationError, match="kernel failure"):
        NativeAggProver(ToyLeafProver()).aggregate([bad])


def test_tree_missing_a_shard_is_rejected(leaves):
    _, m, _ = leaves
    with pytest.raises(ValueError, match="shard 2 has blocks but is not a leaf"):
        attrs.evolve(m, tree=Internal(Leaf(0), Leaf(1)))
    with pytest.raises(InputError, match="does not contain every proven shard"):
        plan_fold(Internal(Leaf(0), Leaf(1)), [0, 1, 2], [], 4)


def test_duplicated_shard_is_rejected(leaves):
    _, m, _ = leaves
    with pytest.raises(ValueError, match="names a shard twice"):
        attrs.evolve(m, tree=Internal(Internal(Leaf(0), Leaf(1)), Internal(Leaf(1), Leaf(2))))
    twin = attrs.evolve(m.shards[2], blocks=m.shards[1].blocks)
    with pytest.raises(ValueError, match="listed twice"):
        attrs.evolve(m, shards=(m.shards[0], m.shards[1], twin))
    with pytest.raises(InputError, match="does not contain every proven shard"):
        plan_fold(Internal(Internal(Leaf(0), Leaf(1)), Internal(Leaf(1), Leaf(1))), [0, 1, 2], [], 4)


def test_root_of_partial_fold_fails_the_external_verifier(leaves):
    env, _, ps = leaves
    agg = NativeAggProver(ToyLeafProver())
    root = agg.aggregate(ps[:2])
    report = verify_root(root, leaf_id=agg.program_ids[0], agg_id=agg.agg_id, env_root=env.env_root(),
                         env_targets=[t for w in env.work_items() for t in w.proven_targets])
    assert not report.ok and "subject" in {c.name for c in report.failures()}


def test_plan_shape_every_stored_proof_is_aggregated():
    ops = plan_fold(None, [], [Address.hash(b"s")], 4)
    assert ops == [StoredChild(Address.hash(b"s")), Agg((0,))]
    ops = plan_fold(Internal(Internal(Leaf(0), Leaf(1)), Leaf(2)), [0, 1, 2], [Address.hash(b"s")], 2)
    assert isinstance(ops[-1], Agg) and sum(isinstance(o, NovelLeaf) for o in ops) == 3
    for i, op in enumerate(ops):
        if isinstance(op, Agg):
            assert 1 <= len(op.children) <= 2 and all(c < i for c in op.children)


def test_fold_result_is_independent_of_arity(leaves):
    _, m, ps = leaves
    agg = NativeAggProver(ToyLeafProver())
    roots = set()
    for arity in (2, 3, 4):
        ops = plan_fold(m.tree, [0, 1, 2], [], arity)
        res = run_fold(ops, dict(enumerate(ps)), {}, lambda cs: agg.aggregate(cs))
        roots.add((res.root.claim.subject_root, res.root.claim.assumptions_root))
    assert len(roots) == 1 and merkle_root(()) in {r[1] for r in roots}
