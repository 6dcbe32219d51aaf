"""The executors' watchdog: a heartbeat line while jobs run, and a run that fails (one
line naming the unfinished jobs, exit 1) instead of waiting forever when nothing
finishes for `timeout_s` or the workers are gone for good."""
from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence

from ..errors import IncompleteRun

#: How long a dask run may have no worker at all before it fails, when no timeout is set.
NO_WORKER_GRACE_S = 120.0
DEFAULT_HEARTBEAT_S = 60.0


def job_label(job) -> str:
    shard = getattr(job, "shard", None)
    return f"shard {shard}" if shard is not None else f"job {job!r}"[:60]


def describe(jobs: Sequence, limit: int = 20) -> str:
    """`shards 3, 5, 7` (or job reprs), at most `limit` named."""
    shards = [getattr(j, "shard", None) for j in jobs]
    known = [s for s in shards if s is not None]
    if len(known) == len(shards):
        named = ", ".join(str(s) for s in sorted(known)[:limit])
        head = f"shard{'s' if len(jobs) > 1 else ''} {named}"
    else:
        head = ", ".join(job_label(j) for j in jobs[:limit])
    return head + (f" and {len(jobs) - limit} more" if len(jobs) > limit else "")


class Watch:
    """Tracks progress of one `map`: call `finished()` per result and `check(unfinished)`
    whenever a wait for results returns empty-handed."""

    def __init__(self, executor: str, total: int, timeout_s: float | None, heartbeat_s: float | None,
                 echo: Callable[[str], None] | None = None):
        """`heartbeat_s=None`: no heartbeat lines (the checks still run that often)."""
        self.executor = executor
        self.total = total
        self.timeout_s = timeout_s
        self.beats = heartbeat_s is not None
        self.heartbeat_s = heartbeat_s or DEFAULT_HEARTBEAT_S
        self.echo = echo or _stderr
        self.done = 0
        self.last_progress = self.last_beat = time.monotonic()

    def finished(self) -> None:
        self.done += 1
        self.last_progress = time.monotonic()

    def wait_s(self) -> float:
        """How long the next wait for a result may block before `check` must run."""
        now = time.monotonic()
        waits = [self.last_beat + self.heartbeat_s - now]
        if self.timeout_s is not None:
            waits.append(self.last_progress + self.timeout_s - now)
        return max(0.05, min(waits))

    def check(self, unfinished: Sequence, workers: int | None = None) -> None:
        """Raise IncompleteRun after `timeout_s` without progress; print the heartbeat."""
        now = time.monotonic()
        idle = now - self.last_progress
        if self.timeout_s is not None and idle >= self.timeout_s:
            raise self.fail(unfinished, f"no job finished for {idle:.0f} s (timeout_s = {self.timeout_s:g})")
        if now - self.last_beat >= self.heartbeat_s:
            self.last_beat = now
            if not self.beats:
                return
            crew = f", {workers} worker(s)" if workers is not None else ""
            self.echo(f"ix: {self.executor}: {self.done}/{self.total} job(s) done{crew}; "
                      f"waiting on {describe(list(unfinished), 8)}; last finished {idle:.0f} s ago")

    def fail(self, unfinished: Sequence, reason: str) -> IncompleteRun:
        return IncompleteRun(
            f"{self.executor} executor: {len(unfinished)} of {self.total} job(s) did not finish ({reason}): "
            f"{describe(list(unfinished))}; finished results were kept (banked leaves stay in the store), rerun to resume"
        )


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
