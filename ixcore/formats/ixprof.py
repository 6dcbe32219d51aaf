"""`.ixprof`: per-block work profiles in all three of Ix's generations, byte-exact.

    magic[8] | u32 version | u32 n | n × entry | u64 E | (n+1) × u64 rows | E × u32 cols

| Profile.version | magic        | version | entry                                            |
|-----------------|--------------|---------|--------------------------------------------------|
| 0 ([PR-int])    | `IXESP\\0\\0\\0` | 1       | 48 B: addr, hb u64, size u32, const_count u32    |
| 1 ([411])       | `IXPROF\\0\\0`  | 1       | 56 B: the above + subst u64                      |
| 2 ([main])      | `IXPROF\\0\\0`  | 2       | 80 B: the above + whnf, def_eq, nat_arith, intern |

Reading checks what Ix's reader checks (magic, exact version, truncation, row[0] = 0,
row[n] = E, monotone rows, col < n) and, stricter than Ix, rejects what Ix's own writer
can never produce: trailing bytes, addresses not strictly ascending (block id = rank),
producer lists that are unsorted, repeated or contain a self-edge. The writer enforces
the same rules, so everything we write reads back here and in Ix.

`Profile.extra` columns (e.g. `lean_heartbeats`) live in a JSON sidecar `<file>.json`
bound to the binary by its blake3, written only when `extra` is non-empty.
"""
from __future__ import annotations

from pathlib import Path

import attrs
import blake3
import numpy as np

from ..address import ADDRESS_LEN, Address
from ..errors import InputError
from ..profile import Profile
from ._cursor import Cursor
from ._io import atomic_write, read_bytes, read_sidecar, remove_sidecar, sidecar_path, write_sidecar

MAGIC_IXESP = b"IXESP\0\0\0"
MAGIC_IXPROF = b"IXPROF\0\0"
SIDECAR_KIND = "ixprof-extra"
HEADER_LEN = 16

_BASE = [("addr", f"V{ADDRESS_LEN}"), ("heartbeats", "<u8"), ("sizes", "<u4"), ("const_counts", "<u4")]
_V411 = _BASE + [("subst", "<u8")]
_MAIN = _V411 + [("whnf", "<u8"), ("def_eq", "<u8"), ("nat_arith", "<u8"), ("intern", "<u8")]

#: op-counter columns, in the order they appear in the newest entry
OP_COLUMNS = ("subst", "whnf", "def_eq", "nat_arith", "intern")


@attrs.frozen
class Generation:
    """One on-disk generation: its magic, the version word it writes, its entry layout."""

    number: int  # Profile.version
    label: str
    magic: bytes
    version_word: int
    entry: np.dtype

    @property
    def entry_size(self) -> int:
        return self.entry.itemsize

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(n for n in self.entry.names if n != "addr")


GENERATIONS = {
    0: Generation(0, "IXESP v1 [PR-int]", MAGIC_IXESP, 1, np.dtype(_BASE)),
    1: Generation(1, "IXPROF v1 [411]", MAGIC_IXPROF, 1, np.dtype(_V411)),
    2: Generation(2, "IXPROF v2 [main]", MAGIC_IXPROF, 2, np.dtype(_MAIN)),
}
_BY_HEADER = {(g.magic, g.version_word): g for g in GENERATIONS.values()}


def sniff_ixprof(head: bytes) -> bool:
    return head[:8] in (MAGIC_IXESP, MAGIC_IXPROF)


