"""The fleet scheduler: dependencies, RAM, worker exclusivity, priorities, the critical
path, determinism, growth, and the k search on a real profile."""
from __future__ import annotations

import itertools
import time

import numpy as np
import pytest

from ixcore.choose_k import GRID_POINTS, REFINE_POINTS, MemoPartitioner, choose_shards, merge_runs
from ixcore.errors import InputError
from ixcore.fleet import fleet_from_table
from ixcore.gantt import plot_gantt
from ixcore.manifest import Internal, Leaf, balanced_agg_tree
from ixcore.schedule import simulate


def _fleet(*classes, **run):
    """Classes as (name, count, ram_gib, seconds per 1e6 units, aggregation s per child);
    native model, RAM 1 GiB per 1e6 units; no start-up or wave cost unless given in `run`."""
    zero = dict.fromkeys(("agg_per_unit_s", "start_base_s", "start_per_unit_s", "wave_s"), 0.0)
    return fleet_from_table({"workers": [
        {"name": n, "count": c, "ram_gib": r, "cost_model": "native", "time_base_s": 0.0, "time_per_unit_s": s,
         "ram_base_gib": 0.5, "ram_per_unit_gib": 1.0, "agg_base_s": 0.0, "agg_per_child_s": a, **zero, **run}
        for n, c, r, s, a in classes
    ]}, "test")


def _check_valid(sched):
    by_worker = {}
    for t in sched.tasks:
        assert t.finish >= t.start >= 0
        for c in t.children:
            assert t.start >= sched.tasks[c].finish - 1e-9, "an aggregation started before its child finished"
        by_worker.setdefault(t.worker, []).append((t.start, t.finish))
    for spans in by_worker.values():
        spans.sort()
        for (_, f0), (s1, _) in itertools.pairwise(spans):
            assert s1 >= f0 - 1e-9, "a worker ran two tasks at once"
    assert sched.makespan == max(t.finish for t in sched.tasks)


def test_lpt_on_identical_workers_without_aggregation_cost():
    fleet = _fleet(("w", 2, 100, 1.0, 0.0))
    costs = [np.array([4e6, 3e6, 3e6, 2e6])]
    sched = simulate(fleet, range(4), balanced_agg_tree(0, 4), costs, arity=4)
    _check_valid(sched)
    assert sched.makespan == pytest.approx(6.0)  # {4, 2} and {3, 3}: LPT is optimal here
    first = sorted(sched.tasks, key=lambda t: (t.start, t.worker))[:2]
    assert {t.shard for t in first} == {0, 1} or {t.shard for t in first} == {0, 2}  # heaviest first


def test_a_leaf_runs_only_where_its_ram_fits_and_a_shard_that_fits_nowhere_is_named():
    fleet = _fleet(("small", 3, 4, 1.0, 0.0), ("big", 1, 64, 1.0, 0.0))
    costs = [np.array([30e6, 1e6, 1e6, 1e6])] * 2
    sched = simulate(fleet, range(4), None, costs, arity=2)
    _check_valid(sched)
    leaf0 = sched.leaf_of_shard()[0]
    assert sched.workers[leaf0.worker][1] == "big-0" and leaf0.ram_gib == pytest.approx(30.5)
    for t in sched.tasks:
        if t.ram_gib is not None:
            cls = fleet.classes[sched.workers[t.worker][0]]
            assert t.ram_gib <= cls.usable_gib
    with pytest.raises(InputError, match="shard 2 \\(heavy\\) fits no worker class"):
        simulate(fleet, range(4), None, [np.array([1e6, 1e6, 90e6, 1e6])] * 2, 2, describe_shard=lambda s: "heavy")


def test_the_faster_class_takes_work_when_it_finishes_first():
    fleet = _fleet(("slow", 1, 64, 10.0, 0.0), ("fast", 1, 64, 1.0, 0.0))
    sched = simulate(fleet, range(3), None, [np.array([1e6] * 3)] * 2, arity=4)
    _check_valid(sched)
    # fast does 0-1, 1-2, 2-3; the slow worker would finish its first leaf only at 10
    assert sched.makespan == pytest.approx(3.0)
    assert all(sched.workers[t.worker][1] == "fast-0" for t in sched.tasks if t.kind == "leaf")


def test_critical_path_priority_beats_plain_lpt():
    # shard 0 sits under a deep chain of aggregations; shard 1 is heavier but alone under the root
    tree = Internal(Internal(Internal(Leaf(0), Leaf(2)), Leaf(3)), Leaf(1))
    fleet = _fleet(("w", 1, 64, 1.0, 1.0))
    sched = simulate(fleet, range(4), tree, [np.array([2e6, 3e6, 1e6, 1e6])], arity=2)
    _check_valid(sched)
    ranks = {t.shard: t.rank for t in sched.tasks if t.kind == "leaf"}
    assert ranks[0] > ranks[1]  # 2 + three aggregations of 2 s > 3 + one aggregation
    assert sched.leaf_of_shard()[0].start == 0


