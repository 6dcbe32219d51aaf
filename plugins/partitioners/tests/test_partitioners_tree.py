"""The kway-quotient tree: quotient hypergraph, exact small bisections, the tree over a
finished k-way partition, per-level cuts, and the Mt-KaHyPar context ix builds."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from partitioner_testkit import leaves_are_contiguous_dfs, synthetic

from ixcore.errors import ConfigError
from ixcore.hypergraph import Hypergraph
from ixcore.manifest import Internal, Leaf
from ixcore.partition import exact_bisect, greedy_bisect, level_km1, partition_with_tree, tree_over_parts


def two_clusters() -> Hypergraph:
    """Vertices 0-3 and 4-7 tightly netted inside, one light net across."""
    nets = [[0, 1, 2], [1, 2, 3], [0, 3], [4, 5, 6], [5, 6, 7], [4, 7], [3, 4]]
    ptr = np.cumsum([0] + [len(n) for n in nets])
    weights = [10, 10, 10, 10, 10, 10, 1]
    order = [2, 6, 0, 5, 4, 1, 3, 7]  # shuffle the ids so a prefix split is wrong
    pins = np.array([order[p] for net in nets for p in net])
    return Hypergraph(np.ones(8, dtype=np.int64), ptr, pins, weights)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**31), st.integers(2, 9))
def test_quotient_km1_is_the_km1_of_every_grouping(seed, k):
    rng = np.random.default_rng(seed)
    hg = synthetic(200, rng.integers(1, 50, 200).astype(float), seed=seed % 1000)
    parts = rng.integers(0, k, hg.n)
    q = hg.quotient(parts, k)
    assert q.n == k and q.vertex_weights.sum() == pytest.approx(hg.vertex_weights.sum())
    assert q.km1(np.arange(k)) == hg.km1(parts)
    grouping = rng.integers(0, 2, k)
    assert q.km1(grouping) == hg.km1(grouping[parts])


def test_exact_bisect_finds_the_cluster_split_within_limits():
    hg = two_clusters()
    side = exact_bisect(hg, 4, 4, 0)
    left = set(np.flatnonzero(side == 0).tolist())
    assert left in ({2, 6, 0, 5}, {4, 1, 3, 7})
    assert exact_bisect(hg, 3, 3, 0) is None  # 8 unit vertices cannot fit 3 + 3


def test_tree_over_parts_keeps_the_partition_and_groups_sharing_shards():
    hg = two_clusters()
    parts = np.array([0, 1, 2, 3, 0, 1, 2, 3])  # shards {2,4} {5,6} ... interleave the clusters
    new, tree, _ = tree_over_parts(hg, parts, 4, greedy_bisect, 0)
    assert leaves_are_contiguous_dfs(tree) and isinstance(tree.left, Internal)
    assert len(set(zip(parts.tolist(), new.tolist()))) == 4  # a renumbering of the same shards
    assert hg.km1(new) == hg.km1(parts)
    levels = level_km1(hg, new, tree)
    assert levels[0] == 0 and levels[-1] == hg.km1(parts) and levels == sorted(levels)
    best_root = min(hg.km1(np.isin(parts, pair)) for pair in ([0, 1], [0, 2], [0, 3]))
    assert levels[1] == best_root  # the root split is the cheapest 2|2 grouping of the shards


def test_kway_errors_fall_back_to_bisection_and_empty_parts_are_filled():
    hg = synthetic(300, np.ones(300))

    def failing(*_):
        raise ValueError("library refused\nsecond line")

    parts, tree, stats = partition_with_tree(hg, 4, 0.05, 0, method="kway-quotient", bisect=greedy_bisect, kway=failing)
    assert stats["tree"] == "bisection" and stats["library_errors"][0] == "library refused"
    parts, tree, stats = partition_with_tree(hg, 3, 0.05, 0, method="kway-quotient", bisect=greedy_bisect, kway=lambda *_: np.zeros(300, dtype=np.int32))
    assert stats["tree"] == "kway-quotient" and sorted(np.unique(parts).tolist()) == [0, 1, 2]
    with pytest.raises(ValueError, match="unknown tree method"):
        partition_with_tree(hg, 3, 0.05, 0, method="agglomerative", bisect=greedy_bisect, kway=failing)


@pytest.mark.parametrize("name", ["mtkahypar", "kahypar"])
def test_both_tree_methods_meet_eps_with_dfs_leaves(host, n5000, name):
    results = {}
    for tree in ("kway-quotient", "bisection"):
        result = host.create("partitioner", name, {"tree": tree}).partition(n5000, 6, 0.05, 42)
        assert result.meta["tree"] == tree and result.meta["balance"] == "met"
        assert n5000.imbalance(result.parts, 6) <= 1.05 + 1e-9 and leaves_are_contiguous_dfs(result.tree)
        assert isinstance(result.tree.left, Internal) and result.tree.num_leaves == 6
        results[tree] = n5000.km1(result.parts)
    assert max(results.values()) < 1.5 * min(results.values())


def test_kway_quotient_is_the_same_on_one_and_two_threads(host, n5000):
    one = host.create("partitioner", "mtkahypar", {"threads": 1}).partition(n5000, 8, 0.05, 42)
    two = host.create("partitioner", "mtkahypar", {"threads": 2}).partition(n5000, 8, 0.05, 42)
    assert np.array_equal(one.parts, two.parts) and one.tree == two.tree


def test_stock_options_reproduce_the_compiled_deterministic_preset(n5000, tmp_path):
    """Our transcription of DETERMINISTIC, with Mt-KaHyPar's own c-t and Jet values, is
    the compiled preset: the same partition (run in-process on one thread)."""
    import mtkahypar  # a dependency of ix-partitioners, never skipped

    from ix_partitioners.library import pin_lists
    from ix_partitioners.mtkahypar_partitioner import deterministic_ini

    ini = tmp_path / "stock.ini"
    ini.write_text(deterministic_ini(160, tuning={}))
    mtk = mtkahypar.initialize(1)
    weights = np.maximum(1, (n5000.vertex_weights / 1e4).astype(np.int64)).tolist()
    found = []
    for ctx in (mtk.context_from_file(str(ini)), mtk.context_from_preset(mtkahypar.PresetType.DETERMINISTIC)):
        ctx.logging = False
        ctx.set_partitioning_parameters(4, 0.05, mtkahypar.Objective.KM1)
        hg = mtk.create_hypergraph(ctx, n5000.n, n5000.num_nets, pin_lists(n5000), weights, n5000.net_weights.tolist())
        found.append(np.asarray(hg.partition(ctx).get_partition()))
    assert np.array_equal(found[0], found[1])


@pytest.mark.parametrize("config,match", [
    ({"tree": "agglomerative"}, "unknown tree method"),
    ({"preset": "default", "contraction_limit": 40}, "only for presets deterministic"),
    ({"contraction_limit": 0}, "at least 1"),
])
def test_tree_and_contraction_options_are_validated(host, config, match):
    with pytest.raises(ConfigError, match=match):
        host.create("partitioner", "mtkahypar", config)


def test_leaf_only_tree_levels():
    hg = two_clusters()
    assert level_km1(hg, np.zeros(8, dtype=np.int64), Leaf(0)) == [0]
