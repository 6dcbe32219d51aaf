"""Advisory store lock (flock): writers share it, gc and index rebuilds take it alone."""
from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def store_lock(path: Path, exclusive: bool, *, read_only: bool = False):
    """Hold the lock file at `path`; released by the kernel if the process dies. A
    read-only store (a mounted cache) takes a shared lock on the file if it exists and
    goes without when it does not: nobody can write through this mount anyway."""
    if read_only:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        except FileNotFoundError:
            yield
            return
    else:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)
