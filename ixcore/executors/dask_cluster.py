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

With `hints` (a fleet schedule's `JobHint`s) each task carries its priority, and, when the
cluster's workers advertise a `ram_gib` resource (`dask worker --resources ram_gib=250`),
`resources={"ram_gib": predicted}` so no worker receives a leaf it cannot hold.
"""
from __future__ import annotations

import time
from typing import Callable, Iterable, Iterator, Mapping

from .watch import DEFAULT_HEARTBEAT_S, NO_WORKER_GRACE_S, Watch

#: Longest single wait for results, so a cluster that lost every worker is noticed.
POLL_S = 5.0


class DaskExecutor:
    name = "dask"
    takes_hints = True

    def __init__(self, scheduler: str | None = None, retries: int = 2, workers: int | None = None,
                 timeout_s: float | None = None, heartbeat_s: float | None = None):
        self.scheduler = scheduler
        self.retries = retries
        self.workers = workers
        self.timeout_s = timeout_s
        self.heartbeat_s = heartbeat_s

    def map(self, fn: Callable, jobs: Iterable, hints: Mapping | None = None) -> Iterator[tuple[object, object]]:
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
            if hints:
                placement = task_placement(client, jobs, hints)
                futures = [client.submit(fn, job, retries=self.retries, pure=False, **placement[i]) for i, job in enumerate(jobs)]
            else:
                futures = client.map(fn, jobs, retries=self.retries, pure=False)
            yield from self._collect(client, set(futures), {f.key: job for f, job in zip(futures, jobs)})
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
                    result = exc
                watch.finished()
                fut.release()
                yield job_of[fut.key], result


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