def test_the_critical_path_is_a_chain_from_time_zero_to_the_root():
    rng = np.random.default_rng(5)
    fleet = _fleet(("a", 3, 16, 1.0, 0.3), ("b", 2, 64, 0.5, 0.3))
    costs = [rng.uniform(0.5e6, 12e6, 40)] * 2
    sched = simulate(fleet, range(40), balanced_agg_tree(0, 40), costs, arity=4)
    _check_valid(sched)
    for fold in ("waves", "eager"):
        sched = simulate(fleet, range(40), balanced_agg_tree(0, 40), costs, arity=4, fold=fold)
        crit = sorted(sched.critical_path, key=lambda t: t.start)
        assert crit[-1].index == len(sched.tasks) - 1 and crit[-1].finish == sched.makespan
        assert crit[0].start == 0
        for a, b in itertools.pairwise(crit):
            assert b.start == pytest.approx(a.finish)  # no slack anywhere on the chain
        assert sched.tree_critical_seconds <= sched.makespan + 1e-9


def test_random_schedules_are_valid_and_deterministic():
    for seed in range(12):
        rng = np.random.default_rng(seed)
        k = int(rng.integers(1, 60))
        fleet = _fleet(("a", int(rng.integers(1, 4)), 20, 1.0, 0.1), ("b", int(rng.integers(1, 4)), 200, float(rng.uniform(0.2, 2)), 0.2))
        costs = [rng.uniform(1e5, 15e6, k)] * 2
        arity = int(rng.integers(2, 6))
        one = simulate(fleet, range(k), balanced_agg_tree(0, k), costs, arity=arity)
        _check_valid(one)
        assert one.to_json() == simulate(fleet, range(k), balanced_agg_tree(0, k), costs, arity=arity).to_json()
        # no schedule beats the busy time spread over every worker
        assert one.makespan >= sum(t.finish - t.start for t in one.tasks) / len(one.workers) - 1e-9
        s = one.summary()
        assert 0 <= s["idle_fraction"] < 1 and s["leaves"] == k


def test_scheduling_grows_n_log_n_not_quadratically():
    fleet = _fleet(("a", 24, 16, 1.0, 0.3), ("b", 24, 64, 0.5, 0.3), ("c", 16, 256, 0.25, 0.3))

    def run(k):
        costs = [np.random.default_rng(1).uniform(1e5, 50e6, k)] * 3
        t = time.perf_counter()
        simulate(fleet, range(k), balanced_agg_tree(0, k), costs, arity=4)
        return time.perf_counter() - t

    run(200)
    small, large = min(run(250) for _ in range(3)), min(run(2000) for _ in range(3))
    assert large / small < 8 * 4  # 8x the tasks; quadratic would be ~64x


