"""The shipped partitioners: eps on the FINAL shards, true bisection trees, adversarial
weights (atomic block, all equal, int32-overflowing sums), determinism, isolation."""
from __future__ import annotations

import numpy as np
import pytest
from partitioner_testkit import leaves_are_contiguous_dfs, synthetic

from ixcore.errors import ConfigError
from ixcore.manifest import Internal, Leaf
from ixcore.partition import PartitionError, balance_weights, int32_weights, run_isolated

LIBRARIES = ["mtkahypar", "kahypar"]


@pytest.mark.parametrize("name", LIBRARIES)
@pytest.mark.parametrize("k", [3, 8])
def test_eps_holds_on_final_shards_with_a_bisection_tree(host, n5000, name, k):
    partitioner = host.create("partitioner", name, {})
    result = partitioner.partition(n5000, k, 0.05, 42)
    assert n5000.imbalance(result.parts, k) <= 1.05 + 1e-9
    assert result.meta["balance"] == "met" and result.meta["partitioner"] == name
    assert sorted(result.tree.leaves()) == list(range(k)) and leaves_are_contiguous_dfs(result.tree)
    if k == 3:  # uneven: one leaf left, two right, as ⌊k/2⌋ | ⌈k/2⌉
        assert isinstance(result.tree.left, Leaf) and isinstance(result.tree.right, Internal)
    rng_parts = host.create("partitioner", "range", {}).partition(n5000, k, 0.05, 42).parts
    assert n5000.km1(result.parts) * 4 < n5000.km1(rng_parts)


def test_one_huge_block_is_reported_as_the_atomic_floor(host):
    weights = np.full(2000, 10.0)
    weights[7] = 10.0 * 2000  # half of everything in one block
    hg = synthetic(2000, weights)
    result = host.create("partitioner", "mtkahypar", {}).partition(hg, 8, 0.05, 1)
    assert result.meta["atomic_floor"] == [7]
    assert result.meta["balance"] == "met"  # met in balance weights: the block is one ideal shard
    assert np.sum(result.parts == result.parts[7]) < 40  # its shard takes little besides it


def test_all_equal_weights(host):
    hg = synthetic(3000, np.ones(3000))
    result = host.create("partitioner", "mtkahypar", {}).partition(hg, 32, 0.05, 1)
    assert hg.imbalance(result.parts, 32) <= 1.05


@pytest.mark.parametrize("name", LIBRARIES)
def test_int32_overflowing_weight_sums(host, name):
    rng = np.random.default_rng(5)
    weights = rng.lognormal(0, 2, 3000) * 1e12  # sum ~ 2e16, single weights beyond int32 too
    hg = synthetic(3000, weights)
    result = host.create("partitioner", name, {}).partition(hg, 4, 0.05, 1)
    assert hg.imbalance(result.parts, 4) <= 1.05 + 1e-9
    assert result.meta["library_errors"] == []


def test_int32_scaling_keeps_sums_in_range():
    w = np.array([3e18, 1.0, 0.0, 5e17])
    scaled = int32_weights(w)
    assert scaled.min() >= 1 and scaled.sum() < 2**31 - 1


def test_balance_weights_cap_is_a_fixed_point():
    bw, cap = balance_weights(np.array([90.0, 4, 3, 3]), 2)
    assert cap == pytest.approx(10.0) and bw.tolist() == [10, 4, 3, 3]
    assert balance_weights(np.zeros(3), 2)[0].tolist() == [1, 1, 1]


def test_deterministic_preset_repeats_exactly(host, n5000):
    partitioner = host.create("partitioner", "mtkahypar", {})
    assert partitioner.deterministic and partitioner.preset == "deterministic"
    first = partitioner.partition(n5000, 4, 0.05, 42)
    again = partitioner.partition(n5000, 4, 0.05, 42)
    assert np.array_equal(first.parts, again.parts) and first.tree == again.tree


def test_range_is_contiguous_and_non_empty(host, n5000):
    result = host.create("partitioner", "range", {}).partition(n5000, 32, 0.05, 0)
    assert np.all(np.diff(result.parts) >= 0) and len(np.unique(result.parts)) == 32


def test_more_shards_than_blocks_is_capped(host):
    hg = synthetic(5, np.arange(1.0, 6.0))
    result = host.create("partitioner", "mtkahypar", {}).partition(hg, 8, 0.05, 1)
    assert result.k == 5 and sorted(result.parts.tolist()) == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("config,match", [({"preset": "fastest"}, "unknown preset"), ({"thread": 2}, "unknown key")])
def test_config_is_validated(host, config, match):
    with pytest.raises(ConfigError, match=match):
        host.create("partitioner", "mtkahypar", config)


def test_worker_timeout_kills_the_child():
    with pytest.raises(PartitionError, match="no result within"):
        run_isolated("os:system", {"command": "sleep 30"}, timeout_s=1, label="sleeper")


def test_worker_failure_is_reported():
    with pytest.raises(PartitionError, match="No module named"):
        run_isolated("ix_no_such_module:f", {}, timeout_s=30, label="missing")
