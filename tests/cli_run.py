"""Run `ix` in-process through `ixcore.cli.main` (the real entry point: exit codes and the
one-line error handling included) and capture what a user would see."""
from __future__ import annotations

import contextlib
import io

import attrs

from ixcore.cli import main


@attrs.frozen
class Ran:
    code: int
    out: str
    err: str

    @property
    def last_err_line(self) -> str:
        lines = [ln for ln in self.err.splitlines() if ln.strip()]
        return lines[-1] if lines else ""


def ix(*args: str) -> Ran:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    return Ran(code, out.getvalue(), err.getvalue())
