"""Advisory store lock (flock): writers share it, gc and index rebuilds take it alone."""
from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def store_lock(path: Path, exclusive: bool):
    """Hold the lock file at `path`; released by the kernel if the process dies."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)
