"""`local`: a process pool on this machine (`--jobs N`, default: every core).

Workers are forked, so whatever the parent loaded before `map` (the environment, the
prover) is inherited instead of re-read. One job, or `jobs=1`, runs inline: no pool to
start, and a debugger sees the frames.

A worker that dies (the kernel's OOM killer, a SIGKILL) breaks the whole pool: the jobs
that had not finished are run again in a fresh pool, each at most `retries` more times;
then the run fails in one line naming them (exit 1). Results already handed back stay
handed back, so the pipeline keeps every leaf it banked. `timeout_s` bounds how long the
pool may go without finishing any job; with `heartbeat_s`, a progress line on stderr.
"""
from __future__ import annotations

import gc
import multiprocessing
import os
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Callable, Iterable, Iterator

from ..errors import IncompleteRun
from .watch import Watch


class LocalExecutor:
    name = "local"

    def __init__(self, jobs: int | None = None, retries: int = 2, timeout_s: float | None = None,
                 heartbeat_s: float | None = None):
        self.jobs = max(1, int(jobs or os.cpu_count() or 1))
        self.retries = retries
        self.timeout_s = timeout_s
        self.heartbeat_s = heartbeat_s

    def map(self, fn: Callable, jobs: Iterable) -> Iterator[tuple[object, object]]:
        jobs = list(jobs)
        if self.jobs == 1 or len(jobs) <= 1:
            for job in jobs:
                yield job, _call(fn, job)
            return
        watch = Watch(self.name, len(jobs), self.timeout_s, self.heartbeat_s)
        todo = list(range(len(jobs)))
        deaths = 0
        while todo:
            lost = yield from self._round(fn, jobs, todo, watch)
            if not lost:
                return
            deaths += 1
            if deaths > self.retries:
                raise watch.fail([jobs[i] for i in lost], f"a worker process died {deaths} time(s), e.g. killed for memory; retries = {self.retries}")
            todo = lost

    def _round(self, fn, jobs, todo, watch: Watch):
        """Run `todo` (indices) in one pool; returns the indices lost to a broken pool."""
        with frozen_for_fork():
            return (yield from self._run_pool(fn, jobs, todo, watch))

    def _run_pool(self, fn, jobs, todo, watch: Watch):
        ctx = multiprocessing.get_context("fork")
        pool = ProcessPoolExecutor(max_workers=min(self.jobs, len(todo)), mp_context=ctx)
        lost: list[int] = []
        try:
            pending = {pool.submit(fn, jobs[i]): i for i in todo}
            while pending:
                done, _ = wait(pending, timeout=watch.wait_s(), return_when=FIRST_COMPLETED)
                if not done:
                    watch.check([jobs[i] for i in pending.values()])
                    continue
                if any(isinstance(f.exception(), BrokenProcessPool) for f in done):
                    done = wait(pending)[0]  # a broken pool settles every future at once
                for fut in done:
                    i = pending.pop(fut)
                    exc = fut.exception()
                    if isinstance(exc, BrokenProcessPool):
                        lost.append(i)
                        continue
                    watch.finished()
                    yield jobs[i], exc if exc is not None else fut.result()
            return sorted(lost)
        except IncompleteRun:
            _kill_workers(pool)  # a job that hangs must not hold the shutdown below
            raise
        finally:
            # a caller that stops early (a rejected leaf) must not wait for queued jobs
            pool.shutdown(wait=True, cancel_futures=True)


@contextmanager
def frozen_for_fork():
    """Leave what forked workers inherit (the loaded env: millions of objects) out of the
    cyclic collector's walks while they run, so a collection in a worker does not write
    to, and so copy, every page of it. The parent's collector gets it back afterwards
    (unless someone else had frozen objects before)."""
    frozen = gc.get_freeze_count() == 0
    if frozen:
        gc.freeze()
    try:
        yield
    finally:
        if frozen:
            gc.unfreeze()


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    # ProcessPoolExecutor has no public terminate (3.11); its worker table is stable API in practice
    for proc in list(getattr(pool, "_processes", {}).values()):
        proc.kill()


def _call(fn: Callable, job):
    try:
        return fn(job)
    except Exception as exc:  # the caller decides what a failed job means
        return exc
