"""A content-keyed cache of what the pipeline needs from an `ndjson` env, minus the expressions.

`ix prove` on an env whose every shard is already stored proves nothing, yet a cold load
parses the whole export and recomputes every block address. The `EnvIndex` keeps exactly
what the pipeline reads when nothing is proven (per block: address, member names, size,
referenced blocks; the dependency order; the env root), so a fully reused re-run skips
the parse. The expressions stay in the file and are loaded on first real use.

Keying: blake3 of the file's bytes plus the *encoding version*, a digest of the sources
that define grouping, records and addresses (a changed file or encoding never reuses an
index). File layout, all integers little-endian:

    MAGIC (8 bytes) | format version (u32) | MAC (32 bytes) | env root (32 bytes)
    | block count (u32) | payload (JSON)

The root and the block count sit in the header, so a run that needs nothing else (a
stored root for this env, `ixcore.reuse`) reads them without decoding the payload
(`IndexCache.summary`); the payload repeats both and a mismatch voids the entry.

The cache is a speed-up, never an authority: whoever can write the cache directory must
not decide an env root. MAC = keyed blake3, under a key derived from this machine's
signing key (`ixcore.keys`), over the cache key (the source file's hash), the header's
root and block count and the payload, so only this user's ix processes can write an entry that is used, and an
entry is bound to the file it was made from. The payload repeats the key; a cache file
whose magic, version, MAC or key does not match is ignored and rewritten. `ix verify`
never reads the cache (`NdjsonFormat.load(trust=False)`). Writes are atomic.
`IX_NO_ENV_CACHE=1` disables the cache; the directory is `$IX_CACHE_DIR`, else
`$XDG_CACHE_HOME/ix/env-index`, else `~/.cache/ix/env-index`.
"""
from __future__ import annotations

import functools
import hmac
import os
import struct
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import blake3

from ixcore.address import Address

if TYPE_CHECKING:
    import numpy as np

MAGIC = b"IXENVIDX"
FORMAT_VERSION = 3
_MAC_PURPOSE = "ix-native env-index cache MAC"
_HEADER = struct.Struct("<8sI32s32sI")
_SUMMARY = struct.Struct("<32sI")  # the header fields after the MAC, which it covers

# Modules whose code decides what a block is and what its address is.
_ENCODING_SOURCES = ("address.py", "env.py", "env_index.py", "lean/export.py", "lean/expr.py",
                     "lean/level.py", "lean/name.py")


class CorruptIndex(ValueError):
    """A cache file that is not a valid index for the requested key."""


@attrs.frozen(eq=False)
class EnvIndex:
    """Per block, in the env's block order: address, member names (canonical member
    order), size in bytes, indices of the blocks it references; plus the dependency
    order of block indices and the env root."""

    addrs: tuple[Address, ...]
    names: tuple[tuple[str, ...], ...]
    sizes: np.ndarray
    deps: tuple[tuple[int, ...], ...]
    order: tuple[int, ...]
    root: Address

    def same_content(self, other: "EnvIndex") -> bool:
        import numpy as np

        return (self.root == other.root and self.addrs == other.addrs and self.names == other.names
                and self.deps == other.deps and self.order == other.order
                and np.array_equal(self.sizes, other.sizes))

    def to_bytes(self, key: str, secret: bytes) -> bytes:
        import orjson

        payload = orjson.dumps({
            "key": key,
            "root": self.root.hex(),
            "addrs": b"".join(self.addrs).hex(),
            "names": self.names,
            "sizes": self.sizes.tolist(),
            "deps": self.deps,
            "order": self.order,
        })
        summary = _SUMMARY.pack(self.root, len(self.addrs))
        return _HEADER.pack(MAGIC, FORMAT_VERSION, _mac(secret, key, summary + payload), self.root, len(self.addrs)) + payload

    @classmethod
    def from_bytes(cls, data: bytes, key: str, secret: bytes) -> "EnvIndex":
        import numpy as np
        import orjson

        root, blocks = authenticated_summary(data, key, secret)
        payload = data[_HEADER.size:]
        try:
            obj = orjson.loads(payload)
            if obj["key"] != key:
                raise CorruptIndex("key mismatch")
            raw = bytes.fromhex(obj["addrs"])
            n = len(obj["names"])
            if len(raw) != 32 * n or len(obj["sizes"]) != n or len(obj["deps"]) != n or sorted(obj["order"]) != list(range(n)):
                raise CorruptIndex("inconsistent block counts")
            if n != blocks or obj["root"] != root.hex():
                raise CorruptIndex("header and payload disagree")
            return cls(
                addrs=tuple(Address(raw[i : i + 32]) for i in range(0, len(raw), 32)),
                names=tuple(tuple(ns) for ns in obj["names"]),
                sizes=np.asarray(obj["sizes"], dtype=np.int64),
                deps=tuple(tuple(ds) for ds in obj["deps"]),
                order=tuple(obj["order"]),
                root=Address(bytes.fromhex(obj["root"])),
            )
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, CorruptIndex):
                raise
            raise CorruptIndex(f"malformed payload ({exc})") from None


