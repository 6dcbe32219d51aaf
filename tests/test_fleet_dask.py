"""Running a fleet schedule: Dask resources keep a leaf off workers that cannot hold it,
priorities order the work, and the run report sets predictions against measurements."""
from __future__ import annotations

import pytest
from pipeline_doubles import ToyFormat, backends, write_toy_env

from ixcore.errors import ConfigError
from ixcore.executors import JobHint
from ixcore.fleet import fleet_from_table
from ixcore.manifest import ShardEntry, ShardManifest, balanced_agg_tree
from ixcore.pipeline import PlanSettings, prove_env


def where_am_i(job):
    from distributed import get_worker

    return get_worker().name


@pytest.fixture(scope="module")
def two_ram_cluster():
    """Two single-thread workers that advertise different RAM, as `dask worker --resources` would."""
    distributed = pytest.importorskip("distributed")
    spec = {
        name: {"cls": distributed.Worker, "options": {"nthreads": 1, "resources": {"ram_gib": ram}}}
        for name, ram in (("small", 8), ("large", 64))
    }
    cluster = distributed.SpecCluster(workers=spec, scheduler={"cls": distributed.Scheduler, "options": {"dashboard_address": None}})
    yield cluster
    cluster.close()


def test_dask_sends_large_leaves_only_to_the_large_worker(two_ram_cluster):
    from ixcore.executors import DaskExecutor

    jobs = [f"leaf-{i}" for i in range(12)]
    # even leaves need 40 GiB: only "large" (64) holds them; odd ones need 2 GiB
    hints = {j: JobHint(priority=12 - i, ram_gib=40.0 if i % 2 == 0 else 2.0) for i, j in enumerate(jobs)}
    placed = dict(DaskExecutor(two_ram_cluster.scheduler_address, retries=0).map(where_am_i, jobs, hints=hints))
    assert set(placed) == set(jobs)
    assert all(placed[j] == "large" for i, j in enumerate(jobs) if i % 2 == 0)
    # the small ones can go anywhere, and with the large worker busy some run on "small"
    assert "small" in {placed[j] for i, j in enumerate(jobs) if i % 2}


def test_a_leaf_no_dask_worker_can_hold_is_refused_before_it_runs(two_ram_cluster):
    from ixcore.executors import DaskExecutor

    with pytest.raises(ConfigError, match="largest dask worker offers ram_gib=64"):
        list(DaskExecutor(two_ram_cluster.scheduler_address).map(where_am_i, ["huge"], hints={"huge": JobHint(1, 100.0)}))


def test_workers_without_a_ram_resource_still_run_hinted_jobs():
    distributed = pytest.importorskip("distributed")
    from ixcore.executors import DaskExecutor

    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        out = dict(DaskExecutor(cluster.scheduler_address).map(where_am_i, ["a", "b"], hints={"a": JobHint(2, 500.0), "b": JobHint(1, 1.0)}))
    assert set(out) == {"a", "b"}  # no worker advertises ram_gib: priorities only, nothing waits forever


class Recording:
    """An executor that records the order and hints it was given, and runs inline."""

    name = "recording"
    takes_hints = True

    def __init__(self):
        self.order, self.hints = [], None

    def map(self, fn, jobs, hints=None):
        self.hints = hints
        for job in jobs:
            self.order.append(job.shard)
            yield job, fn(job)


def _uneven_manifest(env, sizes):
    items = env.work_items()
    shards, start = [], 0
    for i, n in enumerate(sizes):
        chunk = items[start : start + n]
        start += n
        shards.append(ShardEntry(i, 1_000_000 * n, n, 0, None, tuple(w.block for w in chunk), ()))
    return ShardManifest(0, shards, balanced_agg_tree(0, len(sizes)))


def test_the_pipeline_runs_the_schedule_and_reports_predicted_against_measured(tmp_path):
    env_file = write_toy_env(tmp_path / "t.toy.json", 30)
    manifest = _uneven_manifest(ToyFormat().load(env_file), [3, 12, 5, 10])
    fleet = fleet_from_table({"workers": [
        {"name": "w", "count": 2, "ram_gib": 64, "cost_model": "native", "time_base_s": 0.01, "time_per_unit_s": 0.01,
         "ram_base_gib": 0.1, "ram_per_unit_gib": 0.1},
    ]}, "test")
    executor = Recording()
    b = backends(executor=executor)
    result = prove_env(env_file, b, PlanSettings(jobs=2, fleet=fleet), manifest=manifest, workdir=tmp_path / "w")
    assert result.unconditional
    assert executor.order == [1, 3, 2, 0]  # heaviest first: the schedule's start order (LPT on two workers)
    priorities = [executor.hints[j].priority for j in sorted(executor.hints, key=lambda j: executor.order.index(j.shard))]
    assert priorities == sorted(priorities, reverse=True)
    assert executor.hints[next(j for j in executor.hints if j.shard == 1)].ram_gib == pytest.approx(0.1 + 0.1 * 12)
    pred = result.prediction
    assert pred["makespan_predicted_s"] > 0 and pred["makespan_measured_s"] > 0
    assert sorted(r["shard"] for r in pred["leaves"]) == [0, 1, 2, 3]
    assert all(r["predicted_s"] == pytest.approx(0.01 + 0.01 * 1_000_000 * s / 1e6) for r, s in
               ((r, [3, 12, 5, 10][r["shard"]]) for r in pred["leaves"]))


def test_the_run_report_carries_the_prediction(tmp_path):
    from ixcore.report import write_run

    env_file = write_toy_env(tmp_path / "t.toy.json", 12)
    manifest = _uneven_manifest(ToyFormat().load(env_file), [4, 8])
    fleet = fleet_from_table({"workers": [
        {"name": "w", "count": 1, "ram_gib": 64, "cost_model": "native", "time_base_s": 0.0, "time_per_unit_s": 0.01},
    ]}, "test")
    result = prove_env(env_file, backends(), PlanSettings(jobs=1, fleet=fleet), manifest=manifest, workdir=tmp_path / "w")
    report = write_run(result, tmp_path / "run")
    assert report["prediction"]["leaves"] and report["files"]["prediction_plot"] == "prediction.png"
    assert (tmp_path / "run" / "prediction.png").read_bytes()[:4] == b"\x89PNG"
