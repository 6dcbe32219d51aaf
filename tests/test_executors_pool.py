"""Executors: results (or the job's exception) come back per job, as they finish."""
from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest
from pipeline_doubles import ToyFormat, backends, range_manifest, write_toy_env

from ixcore.executors import LocalExecutor, local
from ixcore.pipeline import PlanSettings, prove_env


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


_STARTED: Path | None = None
_RELEASE = None  # a fork-inherited multiprocessing.Event; jobs other than 0 wait on it


def wait_for_release(x):
    (_STARTED / str(x)).touch()
    if x:
        _RELEASE.wait()
    return x


def test_stopping_early_cancels_the_queued_jobs(tmp_path, monkeypatch):
    """Job 0 finishes, every other job blocks until the pool is asked to shut down, so
    which jobs ever start is decided by the executor, not by how fast the machine is."""
    global _STARTED, _RELEASE
    ctx = multiprocessing.get_context("fork")
    _STARTED, _RELEASE = tmp_path, ctx.Event()

    class PausedPool(local.ProcessPoolExecutor):
        def shutdown(self, wait=True, *, cancel_futures=False):
            # cancel first (as the executor asked), then let the running jobs finish
            super().shutdown(wait=False, cancel_futures=cancel_futures)
            _RELEASE.set()
            super().shutdown(wait=wait, cancel_futures=cancel_futures)

    monkeypatch.setattr(local, "ProcessPoolExecutor", PausedPool)
    it = LocalExecutor(2).map(wait_for_release, range(12))
    assert next(it) == (0, 0)
    it.close()
    started = sorted(int(f.name) for f in tmp_path.iterdir())
    # job 0, the 2 running, and the few the pool had already queued to its workers
    assert 0 in started and len(started) <= 6, started


@pytest.fixture(scope="module")
def dask_cluster():
    import distributed  # a test dependency (dask[distributed]), never skipped

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
