"""Crash-safe file writes: temp file, fsync, rename, fsync the directory.

A reader therefore sees either no file or the complete file, never a prefix; a kill
at any moment leaves at most one stray temp file, which `gc` removes.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

import blake3

CHECKSUM_LEN = 32


def with_checksum(payload: bytes) -> bytes:
    """payload ‖ blake3(payload): the footer lets `verify` detect any bit flip."""
    return payload + blake3.blake3(payload).digest()


def split_checksum(data: bytes) -> tuple[bytes, bool]:
    """(payload, ok) for bytes written by `with_checksum`."""
    if len(data) < CHECKSUM_LEN:
        return data, False
    payload, footer = data[:-CHECKSUM_LEN], data[-CHECKSUM_LEN:]
    return payload, blake3.blake3(payload).digest() == footer


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes, tmp_dir: Path) -> None:
    """Write `data` to `path` so that it appears whole or not at all.

    The temp file lives in `tmp_dir` (same filesystem as `path`) so `gc` can find the
    leftovers of killed writers without guessing at names next to real files.
    """
    tmp = tmp_dir / f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)  # a full disk leaves no partial temp file behind
        raise
    os.close(fd)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
