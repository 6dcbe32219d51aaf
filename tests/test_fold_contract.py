"""The fold's contract, checked from outside: plan shape, the discharge mirror catching a
lying aggregator, the no-aggregation path, waves handed to the executor, and messages.

Each test here killed a mutant of ixcore/fold.py that the other tests let survive
(bench/mutation.py, docs/testing.md)."""
from __future__ import annotations

import time

import attrs
import pytest
from pipeline_doubles import ToyLeafProver, toy_leaves

from ix_native.provers import NativeAggProver
from ixcore.address import Address
from ixcore.errors import InputError, VerificationError
from ixcore.fold import (
    Agg,
    NovelLeaf,
    StoredChild,
    check_coverage,
    plan_fold,
    run_fold,
    validate_manifest,
)
from ixcore.manifest import Internal, Leaf


@pytest.fixture
def leaves(tmp_path):
    return toy_leaves(tmp_path, 4)


def _check_tree_shape(ops):
    """Post-order: children before parents, every op but the root used exactly once."""
    used = [0] * len(ops)
    for i, op in enumerate(ops):
        if isinstance(op, Agg):
            assert op.children and all(c < i for c in op.children), (i, op)
            for c in op.children:
                used[c] += 1
    assert used[:-1] == [1] * (len(ops) - 1) and used[-1] == 0 and isinstance(ops[-1], Agg)


def test_default_tree_spans_every_proven_shard_even_with_gaps():
    ops = plan_fold(None, [2, 0], [], 2)
    assert sorted(op.shard for op in ops if isinstance(op, NovelLeaf)) == [0, 2]
    assert sum(isinstance(op, Agg) for op in ops) == 1  # two leaves, one aggregation, no extra root
    _check_tree_shape(ops)


def test_stored_proofs_join_the_planned_tree():
    s1, s2 = Address.hash(b"s1"), Address.hash(b"s2")
    ops = plan_fold(Internal(Leaf(0), Leaf(1)), [0, 1], [s1, s2], 2)
    assert [op.proof_id for op in ops if isinstance(op, StoredChild)] == [s1, s2]
    _check_tree_shape(ops)
    ops = plan_fold(None, [0], [s1, s2, Address.hash(b"s3")], 2)
    _check_tree_shape(ops)


def test_nothing_to_fold_is_an_input_error():
    with pytest.raises(InputError, match=r"^fold: nothing to fold \(no proven shard and no stored proof\)$"):
        plan_fold(None, [], [], 4)
    with pytest.raises(InputError, match=r"^fold: the aggregation tree does not contain every proven shard$"):
        plan_fold(Internal(Leaf(0), Leaf(1)), [0, 5], [], 4)


def test_manifest_broken_after_construction_is_caught_with_its_source(leaves):
    _, m, _ = leaves
    validate_manifest(m, "m.ixes")
    broken = attrs.evolve(m)
    object.__setattr__(broken, "shards", (m.shards[0], m.shards[0]))  # a hostile object, not a parsed file
    with pytest.raises(InputError, match=r"^m\.ixes: shard at position 1 has id 0$"):
        validate_manifest(broken, "m.ixes")
    with pytest.raises(InputError, match=r"^manifest: shard at position 1 has id 0$"):
        validate_manifest(broken)


def test_without_an_aggregator_only_the_discharge_is_computed(leaves):
    _, m, ps = leaves
    stored = {Address.hash(b"s"): ps[3]}
    ops = plan_fold(m.tree, [0, 1, 2], list(stored), 4)
    t0 = time.perf_counter()
    res = run_fold(ops, dict(enumerate(ps[:3])), stored, None)
    elapsed = time.perf_counter() - t0
    assert res.root is None and res.aggregated is False and res.aggregations == 0 and res.ops == tuple(ops)
    assert 0 <= res.seconds <= elapsed  # the fold's own clock, inside the call
    assert res.discharge.subjects == tuple(sorted({s for p in ps for s in p.subjects}))
    assert res.discharge.assumptions == ()


def test_aggregates_are_counted_and_returned_root_last(leaves):
    _, m, ps = leaves
    agg = NativeAggProver(ToyLeafProver(), arity=2)
    ops = plan_fold(m.tree, [0, 1, 2, 3], [], 2)
    t0 = time.perf_counter()
    res = run_fold(ops, dict(enumerate(ps)), {}, agg.aggregate)
    elapsed = time.perf_counter() - t0
    assert res.ops == tuple(ops) and 0 <= res.seconds <= elapsed
    n_agg = sum(isinstance(op, Agg) for op in ops)
    assert n_agg == 3 and res.aggregations == n_agg and res.aggregated
    assert len(res.aggregates) == n_agg and res.aggregates[-1] is res.root
    assert res.discharge.subjects == res.root.subjects


@pytest.mark.parametrize("lie", ["extra subject", "dropped assumption"])
def test_an_aggregator_whose_sets_differ_from_the_discharge_is_rejected(leaves, lie):
    _, _, ps = leaves
    agg = NativeAggProver(ToyLeafProver())
    partial = [ps[1], ps[2]]  # shard 1 and 2 assume blocks of shard 0: the root has assumptions

    def lying(children):
        p = agg.aggregate(children)
        if lie == "extra subject":
            return attrs.evolve(p, subjects=tuple(sorted(p.subjects + (Address.hash(b"never proven"),))))
        return attrs.evolve(p, assumptions=p.assumptions[1:])

    assert agg.aggregate(partial).assumptions
    ops = plan_fold(Internal(Leaf(1), Leaf(2)), [1, 2], [], 4)
    with pytest.raises(VerificationError, match=r"^aggregation 2: committed sets differ from the host discharge"):
        run_fold(ops, {1: ps[1], 2: ps[2]}, {}, lying)


class RecordingExecutor:
    """Runs jobs inline and records each batch it was handed."""

    def __init__(self):
        self.batches = []

    def map(self, fn, jobs):
        jobs = list(jobs)
        self.batches.append(len(jobs))
        for job in jobs:
            yield job, fn(job)


def test_a_wave_of_independent_aggregations_goes_to_the_executor(leaves):
    _, m, ps = leaves
    agg = NativeAggProver(ToyLeafProver(), arity=2)
    ex = RecordingExecutor()
    ops = plan_fold(m.tree, [0, 1, 2, 3], [], 2)
    res = run_fold(ops, dict(enumerate(ps)), {}, agg.aggregate, executor=ex)
    assert ex.batches == [2]  # the two depth-1 aggregations together; the root alone runs inline
    assert res.aggregations == 3


def test_forged_witness_messages_name_the_proof(leaves):
    from ixcore.fold import check_witnesses

    _, _, ps = leaves
    with pytest.raises(VerificationError, match=r"^native leaf proof: assumption list does not hash .*\(forged witness\)$"):
        check_witnesses(attrs.evolve(ps[2], assumptions=()))
    failed = attrs.evolve(ps[0], claim=attrs.evolve(ps[0].claim, failures=2))
    with pytest.raises(VerificationError, match=r"^native leaf proof: 2 kernel failure\(s\); a rejected leaf is never folded$"):
        check_witnesses(failed)


def test_coverage_lists_each_missing_target_and_counts_extras():
    a, b, c, d = (Address.hash(x) for x in (b"a", b"b", b"c", b"d"))
    cov = check_coverage([a, d], [a, b, c])
    assert cov.missing == tuple(sorted([b, c])) and all(isinstance(x, Address) for x in cov.missing)
    assert cov.extra == 1 and not cov.complete
    assert check_coverage([a, b], [b, a]).complete
