"""Executors never hang and never lose banked work: a worker killed (OOM) is retried,
a run with no progress or no workers fails in one line naming the unfinished shards
(exit 1), and the next run resumes from the leaves already banked."""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import attrs
import pytest
from pipeline_doubles import (
    ToyFormat,
    ToyLeafProver,
    backends,
    range_manifest,
    write_toy_env,
)

from ixcore.errors import IncompleteRun
from ixcore.executors import LocalExecutor
from ixcore.executors.watch import Watch
from ixcore.pipeline import PlanSettings, prove_env
from ixcore.store import FsStore


@attrs.frozen
class Job:
    shard: int


@attrs.frozen
class KillOnce:
    """Kills its own worker (as the OOM killer would) the first time it runs `victim`;
    with `always`, every time."""

    marker: str
    victim: int
    always: bool = False

    def __call__(self, job: Job):
        if job.shard == self.victim and (self.always or not os.path.exists(self.marker)):
            Path(self.marker).touch()
            os.kill(os.getpid(), signal.SIGKILL)
        return job.shard * 10


def test_local_worker_oom_killed_is_retried(tmp_path):
    out = list(LocalExecutor(2, retries=2).map(KillOnce(str(tmp_path / "m"), 3), [Job(i) for i in range(6)]))
    assert sorted((j.shard, r) for j, r in out) == [(i, i * 10) for i in range(6)]  # each exactly once


def test_local_worker_killed_every_time_fails_naming_the_shard(tmp_path):
    got = []
    with pytest.raises(IncompleteRun, match=r"local executor: \d+ of 6 job\(s\) did not finish \(a worker process died 2 time\(s\).*shards? .*3") as info:
        for job, _result in LocalExecutor(2, retries=1).map(KillOnce(str(tmp_path / "m"), 3, always=True), [Job(i) for i in range(6)]):
            got.append(job.shard)
    assert info.value.exit_code == 1 and 3 not in got


@attrs.frozen
class Hang:
    shard_to_hang: int

    def __call__(self, job: Job):
        if job.shard == self.shard_to_hang:
            time.sleep(600)
        return job.shard


def test_local_timeout_fails_instead_of_waiting_forever():
    start = time.monotonic()
    with pytest.raises(IncompleteRun, match=r"1 of 4 job\(s\) did not finish \(no job finished for \d+ s \(timeout_s = 1\)\): shard 2"):
        list(LocalExecutor(2, timeout_s=1).map(Hang(2), [Job(i) for i in range(4)]))
    assert time.monotonic() - start < 30  # the hung worker was killed, not waited for


def test_heartbeat_reports_progress():
    lines = []
    watch = Watch("local", 3, None, 0.01, echo=lines.append)
    watch.finished()
    time.sleep(0.02)
    watch.check([Job(1), Job(2)], workers=2)
    assert lines == [lines[0]] and lines[0].startswith("ix: local: 1/3 job(s) done, 2 worker(s); waiting on shards 1, 2")


@attrs.frozen
class HangingToyProver(ToyLeafProver):
    """The toy prover, but one block's shard never finishes."""

    hang_name: str = ""

    def prove(self, env, blocks, workdir):
        if any(env.name_of(b) == self.hang_name for b in blocks):
            time.sleep(600)
        return ToyLeafProver.prove(self, env, blocks, workdir)


def test_prove_times_out_keeps_banked_leaves_and_the_next_run_resumes(tmp_path):
    env_file = write_toy_env(tmp_path / "h.toy.json", 24)
    env = ToyFormat().load(env_file)
    m = range_manifest(env, 4)
    hang = next(w.names[0] for w in env.work_items() if w.block in m.shards[1].blocks)
    store = FsStore(tmp_path / "st")
    with pytest.raises(IncompleteRun, match="shard 1; finished results were kept"):
        prove_env(env_file, backends(store=store, jobs=2, leaf=HangingToyProver(hang), executor=LocalExecutor(2, timeout_s=2)),
                  PlanSettings(jobs=2), manifest=m, workdir=tmp_path / "w")
    assert len(FsStore(tmp_path / "st").entries()) == 3
    res = prove_env(env_file, backends(store=FsStore(tmp_path / "st"), jobs=2), PlanSettings(jobs=2), manifest=m,
                    workdir=tmp_path / "w")
    assert [s.status for s in res.shards] == ["reused", "proven", "reused", "reused"] and res.unconditional


# -- dask ----------------------------------------------------------------------------------------


@pytest.fixture
def process_cluster():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    yield cluster
    cluster.close()


def test_dask_one_worker_killed_still_recovers(process_cluster, tmp_path):
    from ixcore.executors import DaskExecutor

    fn = KillOnce(str(tmp_path / "m"), 2)
    out = dict(DaskExecutor(process_cluster.scheduler_address, retries=2, timeout_s=60).map(fn, [Job(i) for i in range(4)]))
    assert sorted((j.shard, r) for j, r in out.items()) == [(i, i * 10) for i in range(4)]
    assert (tmp_path / "m").exists()  # the worker really died once


def slow_unless_first(job: Job):
    if job.shard == 0:
        return 0
    time.sleep(30)
    return job.shard


def test_dask_every_worker_gone_fails_naming_unfinished_shards(process_cluster, tmp_path, monkeypatch):
    """No timeout_s set: the run still ends once the cluster has had no worker for the
    grace period (shortened here from 120 s)."""
    from ixcore.executors import DaskExecutor, dask_cluster

    monkeypatch.setattr(dask_cluster, "NO_WORKER_GRACE_S", 2.0)
    got = []
    with pytest.raises(IncompleteRun, match=r"dask executor: 3 of 4 job\(s\) did not finish \(the cluster has had no worker for \d+ s\): shards 1, 2, 3"):
        for job, result in DaskExecutor(process_cluster.scheduler_address, retries=0).map(
                slow_unless_first, [Job(i) for i in range(4)]):
            got.append((job.shard, result))
            process_cluster.scale(0)  # every worker gone mid-run (the first leaf is already in)
    assert got == [(0, 0)]
