"""agg_plan and prune against every golden fold plan written by Ix's own code, plus the
manifest model's invariants."""
from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ixcore.address import Address
from ixcore.manifest import (
    FoldAgg,
    FoldLeaf,
    Internal,
    Leaf,
    ShardEntry,
    ShardManifest,
    agg_plan,
    balanced_agg_tree,
    fold_plan_to_json,
    tree_depth,
    tree_from_json,
    tree_to_json,
)


def test_every_golden_fold_plan(shared_dir):
    files = sorted((shared_dir / "golden/ix").glob("*/aggplans/*.json"))
    assert len(files) >= 100
    checked = 0
    for path in files:
        doc = json.loads(path.read_text())
        tree = tree_from_json(doc["tree"])
        assert tree_to_json(tree) == doc["tree"]
        for name, variant in doc["variants"].items():
            keep = variant["keep"]
            pruned = tree if keep is None else tree.prune(set(keep).__contains__)
            assert tree_to_json(pruned) == variant["pruned_tree"], (path.name, name)
            plan = None if pruned is None else agg_plan(pruned, doc["arity"])
            assert (None if plan is None else fold_plan_to_json(plan)) == variant["plan"], (path.name, name)
            assert sum(isinstance(op, FoldAgg) for op in plan or ()) == variant["num_agg"]
            checked += 1
    assert checked == 4 * len(files)


def test_plan_shape_properties():
    tree = balanced_agg_tree(0, 13)
    for arity in (2, 3, 4, 16):
        plan = agg_plan(tree, arity)
        aggs = [op for op in plan if isinstance(op, FoldAgg)]
        assert all(2 <= len(op.children) <= arity for op in aggs)
        assert sorted(op.shard for op in plan if isinstance(op, FoldLeaf)) == list(range(13))
        used = [c for op in aggs for c in op.children]
        assert sorted(used) == list(range(len(plan) - 1))  # every slot but the root feeds exactly one agg
        assert all(c < i for i, op in enumerate(plan) if isinstance(op, FoldAgg) for c in op.children)
    assert agg_plan(Leaf(3), 4) == [FoldLeaf(3)]
    assert agg_plan(tree, 1) == agg_plan(tree, 2)


def test_prune_collapses_single_children():
    tree = Internal(Internal(Leaf(0), Leaf(1)), Leaf(2))
    assert tree.prune(lambda i: i != 1) == Internal(Leaf(0), Leaf(2))
    assert tree.prune(lambda i: i == 2) == Leaf(2)
    assert tree.prune(lambda i: False) is None
    assert tree_depth(tree) == 2 and tree_depth(Leaf(0)) == 0


agg_trees = st.recursive(
    st.integers(0, 1000).map(Leaf), lambda sub: st.tuples(sub, sub).map(lambda lr: Internal(*lr)), max_leaves=40
)


@given(agg_trees)
def test_tree_json_round_trip(tree):
    assert tree_from_json(json.loads(json.dumps(tree_to_json(tree)))) == tree
    assert tree.num_leaves == len(list(tree.leaves())) and tree.min_leaf == next(tree.leaves())


def test_tree_json_rejects_malformed_nodes():
    for bad in ([1], [1, 2, 3], "x", True):
        with pytest.raises(ValueError):
            tree_from_json(bad)


A, B = Address(bytes([1]) * 32), Address(bytes([2]) * 32)


@pytest.mark.parametrize(
    "shards, total, tree, needle",
    [
        ([ShardEntry(1, 0, 0, 0, None, [A], [])], 0, None, "position 0 has id 1"),
        ([ShardEntry(0, 0, 0, 0, None, [A], []), ShardEntry(1, 0, 0, 0, None, [A], [])], 0, None, "listed twice"),
        ([ShardEntry(0, 0, 0, 5, None, [A], [])], 4, None, "differs from the shards' sum"),
        ([ShardEntry(0, 0, 0, 0, None, [A], []), ShardEntry(1, 0, 0, 0, None, [B], [])], 0, Leaf(0), "shard 1 has blocks"),
        ([ShardEntry(0, 0, 0, 0, None, [A], [])], 0, Internal(Leaf(0), Leaf(3)), "names shard 3"),
    ],
)
def test_manifest_invariants(shards, total, tree, needle):
    with pytest.raises(ValueError, match=needle):
        ShardManifest(total, shards, tree)


def test_shard_of_block():
    m = ShardManifest(0, [ShardEntry(0, 0, 0, 0, None, [A], []), ShardEntry(1, 0, 0, 0, None, [B], [])], balanced_agg_tree(0, 2))
    assert m.shard_of_block() == {A: 0, B: 1} and m.tree_covers_all_shards