def loads_ixprof(data: bytes, source: str = "<bytes>") -> Profile:
    """Decode a profile (without sidecar columns); errors name `source` and the offset."""
    cur = Cursor(data, source)
    magic = bytes(cur.take(8, "magic"))
    if magic not in (MAGIC_IXESP, MAGIC_IXPROF):
        raise cur.fail(f"bad magic {magic!r}: not a profile (expected {MAGIC_IXPROF!r} or {MAGIC_IXESP!r})", at=0)
    word = cur.u32("version")
    gen = _BY_HEADER.get((magic, word))
    if gen is None:
        known = sorted(v for m, v in _BY_HEADER if m == magic)
        family = "IXESP" if magic == MAGIC_IXESP else "IXPROF"
        raise cur.fail(f"unknown {family} version {word} (this reader knows {known})", at=8)
    n = cur.u32("block count n")
    entries_at = cur.pos
    entries = np.frombuffer(cur.take(n * gen.entry_size, f"{n} × {gen.entry_size}-byte block entries"), dtype=gen.entry)
    num_edges = cur.u64("edge count E")
    rows_at = cur.pos
    rows = np.frombuffer(cur.take((n + 1) * 8, f"{n + 1} CSR row offsets"), dtype="<u8")
    cols_at = cur.pos
    cols = np.frombuffer(cur.take(num_edges * 4, f"{num_edges} producer ids"), dtype="<u4")
    cur.expect_end("the producer ids")

    addr_blob = entries["addr"].tobytes()
    addrs = tuple(Address(addr_blob[i : i + ADDRESS_LEN]) for i in range(0, len(addr_blob), ADDRESS_LEN))
    bad = _first_unsorted(addrs)
    if bad is not None:
        raise cur.fail(
            f"block {bad} address is not above block {bad - 1}'s (addresses must ascend: block id = rank)",
            at=entries_at + bad * gen.entry_size,
        )
    problem = csr_problem(rows, cols, n, num_edges)
    if problem is not None:
        where, index, message = problem
        raise cur.fail(message, at=(rows_at + 8 * index) if where == "row" else (cols_at + 4 * index))

    zeros = np.zeros(n, dtype=np.uint64)
    columns = {name: (entries[name] if name in gen.columns else zeros) for name in ("heartbeats", "sizes", "const_counts") + OP_COLUMNS}
    return Profile(addrs=addrs, edge_rows=rows, edge_cols=cols, version=gen.number, **columns)


def dumps_ixprof(profile: Profile, version: int | None = None, *, allow_lossy: bool = False) -> bytes:
    """Encode `profile` as generation `version` (default: `profile.version`).

    Writing an older generation drops op counters it has no field for; that is refused
    when a dropped column is non-zero unless `allow_lossy`.
    """
    number = profile.version if version is None else version
    gen = GENERATIONS.get(number)
    if gen is None:
        raise ValueError(f"unknown profile version {number} (known: {sorted(GENERATIONS)})")
    n = profile.n
    for name in ("heartbeats", "sizes", "const_counts") + OP_COLUMNS:
        if len(getattr(profile, name)) != n:
            raise ValueError(f"profile column {name} has {len(getattr(profile, name))} entries for {n} blocks")
    if not allow_lossy:
        dropped = [c for c in OP_COLUMNS if c not in gen.columns and np.any(getattr(profile, c))]
        if dropped:
            raise ValueError(f"{gen.label} has no field for {', '.join(dropped)}; refusing to drop non-zero counters")
    bad = _first_unsorted(profile.addrs)
    if bad is not None:
        raise ValueError(f"profile addresses must ascend strictly; block {bad} does not")
    rows = np.asarray(profile.edge_rows, dtype=np.uint64)
    problem = csr_problem(rows, profile.edge_cols, n, len(profile.edge_cols))
    if problem is not None:
        raise ValueError(f"profile edges are not a valid CSR: {problem[2]}")

    entries = np.zeros(n, dtype=gen.entry)
    if n:
        entries["addr"] = np.frombuffer(b"".join(profile.addrs), dtype=f"V{ADDRESS_LEN}")
    for name in gen.columns:
        entries[name] = getattr(profile, name)
    return b"".join(
        (
            gen.magic,
            np.array([gen.version_word, n], dtype="<u4").tobytes(),
            entries.tobytes(),
            np.array([len(profile.edge_cols)], dtype="<u8").tobytes(),
            rows.astype("<u8").tobytes(),
            np.asarray(profile.edge_cols).astype("<u4").tobytes(),
        )
    )


