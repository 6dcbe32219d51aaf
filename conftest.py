"""Shared pytest fixtures for ixcore and every plugin's tests."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent
SHARED = Path(os.environ.get("IX_SHARED_DIR", REPO.parent / "shared"))


def in_ci() -> bool:
    """CI sets CI=true (GitHub, GitLab and most runners do); there nothing may be skipped
    for a missing input, or a run that tested nothing would be green."""
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared (spec, golden files, lean exports): a fresh clone without it skips the
    golden/corpus tests with the reason; under CI=true its absence fails them."""
    if not SHARED.is_dir():
        why = f"{SHARED} is absent (a fresh clone has no ../shared; IX_SHARED_DIR overrides the path)"
        if in_ci():
            pytest.fail(f"CI=true: {why}; golden/corpus tests cannot run", pytrace=False)
        pytest.skip(f"{why}; golden/corpus test skipped")
    return SHARED


@pytest.fixture
def host():
    """A fresh plugin host with the installed entry points (no state shared across tests)."""
    from ixcore.plugins import PluginHost

    return PluginHost()


@pytest.fixture
def bare_host():
    """A fresh plugin host with only ixcore's built-ins (no entry-point autoload)."""
    from ixcore.plugins import PluginHost

    return PluginHost(autoload=False)


@pytest.fixture(scope="session", autouse=True)
def _private_user_dirs(tmp_path_factory):
    """What tests (and the CLI processes they start) would write into the user's home goes
    to session temp dirs instead: env index caches (never ~/.cache) and signing keys
    (ixcore.keys; never ~/.config/ix)."""
    private = {"IX_CACHE_DIR": "env-index-cache", "IX_KEY_DIR": "ix-keys"}
    old = {var: os.environ.get(var) for var in private}
    for var, name in private.items():
        os.environ[var] = str(tmp_path_factory.mktemp(name))
    yield
    for var, value in old.items():
        if value is None:
            os.environ.pop(var, None)
        else:
            os.environ[var] = value


class Ran:
    """What a user sees of one `ix` run: exit code, stdout, stderr."""

    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err

    @property
    def last_err_line(self) -> str:
        lines = [ln for ln in self.err.splitlines() if ln.strip()]
        return lines[-1] if lines else ""

    def __repr__(self) -> str:
        return f"Ran(code={self.code}, err={self.err[-500:]!r})"


def run_ix(*args) -> Ran:
    """`ix ARGS...` in-process through `ixcore.cli.main` (the real entry point, with its
    exit codes and one-line error handling): no interpreter start-up per run."""
    import contextlib
    import io

    from ixcore.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    return Ran(code, out.getvalue(), err.getvalue())


@pytest.fixture(scope="session")
def ix():
    """`run_ix` as a fixture, for tests in every distribution's test tree."""
    return run_ix
