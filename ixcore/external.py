"""Running external prover tools (cargo-zisk, ziskemu, sp1-host) with measurements.

Each run reports wall seconds and the child's own peak RSS (from `wait4`, so concurrent
runs do not pollute each other's numbers). A missing executable is MissingRequirement
(exit 3); a non-zero exit becomes the caller's decision, with the output tail kept.
"""
from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Sequence

import attrs

from .errors import MissingRequirement


@attrs.frozen
class ToolRun:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss_bytes: int

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def tail(self, n: int = 600) -> str:
        """The last `n` characters of stderr (else stdout), on one line, for error messages."""
        text = (self.stderr.strip() or self.stdout.strip())[-n:]
        return " | ".join(line for line in text.splitlines() if line.strip())


def run_tool(argv: Sequence[str], *, cwd: str | Path | None = None, env: dict | None = None,
             timeout_s: float | None = None) -> ToolRun:
    """Run to completion, capturing output; a timeout kills the child and counts as rc 124."""
    argv = tuple(str(a) for a in argv)
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        try:
            proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL, text=True)
        except FileNotFoundError:
            raise MissingRequirement(f"{argv[0]}: executable not found") from None
        except PermissionError:
            raise MissingRequirement(f"{argv[0]}: not executable") from None
        status, rusage, timed_out = _wait(proc, start, timeout_s)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        rc = 124 if timed_out else os.waitstatus_to_exitcode(status)
        return ToolRun(argv, rc, out.read(), err.read(), seconds, int(rusage.ru_maxrss) * 1024)


def _wait(proc: subprocess.Popen, start: float, timeout_s: float | None):
    """Reap the child with wait4 (its own rusage), polling so a timeout can kill it."""
    delay, timed_out = 0.001, False
    while True:
        pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)  # keep Popen from waiting again
            return status, rusage, timed_out
        if timeout_s is not None and not timed_out and time.perf_counter() - start > timeout_s:
            proc.kill()
            timed_out = True
        time.sleep(delay)
        delay = min(delay * 2, 0.05)
