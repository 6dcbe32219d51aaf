"""plan(): byte-exact manifests, Ix's packing, sizing precedence, exclusion, edge cases,
and a third-party partitioner through the same path as the shipped ones."""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from ixcore.address import Address
from ixcore.costmodel import get_cost_model
from ixcore.errors import InputError
from ixcore.formats.ixes import dumps_ixes, loads_ixes
from ixcore.hypergraph import Hypergraph
from ixcore.manifest import Internal, Leaf
from ixcore.planning import build_manifest, greedy_pack, plan, predicted_costs
from ixcore.profile import Profile

REPO = Path(__file__).resolve().parents[1]


def _tree(t):
    return Leaf(t) if isinstance(t, int) else Internal(_tree(t[0]), _tree(t[1]))


@pytest.fixture(scope="module")
def golden(shared_dir):
    return shared_dir / "golden/ix"


@pytest.fixture(scope="module")
def n5000(golden):
    from ixcore.formats.ixprof import read_ixprof

    return read_ixprof(golden / "profiles/synth_n5000.v1.ixprof")


@pytest.fixture
def range_partitioner(host):
    return host.create("partitioner", "range", {})


def test_manifests_are_byte_identical_to_ix(golden):
    """Every golden run with a shipped assignment: same bytes as Ix's ShardManifest::build."""
    from ixcore.formats.ixprof import read_ixprof

    index = json.loads((golden / "index.json").read_text())
    checked = 0
    for case in index["cases"]:
        if case.get("rc") != 0 or not case.get("result"):
            continue
        result = json.loads((golden / case["result"]).read_text())
        if "shard_of" not in result or result["num_blocks"] > 5000:
            continue
        profile = read_ixprof(golden / "profiles" / result["profile"])
        manifest = build_manifest(profile, np.asarray(result["shard_of"]), result["num_shards"], _tree(result["tree"]))
        data = dumps_ixes(manifest, legacy_411=case["gen"] == "411")
        assert hashlib.sha256(data).hexdigest() == case["ixes_sha256"], case["result"]
        checked += 1
    assert checked > 60


@pytest.mark.parametrize("name", ["edge_n1.v1_capq4", "edge_n1.v2_capq16", "edge_zero.v1_capq4"])
def test_packing_in_id_order_matches_ix(golden, name):
    from ixcore.formats.ixprof import read_ixprof

    result = json.loads((golden / f"{'v411' if '.v1_' in name else 'main'}/results/{name}.json").read_text())
    profile = read_ixprof(golden / "profiles" / result["profile"])
    model = get_cost_model("zisk-411" if ".v1_" in name else "zisk-main")
    parts, facts = greedy_pack(profile, model.step_cost(profile), model, result["cap"], np.arange(profile.n))
    assert parts.tolist() == result["shard_of"]
    assert facts["infeasible_atomic_floor"] == result["plan"]["infeasible_atomic_floor"]


def test_packing_is_next_fit_under_the_cap(n5000):
    model = get_cost_model("zisk-411")
    cost = model.step_cost(n5000)
    cap = model.shard_floor + int(cost.sum()) // 10
    order = np.random.default_rng(1).permutation(n5000.n)
    parts, facts = greedy_pack(n5000, cost, model, cap, order)
    k = int(parts.max()) + 1
    predicted = predicted_costs(n5000, parts, k, cost, model)
    sizes = np.bincount(parts, minlength=k)
    assert all(p <= cap or s == 1 for p, s in zip(predicted, sizes))
    assert np.all(np.diff(parts[order]) >= 0)  # shards are consecutive runs of the order
    for s in range(k - 1):  # a shard closed only because the next block did not fit
        first_next = order[np.searchsorted(parts[order], s + 1)]
        trial = parts.copy()
        trial[first_next] = s
        assert predicted_costs(n5000, trial, k, cost, model)[s] > cap
    assert not facts["infeasible_atomic_floor"]
    assert k <= 12


