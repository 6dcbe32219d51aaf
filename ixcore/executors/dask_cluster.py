"""`dask`: the same jobs on a dask.distributed cluster (imported only when chosen).

`scheduler` is the address of a running `dask-scheduler` (tcp://host:8786); without one
a LocalCluster of `workers` processes is started for the run. Failed tasks are retried
`retries` times (a worker that dies mid-task is rescheduled by dask itself), and results
are yielded as they arrive so the caller banks each proof at once.
"""
from __future__ import annotations

from typing import Callable, Iterable, Iterator


class DaskExecutor:
    name = "dask"

    def __init__(self, scheduler: str | None = None, retries: int = 2, workers: int | None = None):
        self.scheduler = scheduler
        self.retries = retries
        self.workers = workers

    def map(self, fn: Callable, jobs: Iterable) -> Iterator[tuple[object, object]]:
        from dask.distributed import Client, LocalCluster, as_completed

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
            job_of = {f.key: job for f, job in zip(futures, jobs)}
            for fut in as_completed(futures):
                job = job_of[fut.key]
                try:
                    yield job, fut.result()
                except Exception as exc:  # the task failed on every retry
                    yield job, exc
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
