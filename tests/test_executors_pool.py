"""Executors: results (or the job's exception) come back per job, as they finish."""
from __future__ import annotations

import os

import pytest

from ixcore.executors import LocalExecutor
from ixcore.pipeline import PlanSettings, prove_env

from pipeline_doubles import ToyFormat, backends, range_manifest, write_toy_env


def square_or_fail(x):
    if x == 3:
        raise ValueError("job 3 fails")
    return (x * x, os.getpid())


@pytest.mark.parametrize("jobs", [1, 2])
def test_local_returns_every_result_and_exceptions_as_values(jobs):
    out = dict(LocalExecutor(jobs).map(square_or_fail, range(6)))
    assert isinstance(out.pop(3), ValueError)
    assert {k: v[0] for k, v in out.items()} == {0: 0, 1: 1, 2: 4, 4: 16, 5: 25}
    if jobs == 2:
        assert all(pid != os.getpid() for _, pid in out.values())


def slow(x):
    import time

    time.sleep(0.3 if x else 0)
    return x


def test_stopping_early_does_not_wait_for_queued_jobs():
    import time

    it = LocalExecutor(2).map(slow, range(12))
    start = time.perf_counter()
    job, result = next(it)
    assert result == job
    it.close()
    assert time.perf_counter() - start < 1.5  # 12 jobs x 0.3 s on 2 workers would be 1.8 s


@pytest.fixture(scope="module")
def dask_cluster():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None)
    yield cluster
    cluster.close()


def test_dask_runs_the_pipeline_and_matches_local(dask_cluster, tmp_path):
    from ixcore.executors import DaskExecutor

    env_file = write_toy_env(tmp_path / "d.toy.json", 30)
    manifest = range_manifest(ToyFormat().load(env_file), 5)
    local = prove_env(env_file, backends(jobs=1), PlanSettings(jobs=1), manifest=manifest, workdir=tmp_path / "l")
    dask = prove_env(env_file, backends(executor=DaskExecutor(dask_cluster.scheduler_address, retries=1)),
                     PlanSettings(jobs=2), manifest=manifest, workdir=tmp_path / "d")
    assert dask.unconditional and dask.root.claim == local.root.claim


def test_dask_retries_a_flaky_task(dask_cluster, tmp_path):
    from ixcore.executors import DaskExecutor

    marker = tmp_path / "failed-once"
    results = dict(DaskExecutor(dask_cluster.scheduler_address, retries=2).map(FlakyOnce(str(marker)), [1, 2]))
    assert results == {1: 10, 2: 20}


class FlakyOnce:
    def __init__(self, marker):
        self.marker = marker

    def __call__(self, x):
        if x == 2 and not os.path.exists(self.marker):
            open(self.marker, "w").close()
            raise RuntimeError("worker hiccup")
        return 10 * x
