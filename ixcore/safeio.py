"""Reading files ix did not make: regular files only, never more than a stated cap.

Every reader of an input (env exports, manifests, profiles, proofs, run reports, configs)
goes through here, so `/dev/zero`, a FIFO or `/proc/...` is refused in one line instead of
being read until memory runs out, and a file larger than its format can sensibly be is
refused before it is read. The cap is checked while reading, not from `st_size`
(files in /proc report size 0 and a file can grow under us).
"""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

from .errors import InputError

KIB, MIB, GIB = 1 << 10, 1 << 20, 1 << 30

#: Default caps per kind of file (bytes). Generous: they exist to bound memory, not to
#: police sizes; each is far above what ix writes for an env of a million constants.
LIMITS = {
    "config": 16 * MIB,
    "report": 256 * MIB,
    "manifest": 2 * GIB,
    "profile": 2 * GIB,
    "proof": 2 * GIB,
    "env": 16 * GIB,
    "table": 256 * MIB,
}

_KINDS = {
    stat.S_IFREG: "a regular file", stat.S_IFDIR: "a directory", stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
    stat.S_IFIFO: "a FIFO", stat.S_IFSOCK: "a socket", stat.S_IFLNK: "a symbolic link",
}


def describe_mode(mode: int) -> str:
    return _KINDS.get(stat.S_IFMT(mode), "not a regular file")


def open_regular(path: str | Path, *, nofollow: bool = False) -> BinaryIO:
    """A binary reader on `path`, which must be a regular file (with `nofollow`, not a
    symbolic link either). O_NONBLOCK keeps a FIFO from blocking the open itself."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | (os.O_NOFOLLOW if nofollow else 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise _open_error(path, exc, nofollow) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise InputError(f"{path}: not a regular file ({describe_mode(st.st_mode)})")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: str | Path, kind: str, *, limit: int | None = None, nofollow: bool = False) -> bytes:
    """All bytes of the regular file `path`, refusing more than `limit` (default: the
    cap for `kind`, one of LIMITS)."""
    cap = LIMITS[kind] if limit is None else limit
    with open_regular(path, nofollow=nofollow) as fh:
        try:
            data = _read_capped(fh, cap)
        except OSError as exc:
            raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    if len(data) > cap:
        raise InputError(f"{path}: larger than the {_size(cap)} allowed for a {kind} file; refusing to read it")
    return data


def _read_capped(fh: BinaryIO, cap: int) -> bytes:
    """At most cap + 1 bytes: one read sized by st_size (no copy for the usual case),
    then bounded chunks for files whose size is not known up front."""
    raw = fh.raw  # type: ignore[attr-defined]
    first = raw.read(min(cap + 1, max(os.fstat(raw.fileno()).st_size + 1, 64 * KIB)))
    if not first or len(first) > cap:
        return first
    chunks, total = [first], len(first)
    while total <= cap:
        chunk = raw.read(min(cap + 1 - total, MIB))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def read_text(path: str | Path, kind: str, *, limit: int | None = None) -> str:
    data = read_regular(path, kind, limit=limit)
    try:
        return data.decode()
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: offset {exc.start}: not UTF-8 text") from None


def _open_error(path, exc: OSError, nofollow: bool) -> InputError:
    if exc.errno == errno.ENOENT:
        return InputError(f"{path}: file not found")
    if exc.errno == errno.ELOOP and nofollow:
        return InputError(f"{path}: is a symbolic link; refusing to follow it")
    if exc.errno == errno.EISDIR:
        return InputError(f"{path}: is a directory, not a file")
    return InputError(f"{path}: cannot open ({exc.strerror})")


def _size(n: int) -> str:
    for unit, div in (("GiB", GIB), ("MiB", MIB), ("KiB", KIB)):
        if n >= div and n % div == 0:
            return f"{n // div} {unit}"
    return f"{n} bytes"