def test_fixed_count_plan_summary_and_sidecar_fields(n5000, range_partitioner):
    result = plan(n5000, range_partitioner, get_cost_model("zisk-411"), shards=8)
    s = result.summary
    assert s["shards"] == 8 and s["blocks"] == 5000
    assert s["km1"] == result.manifest.total_cross_ingress == sum(e.cross_ingress for e in result.manifest.shards)
    assert s["km1"] == Hypergraph.from_profile(n5000, np.ones(n5000.n)).km1(_parts_of(result.manifest, n5000))
    assert s["predicted_ram_gib"]["max"] >= s["predicted_ram_gib"]["min"] > 0
    assert s["wall_seconds_estimate"]["seconds"] == pytest.approx(s["wall_seconds_estimate"]["sequential"])
    for key in ("partitioner", "partitioner_version", "seed", "eps", "k", "cost_model", "tool_version"):
        assert key in result.meta
    loads_ixes(dumps_ixes(result.manifest))


def test_more_shards_than_blocks_is_capped_with_a_warning(golden, range_partitioner):
    from ixcore.formats.ixprof import read_ixprof

    profile = read_ixprof(golden / "profiles/synth_n10.v1.ixprof")
    result = plan(profile, range_partitioner, get_cost_model("zisk-411"), shards=32)
    assert len(result.manifest.shards) == 10
    assert any("exceeds the 10 blocks" in w for w in result.warnings)


@pytest.mark.parametrize("profile_name", ["edge_n0.v1", "edge_n1.v1"])
@pytest.mark.parametrize("k", [2, 8])
def test_zero_or_one_block_gives_a_manifest_ix_main_can_read(golden, range_partitioner, profile_name, k):
    """Ix writes k shards under a one-leaf tree, which its own main reader rejects."""
    from ixcore.formats.ixprof import read_ixprof

    profile = read_ixprof(golden / f"profiles/{profile_name}.ixprof")
    result = plan(profile, range_partitioner, get_cost_model("zisk-411"), shards=k)
    manifest = loads_ixes(dumps_ixes(result.manifest))  # main's rules: tree leaves == shard ids
    assert len(manifest.shards) == 1 and manifest.tree == Leaf(0)
    assert sum(len(s.blocks) for s in manifest.shards) == profile.n


def test_excluded_blocks_are_not_planned_and_not_ingress(n5000, range_partitioner):
    covered = frozenset(n5000.addrs[::3])
    result = plan(n5000, range_partitioner, get_cost_model("zisk-411"), shards=4, exclude_blocks=covered)
    planned = {b for s in result.manifest.shards for b in s.blocks}
    foreign = {b for s in result.manifest.shards for b in s.foreign}
    assert planned == set(n5000.addrs) - covered
    assert not foreign & covered
    assert result.meta["excluded_blocks"] == len(covered)


def test_everything_covered_means_nothing_to_plan(n5000, range_partitioner):
    result = plan(n5000, range_partitioner, get_cost_model("zisk-411"), shards=4, exclude_blocks=frozenset(n5000.addrs))
    assert [len(s.blocks) for s in result.manifest.shards] == [0]
    assert any("nothing to plan" in w for w in result.warnings)


def test_iterative_mode_grows_k_until_shards_fit(n5000, range_partitioner):
    model = get_cost_model("zisk-411")
    cap = model.shard_floor + float(model.step_cost(n5000).sum()) / 6
    result = plan(n5000, range_partitioner, model, max_cost=cap, mode="iterative")
    s = result.summary
    assert s["predicted_cost"]["max"] <= cap or s["atomic_floor"]["reached"]
    assert result.summary["partitioner"]["rounds"] >= 1 and s["shards"] >= 6


