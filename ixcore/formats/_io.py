"""File access shared by the formats: bounded reads of regular files only (`ixcore.safeio`),
atomic replacement on write."""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from ..errors import InputError
from ..safeio import read_regular, read_text


def read_bytes(path: str | Path, kind: str) -> bytes:
    """The bytes of a `kind` file (see `safeio.LIMITS`); special files are refused."""
    return read_regular(path, kind)


def atomic_write(path: str | Path, data: bytes) -> None:
    """Write to a temporary file in the same directory, fsync, then rename over `path`,
    so a crash leaves either the old file or the new one, never a torn mix."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def sidecar_path(path: str | Path) -> Path:
    """`foo.ixprof` -> `foo.ixprof.json`: metadata the binary layout cannot hold."""
    path = Path(path)
    return path.with_name(path.name + ".json")


def read_sidecar(path: str | Path, kind: str) -> dict | None:
    """The JSON sidecar of `path` if it exists; its `format` field must equal `kind`."""
    side = sidecar_path(path)
    if not side.is_file():
        return None
    try:
        doc = json.loads(read_text(side, "report"))
    except (json.JSONDecodeError, RecursionError) as exc:
        raise InputError(f"{side}: not valid JSON: {exc}") from None
    if not isinstance(doc, dict) or doc.get("format") != kind:
        raise InputError(f"{side}: not an {kind} sidecar (its 'format' field is not {kind!r})")
    return doc


def write_sidecar(path: str | Path, kind: str, doc: dict) -> None:
    body = {"format": kind, **doc}
    atomic_write(sidecar_path(path), (json.dumps(body, indent=1, sort_keys=True) + "\n").encode())


def remove_sidecar(path: str | Path, kind: str) -> None:
    """Drop our own stale sidecar when the binary is replaced by one that needs none;
    a file of another kind at that name is left alone."""
    side = sidecar_path(path)
    if not side.is_file():
        return
    try:
        doc = json.loads(read_text(side, "report"))
    except (json.JSONDecodeError, RecursionError, InputError):
        return
    if isinstance(doc, dict) and doc.get("format") == kind:
        side.unlink()
