"""What can go wrong under a store, as one-line errors: a full disk, a read-only mount,
a damaged proof file, a corrupt index. I/O failures are never mistaken for corruption:
only SQLite's own corruption codes, confirmed by `PRAGMA integrity_check`, may cause the
index to be moved aside; a full disk leaves everything in place."""
from __future__ import annotations

import errno
import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path

from ..errors import InputError

#: SQLite result codes (extended names) that mean "the bytes are not a valid database".
_CORRUPT = ("SQLITE_CORRUPT", "SQLITE_NOTADB")
#: Head room asked for on top of what a write needs: WAL, shm and journal pages.
SQLITE_HEADROOM = 1 << 20

_NO_SPACE = (errno.ENOSPC, errno.EDQUOT)
_READ_ONLY = (errno.EROFS, errno.EACCES, errno.EPERM)


class StoreError(InputError):
    """The store cannot be used as asked (full disk, read-only, not a store); exit 2."""


class CorruptProof(InputError):
    """A stored proof file failed its checks; `pid` names it. The store has moved it to
    quarantine/ when it could, so proving that shard again repairs the store."""

    def __init__(self, message: str, pid, quarantined: bool):
        super().__init__(message)
        self.pid = pid
        self.quarantined = quarantined


def free_bytes(path: Path) -> int | None:
    try:
        st = os.statvfs(path)
    except OSError:
        return None
    return st.f_bavail * st.f_frsize


def is_corruption(exc: sqlite3.DatabaseError) -> bool:
    """SQLite says the file's bytes are bad (not that it could not read or write them)."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name:
        return name.startswith(_CORRUPT)
    return type(exc) is sqlite3.DatabaseError  # older sqlite3 modules: no code, plain DatabaseError


def integrity_ok(path: Path) -> bool | None:
    """True/False per `PRAGMA integrity_check`; None when the check itself hit an I/O error."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=60.0)
        try:
            rows = db.execute("PRAGMA integrity_check").fetchall()
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        return False if is_corruption(exc) else None
    return rows == [("ok",)]


@contextmanager
def translate_io(root: Path, action: str, need: int = 0):
    """Turn a full disk, a read-only file system or an I/O error under `root` into one
    StoreError naming the store, what was being done and the free space needed."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        if is_corruption(exc):
            raise
        raise _describe(root, action, need, _sqlite_errno(exc), str(exc)) from None
    except OSError as exc:
        if exc.errno not in _NO_SPACE + _READ_ONLY + (errno.EIO,):
            raise
        raise _describe(root, action, need, exc.errno, exc.strerror or str(exc)) from None


def _sqlite_errno(exc: sqlite3.DatabaseError) -> int:
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc)
    if name.startswith("SQLITE_FULL") or "disk is full" in text:
        return errno.ENOSPC
    if name.startswith(("SQLITE_READONLY", "SQLITE_PERM", "SQLITE_CANTOPEN")) or "readonly" in text:
        return errno.EROFS
    return errno.EIO


def _describe(root: Path, action: str, need: int, code: int, detail: str) -> StoreError:
    free = free_bytes(root)
    if code == errno.EIO and free is not None and free < need + SQLITE_HEADROOM:
        code = errno.ENOSPC  # SQLite reports a full disk under its shm/WAL as SQLITE_IOERR
    if code in _NO_SPACE:
        want = need + SQLITE_HEADROOM
        have = "unknown" if free is None else f"{free:,} bytes"
        return StoreError(
            f"store {root}: disk full while {action}: needs at least {want:,} bytes free, {have} free "
            f"(nothing stored was lost; free space and rerun)"
        )
    if code in _READ_ONLY:
        return StoreError(f"store {root}: read-only ({detail}) while {action}; this command writes to the store")
    return StoreError(f"store {root}: I/O error while {action} ({detail}); nothing was quarantined")
