"""`dask`: the same jobs on a dask.distributed cluster (imported only when chosen).

`scheduler` is the address of a running `dask-scheduler` (tcp://host:8786); without one
a LocalCluster of `workers` processes is started for the run. Failed tasks are retried
`retries` times (a worker that dies mid-task is rescheduled by dask itself), and results
are yielded as they arrive so the caller banks each proof at once.

With `hints` (a fleet schedule's `JobHint`s) each task carries its priority, and, when the
cluster's workers advertise a `ram_gib` resource (`dask worker --resources ram_gib=250`),
`resources={"ram_gib": predicted}` so no worker receives a leaf it cannot hold.
"""
from __future__ import annotations

from typing import Callable, Iterable, Iterator, Mapping


class DaskExecutor:
    name = "dask"
    takes_hints = True

    def __init__(self, scheduler: str | None = None, retries: int = 2, workers: int | None = None):
        self.scheduler = scheduler
        self.retries = retries
        self.workers = workers

    def map(self, fn: Callable, jobs: Iterable, hints: Mapping | None = None) -> Iterator[tuple[object, object]]:
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
            if hints:
                placement = task_placement(client, jobs, hints)
                futures = [client.submit(fn, job, retries=self.retries, pure=False, **placement[i]) for i, job in enumerate(jobs)]
            else:
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


def task_placement(client, jobs: list, hints: Mapping) -> list[dict]:
    """submit() keywords per job: priority always; resources only when some worker
    advertises `ram_gib` (a restriction no worker can meet would wait forever, so a job
    larger than every worker's `ram_gib` is an error here, before anything runs)."""
    from ..errors import ConfigError

    offered = [w.get("resources", {}).get("ram_gib") for w in client.scheduler_info().get("workers", {}).values()]
    offered = [float(r) for r in offered if r is not None]
    out = []
    for job in jobs:
        hint = hints.get(job)
        kw: dict = {}
        if hint is not None:
            kw["priority"] = int(hint.priority)
            if offered and hint.ram_gib is not None:
                if hint.ram_gib > max(offered):
                    raise ConfigError(
                        f"{job!r}: predicted {hint.ram_gib:.1f} GiB, but the largest dask worker offers ram_gib={max(offered):g}"
                    )
                kw["resources"] = {"ram_gib": float(hint.ram_gib)}
        out.append(kw)
    return out
