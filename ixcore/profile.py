"""Per-block work profile: the input of partitioning (Ix's `.ixprof`).

Blocks are identified by their rank in address order (`addrs` is sorted). Delta edges
are a CSR matrix: row = consumer block id, columns = the producer block ids it unfolds
while being checked (sorted, deduplicated, no self-edges).
"""
from __future__ import annotations

import attrs
import numpy as np

from .address import Address


def _u64(a) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.uint64)


def _u32(a) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.uint32)


@attrs.frozen(eq=False)
class Profile:
    """Column arrays of length n (one entry per block) plus the CSR delta edges.

    heartbeats: Ix-way work units (the `.ixprof` heartbeat field).
    sizes: serialized size of the block in bytes (net weight in the hypergraph).
    const_counts: constants profiled in the block.
    subst, whnf, def_eq, nat_arith, intern: Ix op counters (zero where unknown).
    extra: additional per-block columns that the binary format cannot hold (for example
        `lean_heartbeats`); kept in the sidecar JSON.
    version: the `.ixprof` generation it was read from or will be written as
        (0 = IXESP v1, 1 = IXPROF v1, 2 = IXPROF v2).
    """

    addrs: tuple[Address, ...] = attrs.field(converter=lambda xs: tuple(Address(x) for x in xs))
    heartbeats: np.ndarray = attrs.field(converter=_u64)
    sizes: np.ndarray = attrs.field(converter=_u32)
    const_counts: np.ndarray = attrs.field(converter=_u32)
    edge_rows: np.ndarray = attrs.field(converter=_u64)
    edge_cols: np.ndarray = attrs.field(converter=_u32)
    subst: np.ndarray = attrs.field(converter=_u64)
    whnf: np.ndarray = attrs.field(converter=_u64)
    def_eq: np.ndarray = attrs.field(converter=_u64)
    nat_arith: np.ndarray = attrs.field(converter=_u64)
    intern: np.ndarray = attrs.field(converter=_u64)
    extra: dict = attrs.field(factory=dict)
    version: int = 2

    @property
    def n(self) -> int:
        return len(self.addrs)

    @property
    def num_edges(self) -> int:
        return int(self.edge_rows[-1]) if len(self.edge_rows) else 0

    def producers(self, block_id: int) -> np.ndarray:
        return self.edge_cols[int(self.edge_rows[block_id]) : int(self.edge_rows[block_id + 1])]

    def index(self) -> dict[Address, int]:
        return {a: i for i, a in enumerate(self.addrs)}

    def __eq__(self, other) -> bool:
        if not isinstance(other, Profile):
            return NotImplemented
        cols = ("heartbeats", "sizes", "const_counts", "edge_rows", "edge_cols", "subst", "whnf", "def_eq", "nat_arith", "intern")
        return self.addrs == other.addrs and all(np.array_equal(getattr(self, c), getattr(other, c)) for c in cols)

    @classmethod
    def build(cls, blocks: dict, edges: dict, version: int = 2, extra: dict | None = None) -> "Profile":
        """From `{addr: {"heartbeats":..,"size":..,"const_count":..,"subst":..,...}}` and
        `{consumer_addr: set(producer_addr)}`; sorts addresses, drops self-edges."""
        addrs = sorted(Address(a) for a in set(blocks) | set(edges) | {p for ps in edges.values() for p in ps})
        idx = {a: i for i, a in enumerate(addrs)}
        n = len(addrs)
        empty: dict = {}
        table = [blocks.get(a, empty) for a in addrs]

        def col(key):
            return [int(r.get(key, 0)) for r in table]

        bounds = [0] * (n + 1)
        cols: list[int] = []
        for i, a in enumerate(addrs):
            ps = edges.get(a)
            if ps:
                cols.extend(sorted({idx[Address(p)] for p in ps} - {i}))
            bounds[i + 1] = len(cols)
        rows = np.asarray(bounds, dtype=np.uint64)
        ext = {k: np.asarray([v.get(a, 0) for a in addrs], dtype=np.uint64) for k, v in (extra or {}).items()}
        return cls(
            addrs=addrs,
            heartbeats=col("heartbeats"),
            sizes=col("size"),
            const_counts=col("const_count"),
            edge_rows=rows,
            edge_cols=np.asarray(cols, dtype=np.uint32),
            subst=col("subst"),
            whnf=col("whnf"),
            def_eq=col("def_eq"),
            nat_arith=col("nat_arith"),
            intern=col("intern"),
            extra=ext,
            version=version,
        )