def test_cap_mode_reports_blocks_over_the_cap(n5000, range_partitioner):
    model = get_cost_model("zisk-411")
    cost = model.step_cost(n5000)
    cap = model.shard_floor + float(np.sort(cost)[-2])  # only the largest block is over
    result = plan(n5000, range_partitioner, model, max_cost=cap)
    over = [b for b in result.summary["atomic_floor"]["blocks"] if b["over_cap"]]
    assert [b["address"] for b in over] == [str(n5000.addrs[int(np.argmax(cost))])]
    assert any("atomic floor" in w for w in result.warnings)


def test_ram_cap_overrides_cost_cap(n5000, range_partitioner):
    model = get_cost_model("zisk-411")
    result = plan(n5000, range_partitioner, model, max_cost=1e15, max_ram_gib=512)
    assert result.meta["cap"] == model.cap_for_ram(512)


@pytest.mark.parametrize("kwargs,match", [({"shards": 0}, "at least 1"), ({"shards": 2, "eps": 1.5}, "eps"), ({"mode": "best"}, "mode")])
def test_bad_arguments_are_input_errors(n5000, range_partitioner, kwargs, match):
    with pytest.raises(InputError, match=match):
        plan(n5000, range_partitioner, get_cost_model("zisk-411"), **kwargs)


def test_third_party_plugin_plans_through_the_same_path(n5000, bare_host, monkeypatch):
    monkeypatch.syspath_prepend(str(REPO / "examples/partitioner-plugin"))
    import ix_lpt_partitioner

    bare_host.register(ix_lpt_partitioner)
    partitioner = bare_host.create("partitioner", "lpt", {})
    result = plan(n5000, partitioner, get_cost_model("zisk-411"), shards=8)
    assert result.meta["partitioner"] == "lpt"
    assert len(result.manifest.shards) == 8 and result.summary["imbalance"] < 1.05
    loads_ixes(dumps_ixes(result.manifest))
    sys.modules.pop("ix_lpt_partitioner", None)


def _parts_of(manifest, profile: Profile) -> np.ndarray:
    index = profile.index()
    parts = np.zeros(profile.n, dtype=np.int64)
    for shard in manifest.shards:
        for b in shard.blocks:
            parts[index[Address(b)]] = shard.id
    return parts


def test_no_size_and_no_ram_model_plans_one_shard_per_core(n5000, range_partitioner):
    import os

    result = plan(n5000, range_partitioner, get_cost_model("native"))
    assert len(result.manifest.shards) == min(n5000.n, os.cpu_count() or 1)
    assert result.meta["sizing"].startswith("one shard per core") and not result.warnings


class _Careless:
    """Valid assignments, every block in shard 0 but k-1 of them: far beyond eps."""

    name, version, deterministic = "careless", "0", True

    def partition(self, hypergraph, k, eps, seed):
        from ixcore.manifest import balanced_agg_tree

        parts = np.zeros(hypergraph.n, dtype=np.int32)
        parts[: k - 1] = np.arange(1, k)
        from ixcore.partition import PartitionResult

        return PartitionResult(parts, k, balanced_agg_tree(0, k), {})


def test_balance_violation_warns_and_raises_when_strict():
    """The host enforces eps: a partitioner that misses it without an atomic-floor reason is
    a warning for `ix shard` and an error for `ix prove` (strict_balance)."""
    from ixcore.partition import PartitionError
    from ixcore.testing import synthetic_hypergraph

    hg = synthetic_hypergraph(64)
    profile = Profile.build(
        {Address.hash(b"%d" % i): {"heartbeats": int(w), "size": 10, "const_count": 1} for i, w in enumerate(hg.vertex_weights)}, {}
    )
    result = plan(profile, _Careless(), None, shards=4, eps=0.05)
    assert result.balance_violation and "missed eps" in result.balance_violation
    assert any("missed eps" in w for w in result.warnings)
    with pytest.raises(PartitionError, match="careless missed eps"):
        plan(profile, _Careless(), None, shards=4, eps=0.05, strict_balance=True)