def authenticated_summary(data: bytes, key: str, secret: bytes) -> tuple[Address, int]:
    """(env root, block count) from a cache file's header once its MAC verifies over the
    header fields and the whole payload for `key`; CorruptIndex otherwise."""
    if len(data) < _HEADER.size:
        raise CorruptIndex("truncated header")
    magic, version, tag, root, blocks = _HEADER.unpack_from(data)
    if magic != MAGIC or version != FORMAT_VERSION:
        raise CorruptIndex(f"not an env index of format {FORMAT_VERSION}")
    signed = data[_HEADER.size - _SUMMARY.size:]
    if not hmac.compare_digest(_mac(secret, key, signed), tag):
        raise CorruptIndex("not authenticated by this machine's key, or not for this file")
    return Address(root), blocks


def _mac(secret: bytes, key: str, payload: bytes) -> bytes:
    h = blake3.blake3(key=secret)
    h.update(key.encode() + b"\0")
    h.update(payload)
    return h.digest()


def mac_key() -> bytes | None:
    """The cache MAC key, derived from this machine's signing key; None when the key
    cannot be had (then the cache is neither read nor written)."""
    from ixcore.errors import IxError
    from ixcore.keys import local_key

    try:
        return local_key().derive(_MAC_PURPOSE)
    except IxError:
        return None


@functools.cache
def encoding_version() -> str:
    """Digest of the sources that define blocks and their addresses, plus the format."""
    pkg = Path(__file__).parent
    h = blake3.blake3(f"ix-native env index v{FORMAT_VERSION}\0".encode())
    for rel in _ENCODING_SOURCES:
        p = pkg / rel
        h.update(rel.encode() + b"\0")
        h.update(p.read_bytes() if p.is_file() else b"")
    return h.hexdigest()


def cache_key(path) -> str:
    """blake3 over the env file's bytes and the encoding version. Single-threaded on
    purpose: a multi-threaded hasher leaves a thread pool behind that deadlocks blake3 in
    the workers the executors fork."""
    h = blake3.blake3()
    h.update(encoding_version().encode() + b"\0")
    h.update_mmap(str(path))
    return h.hexdigest()


def cache_dir() -> Path | None:
    """Where indexes live, or None when `IX_NO_ENV_CACHE` disables the cache."""
    if os.environ.get("IX_NO_ENV_CACHE", "") not in ("", "0"):
        return None
    if os.environ.get("IX_CACHE_DIR"):
        return Path(os.environ["IX_CACHE_DIR"])
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "ix" / "env-index"


@attrs.frozen
class IndexCache:
    """One cache entry: the file an index for `key` lives in."""

    directory: Path
    key: str

    @classmethod
    def for_env(cls, path) -> "IndexCache | None":
        d = cache_dir()
        return None if d is None else cls(d, cache_key(path))

    @property
    def file(self) -> Path:
        return self.directory / f"{self.key}.idx"

    def load(self) -> EnvIndex | None:
        """The stored index, or None when absent or not authentic (then it is removed)."""
        return self._authentic(EnvIndex.from_bytes)

    def summary(self) -> tuple[Address, int] | None:
        """(env root, block count) of the stored index without decoding its payload, or
        None when absent or not authentic (then it is removed)."""
        return self._authentic(authenticated_summary)

    def _authentic(self, decode):
        secret = mac_key()
        if secret is None:
            return None
        try:
            data = self.file.read_bytes()
        except OSError:
            return None
        try:
            return decode(data, self.key, secret)
        except CorruptIndex:
            self.drop()
            return None

    def save(self, index: EnvIndex) -> None:
        """Write atomically; a cache that cannot be written only costs the next run time."""
        secret = mac_key()
        if secret is None:
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".idx")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(index.to_bytes(self.key, secret))
                os.replace(tmp, self.file)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError:
            pass

    def drop(self) -> None:
        self.file.unlink(missing_ok=True)
