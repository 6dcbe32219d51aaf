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
            job_of = dict(zip((f.key for f in futures), jobs))
            yield from self._collect(client, set(futures), job_of)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()

    def _collect(self, client, pending: set, job_of: dict) -> Iterator[tuple[object, object]]:
        """Yield results as they finish; each future is released once its result is
        fetched, so workers do not hold proofs the caller already has."""
        from dask.distributed import wait

        watch = Watch(self.name, len(pending), self.timeout_s, self.heartbeat_s or DEFAULT_HEARTBEAT_S)
        no_worker_limit = self.timeout_s if self.timeout_s is not None else NO_WORKER_GRACE_S
        no_worker_since = None
        while pending:
            try:
                done, pending = wait(list(pending), timeout=min(watch.wait_s(), POLL_S), return_when="FIRST_COMPLETED")
            except TimeoutError:
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
                continue
            for fut in done:
                watch.finished()
                job = job_of[fut.key]
                try:
                    result = fut.result()
                except Exception as exc:  # the task failed on every retry (KilledWorker included)
                    result = exc
                fut.release()
                yield job, result
