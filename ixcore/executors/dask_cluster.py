"""`dask`: the same jobs on a dask.distributed cluster (imported only when chosen).

`scheduler` is the address of a running `dask-scheduler` (tcp://host:8786); without one
a LocalCluster of `workers` processes is started for the run. Failed tasks are retried
`retries` times (a worker that dies mid-task is rescheduled by dask itself), and results
are yielded as they arrive so the caller banks each proof at once.

Dask waits forever for workers that never come back, so the run is watched (see
`watch`): it fails in one line naming the unfinished shards (exit 1) when the cluster
has had no worker for `timeout_s` (default 120 s), or when no job has finished for
`timeout_s` (only when set); a heartbeat line reports progress meanwhile. Leaves already
handed back stay banked, so the next run resumes.
"""
from __future__ import annotations

import time
from typing import Callable, Iterable, Iterator

from .watch import DEFAULT_HEARTBEAT_S, NO_WORKER_GRACE_S, Watch

#: Longest single wait for results, so a cluster that lost every worker is noticed.
POLL_S = 5.0


class DaskExecutor:
    name = "dask"

    def __init__(self, scheduler: str | None = None, retries: int = 2, workers: int | None = None,
                 timeout_s: float | None = None, heartbeat_s: float | None = None):
        self.scheduler = scheduler
        self.retries = retries
        self.workers = workers
        self.timeout_s = timeout_s
        self.heartbeat_s = heartbeat_s

    def map(self, fn: Callable, jobs: Iterable) -> Iterator[tuple[object, object]]:
        from dask.distributed import Client, LocalCluster

        jobs = list(jobs)
        if not jobs:
            return
        cluster = None
        if self.scheduler:
            client = Client(self.scheduler)
        else:
            cluster = LocalCluster(n_workers=self.workers, processes=True, dashboard_address=None)
            client = Client(cluster)
        try:
            futures = client.map(fn, jobs, retries=self.retries, pure=False)
            yield from self._collect(client, futures, dict(zip((f.key for f in futures), jobs)))
        finally:
            client.close()
            if cluster is not None:
                cluster.close()

    def _collect(self, client, futures, job_of: dict) -> Iterator[tuple[object, object]]:
        from dask.distributed import wait

        watch = Watch(self.name, len(futures), self.timeout_s, self.heartbeat_s or DEFAULT_HEARTBEAT_S)
        no_worker_limit = self.timeout_s if self.timeout_s is not None else NO_WORKER_GRACE_S
        no_worker_since = None
        pending = set(futures)

        def no_worker_check() -> None:
            nonlocal no_worker_since
            unfinished = [job_of[f.key] for f in pending]
            workers = len(client.nthreads())  # asks the scheduler (scheduler_info() is cached)
            if workers:
                no_worker_since = None
            else:
                no_worker_since = no_worker_since or time.monotonic()
                gone = time.monotonic() - no_worker_since
                if gone >= no_worker_limit:
                    raise watch.fail(unfinished, f"the cluster has had no worker for {gone:.0f} s") from None
            watch.check(unfinished, workers)

        while pending:
            try:
                done, pending = wait(list(pending), timeout=min(watch.wait_s(), POLL_S), return_when="FIRST_COMPLETED")
            except TimeoutError:
                no_worker_check()
                continue
            for fut in done:
                try:
                    result = fut.result(timeout=POLL_S)
                except TimeoutError:
                    # finished, but its result lived on a worker that has since left: dask
                    # recomputes it, so it is pending again (and may need a worker)
                    pending.add(fut)
                    no_worker_check()
                    continue
                except Exception as exc:  # the task failed on every retry (KilledWorker included)
                    watch.finished()
                    yield job_of[fut.key], exc
                    continue
                watch.finished()
                yield job_of[fut.key], result