def read_ixprof(path: str | Path) -> Profile:
    """Load `path` and, if present, its sidecar's extra columns."""
    data = read_bytes(path, "profile")
    profile = loads_ixprof(data, source=str(path))
    doc = read_sidecar(path, SIDECAR_KIND)
    if doc is None:
        return profile
    return attrs.evolve(profile, extra=_extra_from_sidecar(doc, data, profile.n, path))


def write_ixprof(profile: Profile, path: str | Path, version: int | None = None, *, allow_lossy: bool = False) -> None:
    """Atomically write the binary, then the sidecar (or remove a stale one of ours)."""
    data = dumps_ixprof(profile, version, allow_lossy=allow_lossy)
    for name, column in profile.extra.items():
        if len(column) != profile.n:
            raise ValueError(f"extra column {name!r} has {len(column)} entries for {profile.n} blocks")
    atomic_write(path, data)
    if profile.extra:
        write_sidecar(
            path,
            SIDECAR_KIND,
            {
                "profile_blake3": blake3.blake3(data).hexdigest(),
                "n": profile.n,
                "columns": {name: np.asarray(col).tolist() for name, col in sorted(profile.extra.items())},
            },
        )
    else:
        remove_sidecar(path, SIDECAR_KIND)


def csr_problem(rows, cols, n: int, num_edges: int) -> tuple[str, int, str] | None:
    """First violated CSR rule as (`"row"` or `"col"`, index, message), else None."""
    rows = np.asarray(rows, dtype=np.uint64)
    cols = np.asarray(cols, dtype=np.uint32)
    if len(rows) != n + 1:
        return ("row", 0, f"{len(rows)} row offsets for {n} blocks (need n+1)")
    if rows[0] != 0:
        return ("row", 0, f"row[0] = {int(rows[0])}, must be 0")
    if rows[n] != num_edges or len(cols) != num_edges:
        return ("row", n, f"row[n] = {int(rows[n])} but the edge count E = {num_edges}")
    steps = np.diff(rows.astype(np.int64)) if n else np.zeros(0, np.int64)
    if np.any(steps < 0):
        i = int(np.argmax(steps < 0)) + 1
        return ("row", i, f"row[{i}] = {int(rows[i])} is below row[{i - 1}] = {int(rows[i - 1])}")
    if num_edges and np.any(cols >= n):
        j = int(np.argmax(cols >= n))
        return ("col", j, f"producer id {int(cols[j])} at edge {j} is not below n = {n}")
    consumer = np.repeat(np.arange(n, dtype=np.int64), steps)
    self_edge = cols.astype(np.int64) == consumer
    if np.any(self_edge):
        j = int(np.argmax(self_edge))
        return ("col", j, f"block {int(consumer[j])} lists itself as a producer (edge {j})")
    same_row = consumer[1:] == consumer[:-1]
    unsorted = same_row & (cols[1:].astype(np.int64) <= cols[:-1].astype(np.int64))
    if np.any(unsorted):
        j = int(np.argmax(unsorted)) + 1
        return ("col", j, f"producers of block {int(consumer[j])} are not strictly ascending (edge {j})")
    return None


def _first_unsorted(addrs) -> int | None:
    for i in range(1, len(addrs)):
        if not addrs[i - 1] < addrs[i]:
            return i
    return None


def _extra_from_sidecar(doc: dict, data: bytes, n: int, path) -> dict[str, np.ndarray]:
    side = sidecar_path(path)
    if doc.get("profile_blake3") != blake3.blake3(data).hexdigest():
        raise InputError(f"{side}: written for a different {Path(path).name} (blake3 mismatch); delete or regenerate it")
    columns = doc.get("columns")
    if not isinstance(columns, dict):
        raise InputError(f"{side}: 'columns' must be an object of per-block lists")
    extra = {}
    for name, values in columns.items():
        if not isinstance(values, list) or len(values) != n:
            raise InputError(f"{side}: column {name!r} must be a list of {n} numbers")
        try:
            extra[name] = np.asarray(values, dtype=np.uint64 if all(isinstance(v, int) for v in values) else np.float64)
        except (TypeError, ValueError, OverflowError):
            raise InputError(f"{side}: column {name!r} holds a value that is not a number") from None
    return extra