def test_merge_runs_gives_balanced_contiguous_groups():
    tree = Internal(balanced_agg_tree(0, 8), balanced_agg_tree(8, 16))
    cost = np.ones(16)
    for k in (1, 2, 4, 16):
        group_of, merged = merge_runs(tree, cost, k)
        assert sorted(merged.leaves()) == list(range(k))
        assert np.bincount(group_of).tolist() == [16 // k] * k  # equal costs: equal runs
        assert np.all(np.diff(group_of) >= 0)  # runs follow the tree's DFS order
    # one fine shard heavier than a slice: fewer, still contiguous and dense, groups
    group_of, merged = merge_runs(balanced_agg_tree(0, 4), np.array([100.0, 1, 1, 1]), 4)
    assert sorted(set(group_of.tolist())) == list(range(merged.num_leaves)) and group_of[0] == 0 and merged.num_leaves < 4
    group_of, _ = merge_runs(Leaf(0), np.array([3.0]), 4)
    assert group_of.tolist() == [0]


def test_waves_fold_is_what_run_fold_does_and_eager_is_its_lower_bound():
    from ixcore.fold import Agg, plan_fold

    for seed in range(8):
        rng = np.random.default_rng(seed)
        k = int(rng.integers(2, 40))
        fleet = _fleet(("a", 2, 20, 1.0, 0.5), ("b", 1, 200, 0.5, 0.5), wave_s=0.25)
        costs = [rng.uniform(1e5, 15e6, k)] * 2
        waves = simulate(fleet, range(k), balanced_agg_tree(0, k), costs, arity=4)
        eager = simulate(fleet, range(k), balanced_agg_tree(0, k), costs, arity=4, fold="eager")
        _check_valid(waves)
        _check_valid(eager)
        assert eager.makespan <= waves.makespan + 1e-9
        # run_fold's depth levels: every aggregation of level d starts after all of level d-1
        # (level 0: the leaves), a level of 2+ aggregations a wave later
        ops = plan_fold(balanced_agg_tree(0, k), range(k), [], 4)
        depth = [0] * len(ops)
        for i, op in enumerate(ops):
            if isinstance(op, Agg):
                depth[i] = 1 + max(depth[c] for c in op.children)
        for d in range(1, max(depth) + 1):
            before = max(t.finish for t in waves.tasks if depth[t.index] == d - 1)
            level = [t for t in waves.tasks if depth[t.index] == d]
            gap = 0.25 if len(level) >= 2 else 0.0
            assert min(t.start for t in level) >= before + gap - 1e-9
    with pytest.raises(InputError, match="unknown fold order"):
        simulate(fleet, range(2), None, [np.ones(2)] * 2, arity=2, fold="lazy")


def test_workers_start_after_the_runs_start_up():
    fleet = _fleet(("w", 2, 100, 1.0, 0.0), start_base_s=0.5, start_per_unit_s=0.1)
    sched = simulate(fleet, range(2), None, [np.array([2e6, 2e6])], arity=2)
    # 0.5 + 0.1 s per 1e6 units of the whole run (4e6): both leaves start at 0.9
    assert [t.start for t in sched.tasks if t.kind == "leaf"] == pytest.approx([0.9, 0.9])
    assert sched.makespan == pytest.approx(2.9) and sched.critical_path[0].start == pytest.approx(0.9)


def test_gantt_chart_is_written(tmp_path):
    fleet = _fleet(("a", 2, 16, 1.0, 0.3), ("b", 1, 64, 0.5, 0.3))
    sched = simulate(fleet, range(9), balanced_agg_tree(0, 9), [np.linspace(1e6, 9e6, 9)] * 2, arity=4)
    plot_gantt(sched, tmp_path / "g.png", title="t")
    assert (tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_choose_k_on_a_golden_profile(shared_dir, host):
    from ixcore.formats.ixprof import read_ixprof

    profile = read_ixprof(shared_dir / "golden/ix/profiles/synth_n5000.v2.ixprof")
    fleet = fleet_from_table({"workers": [
        {"name": "big", "count": 2, "ram_gib": 512, "cost_model": "zisk-main"},
        {"name": "small", "count": 4, "ram_gib": 128, "cost_model": "zisk-main"},
    ]}, "test")
    part = MemoPartitioner(host.create("partitioner", "range", {}))
    choice = choose_shards(profile, part, fleet, arity=4)
    record = choice.record(fleet)
    assert record["chosen_k"] == choice.best.k and record["predicted_makespan_s"] == choice.best.makespan_s
    exact = [c for c in choice.candidates if c.method == "partitioner"]
    assert 1 <= choice.partitioner_calls == len(exact) <= 2  # proxies first, then the best for real
    assert len(choice.candidates) - len(exact) <= GRID_POINTS + REFINE_POINTS
    assert all(choice.best.makespan_s <= c.makespan_s for c in exact if c.makespan_s is not None)
    assert all(r["makespan_s"] >= choice.best.makespan_s for r in record["runners_up"])
    # a fleet whose largest class cannot hold the heaviest block: the error names the block
    tiny = fleet_from_table({"workers": [{"name": "t", "count": 2, "ram_gib": 40, "cost_model": "zisk-main"}]}, "test")
    with pytest.raises(InputError, match="alone needs .* GiB on t .*atomic floor"):
        choose_shards(profile, part, tiny, arity=4)


def test_memo_partitioner_calls_a_deterministic_partitioner_once(host):
    from ixcore.hypergraph import Hypergraph

    calls = []

    class Counting:
        name, version, deterministic = "count", "1", True

        def partition(self, hg, k, eps, seed):
            calls.append(k)
            return host.create("partitioner", "range", {}).partition(hg, k, eps, seed)

    hg = Hypergraph.from_edges(np.ones(10), np.array([1, 2]), np.array([0, 1]), np.full(10, 8))
    memo = MemoPartitioner(Counting())
    a, b = memo.partition(hg, 3, 0.05, 1), memo.partition(hg, 3, 0.05, 1)
    assert a is b and calls == [3]
    memo.partition(hg, 4, 0.05, 1)
    assert calls == [3, 4]


def test_cap_search_tries_each_class_cap(shared_dir, host):
    from ixcore.formats.ixprof import read_ixprof

    profile = read_ixprof(shared_dir / "golden/ix/profiles/synth_n5000.v2.ixprof")
    fleet = fleet_from_table({"workers": [
        {"name": "big", "count": 2, "ram_gib": 512, "cost_model": "zisk-main"},
        {"name": "small", "count": 4, "ram_gib": 128, "cost_model": "zisk-main"},
    ]}, "test")
    choice = choose_shards(profile, host.create("partitioner", "range", {}), fleet, arity=4, mode="pack")
    caps = {c.cap for c in choice.candidates}
    assert choice.search == "cap" and {cls.cap() for cls in fleet.classes} <= caps
    assert choice.best.cap in caps and choice.best.makespan_s == min(c.makespan_s for c in choice.candidates if c.makespan_s)
