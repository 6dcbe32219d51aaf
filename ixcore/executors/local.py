"""`local`: a process pool on this machine (`--jobs N`, default: every core).

Workers are forked, so whatever the parent loaded before `map` (the environment, the
prover) is inherited instead of re-read. One job, or `jobs=1`, runs inline: no pool to
start, and a debugger sees the frames.
"""
from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Callable, Iterable, Iterator


class LocalExecutor:
    name = "local"

    def __init__(self, jobs: int | None = None):
        self.jobs = max(1, int(jobs or os.cpu_count() or 1))

    def map(self, fn: Callable, jobs: Iterable) -> Iterator[tuple[object, object]]:
        jobs = list(jobs)
        if self.jobs == 1 or len(jobs) <= 1:
            for job in jobs:
                yield job, _call(fn, job)
            return
        ctx = multiprocessing.get_context("fork")
        pool = ProcessPoolExecutor(max_workers=min(self.jobs, len(jobs)), mp_context=ctx)
        try:
            pending = {pool.submit(fn, job): job for job in jobs}
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    job = pending.pop(fut)
                    exc = fut.exception()
                    yield job, exc if exc is not None else fut.result()
        finally:
            # a caller that stops early (a rejected leaf) must not wait for queued jobs
            pool.shutdown(wait=True, cancel_futures=True)


def _call(fn: Callable, job):
    try:
        return fn(job)
    except Exception as exc:  # the caller decides what a failed job means
        return exc
