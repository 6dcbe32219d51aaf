"""Hypergraph::from_profile semantics, km1, cut-net splitting, and Ix's own km1 numbers."""
from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ixcore.address import Address
from ixcore.hypergraph import Hypergraph
from ixcore.profile import Profile


def addr(i: int) -> Address:
    return Address(bytes([i]) * 32)


def small_profile() -> Profile:
    # consumers -> producers: 1->0, 2->0, 3->2, 3->1 ; block 4 isolated
    blocks = {addr(i): {"heartbeats": 10 * (i + 1), "size": 100 + i} for i in range(5)}
    edges = {addr(1): {addr(0)}, addr(2): {addr(0)}, addr(3): {addr(2), addr(1)}}
    return Profile.build(blocks, edges)


def test_nets_are_producers_with_home_pin_first():
    p = small_profile()
    hg = Hypergraph.from_profile(p, p.heartbeats)
    nets = [hg.pins[hg.ptr[e] : hg.ptr[e + 1]].tolist() for e in range(hg.num_nets)]
    assert nets == [[0, 1, 2], [1, 3], [2, 3]]  # one per producer, consumers ascending
    assert hg.net_weights.tolist() == [100, 101, 102]  # the producer's size
    assert hg.n == 5 and hg.num_pins == 7


def test_km1_counts_each_foreign_shard_once():
    p = small_profile()
    hg = Hypergraph.from_profile(p, p.heartbeats)
    assert hg.km1([0, 0, 0, 0, 0]) == 0
    assert hg.km1([0, 1, 2, 0, 0]) == 100 * 2 + 101 * 1 + 102 * 1
    assert hg.cut([0, 0, 1, 1, 1]) == 100 + 101


def test_induce_splits_cut_nets_and_drops_singletons():
    p = small_profile()
    hg = Hypergraph.from_profile(p, p.heartbeats)
    sub = hg.induce(np.array([0, 2, 3]))
    nets = sorted(sub.pins[sub.ptr[e] : sub.ptr[e + 1]].tolist() for e in range(sub.num_nets))
    assert nets == [[0, 1], [1, 2]]  # net of 0 keeps {0,2}; net of 1 lost its home; net of 2 keeps {2,3}
    assert sub.vertex_weights.tolist() == [10, 30, 40]


def test_imbalance_is_largest_over_mean():
    p = small_profile()
    hg = Hypergraph.from_profile(p, np.ones(5))
    assert hg.imbalance([0, 0, 0, 1, 1], 2) == pytest.approx(3 / 2.5)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 30).flatmap(lambda n: st.tuples(
    st.just(n),
    st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=80),
    st.lists(st.integers(0, 3), min_size=n, max_size=n),
)))
def test_km1_matches_a_direct_count(case):
    n, pairs, parts = case
    blocks = {addr(i): {"size": i + 1} for i in range(n)}
    edges: dict = {}
    for c, q in pairs:
        edges.setdefault(addr(c), set()).add(addr(q))
    p = Profile.build(blocks, edges)
    hg = Hypergraph.from_profile(p, np.ones(n))
    expected = 0
    for producer in range(n):
        consumers = [c for c in range(n) if producer in p.producers(c).tolist()]
        if consumers:
            expected += (producer + 1) * (len({parts[producer], *(parts[c] for c in consumers)}) - 1)
    assert hg.km1(parts) == expected


@pytest.mark.parametrize("label", ["k2", "k3", "k8", "k32", "capq16"])
def test_km1_equals_ix_on_its_own_partitions(shared_dir, label):
    from ixcore.costmodel import get_cost_model
    from ixcore.formats.ixprof import read_ixprof

    golden = shared_dir / "golden/ix"
    result = json.loads((golden / f"v411/results/synth_n5000.v1_{label}.json").read_text())
    profile = read_ixprof(golden / "profiles/synth_n5000.v1.ixprof")
    hg = Hypergraph.from_profile(profile, get_cost_model("zisk-411").step_cost(profile))
    assert hg.num_nets == result["num_nets"]
    assert hg.km1(result["shard_of"]) == result["km1"]
    assert hg.imbalance(result["shard_of"], result["num_shards"]) == pytest.approx(result["imbalance_cost"])
