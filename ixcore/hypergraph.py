"""The partition hypergraph of a profile, exactly as Ix's `Hypergraph::from_profile`.

Vertices are blocks (profile ids). Each producer block `p` with at least one consumer
gets one net whose pins are `[p] + consumers(p)` (home pin first, consumers ascending)
and whose weight is `size(p)`: if the net spans λ shards, `p`'s bytes are shipped into
λ−1 foreign shards, so km1 = Σ w·(λ−1) is the total cross-shard ingress in bytes.
Singleton nets cannot be cut and are omitted.
"""
from __future__ import annotations

import attrs
import numpy as np

from .profile import Profile


def _i64(a) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.int64)


@attrs.frozen(eq=False)
class Hypergraph:
    """Pins in CSR form: net `e` has pins `pins[ptr[e]:ptr[e+1]]`, the first being its home.

    vertex_weights: int64 or float64 per vertex (the cost model's block cost).
    net_weights: int64 per net (the producer's serialized size in bytes).
    """

    vertex_weights: np.ndarray
    ptr: np.ndarray = attrs.field(converter=_i64)
    pins: np.ndarray = attrs.field(converter=_i64)
    net_weights: np.ndarray = attrs.field(converter=_i64)

    @property
    def n(self) -> int:
        return len(self.vertex_weights)

    @property
    def num_nets(self) -> int:
        return len(self.ptr) - 1

    @property
    def num_pins(self) -> int:
        return len(self.pins)

    @classmethod
    def from_profile(cls, profile: Profile, vertex_weights) -> "Hypergraph":
        vw = np.asarray(vertex_weights)
        if len(vw) != profile.n:
            raise ValueError(f"{len(vw)} vertex weights for a profile of {profile.n} blocks")
        consumers = np.repeat(np.arange(profile.n, dtype=np.int64), np.diff(profile.edge_rows.astype(np.int64)))
        producers = profile.edge_cols.astype(np.int64)
        keep = consumers != producers
        return cls.from_edges(vw, consumers[keep], producers[keep], profile.sizes)

    @classmethod
    def from_edges(cls, vertex_weights, consumers: np.ndarray, producers: np.ndarray, sizes) -> "Hypergraph":
        """Nets from (consumer, producer) pairs; duplicate pairs count once."""
        n = len(vertex_weights)
        if len(consumers):
            pair = np.unique(producers * n + consumers)
            producers, consumers = pair // n, pair % n  # sorted by producer, then consumer
        degree = np.bincount(producers, minlength=n)
        homes = np.flatnonzero(degree)
        sizes_per_net = degree[homes] + 1
        ptr = np.zeros(len(homes) + 1, dtype=np.int64)
        np.cumsum(sizes_per_net, out=ptr[1:])
        pins = np.empty(int(ptr[-1]), dtype=np.int64)
        pins[ptr[:-1]] = homes
        is_consumer = np.ones(len(pins), dtype=bool)
        is_consumer[ptr[:-1]] = False
        pins[is_consumer] = consumers
        weights = np.asarray(sizes, dtype=np.int64)[homes] if len(homes) else np.zeros(0, dtype=np.int64)
        return cls(np.asarray(vertex_weights), ptr, pins, weights)

    def net_of_pin(self) -> np.ndarray:
        return np.repeat(np.arange(self.num_nets, dtype=np.int64), np.diff(self.ptr))

    def connectivity(self, parts) -> np.ndarray:
        """λ(e): the number of distinct parts among each net's pins."""
        parts = np.asarray(parts, dtype=np.int64)
        if self.num_nets == 0:
            return np.zeros(0, dtype=np.int64)
        k = int(parts.max()) + 1 if len(parts) else 1
        distinct = np.unique(self.net_of_pin() * k + parts[self.pins])
        return np.bincount(distinct // k, minlength=self.num_nets)

    def km1(self, parts) -> int:
        """Σ w·(λ−1): the cross-shard ingress in bytes (Ix's connectivity objective)."""
        return int(np.dot(self.net_weights, self.connectivity(parts) - 1)) if self.num_nets else 0

    def cut(self, parts) -> int:
        return int(self.net_weights[self.connectivity(parts) > 1].sum()) if self.num_nets else 0

    def part_weights(self, parts, k: int, weights=None) -> np.ndarray:
        w = self.vertex_weights if weights is None else np.asarray(weights)
        return np.bincount(np.asarray(parts, dtype=np.int64), weights=w.astype(np.float64), minlength=k)

    def imbalance(self, parts, k: int, weights=None) -> float:
        """Largest part over mean part (1.0 is perfect balance)."""
        pw = self.part_weights(parts, k, weights)
        mean = pw.sum() / k if k else 0.0
        return float(pw.max() / mean) if mean > 0 else 1.0

    def induce(self, vertices: np.ndarray) -> "Hypergraph":
        """The sub-hypergraph on `vertices` (ascending ids) with cut-net splitting: each net
        keeps only its pins inside, and nets left with fewer than two pins are dropped.
        Vertex i of the result is `vertices[i]`."""
        vertices = np.asarray(vertices, dtype=np.int64)
        local = np.full(self.n, -1, dtype=np.int64)
        local[vertices] = np.arange(len(vertices), dtype=np.int64)
        mapped = local[self.pins]
        inside = mapped >= 0
        net = self.net_of_pin()[inside]
        counts = np.bincount(net, minlength=self.num_nets)
        kept_nets = counts >= 2
        pin_keep = kept_nets[net]
        new_counts = counts[kept_nets]
        ptr = np.zeros(len(new_counts) + 1, dtype=np.int64)
        np.cumsum(new_counts, out=ptr[1:])
        return Hypergraph(self.vertex_weights[vertices], ptr, mapped[inside][pin_keep], self.net_weights[kept_nets])

    def quotient(self, parts, k: int) -> "Hypergraph":
        """The hypergraph of the parts: vertex p is part p (weight = its total weight), and
        each net spanning λ ≥ 2 parts becomes a net on those parts with its weight.

        Nets inside one part cannot be cut by any grouping of parts and are dropped, so
        the km1 of a grouping of the parts equals the km1 of the coarser partition it
        induces on the blocks (pins are ascending part ids; there is no home pin)."""
        parts = np.asarray(parts, dtype=np.int64)
        weights = np.bincount(parts, weights=np.asarray(self.vertex_weights, dtype=np.float64), minlength=k)
        if self.num_nets == 0:
            return Hypergraph(weights, np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
        distinct = np.unique(self.net_of_pin() * k + parts[self.pins])  # by net, then part
        net, part = distinct // k, distinct % k
        span = np.bincount(net, minlength=self.num_nets)
        cut = span >= 2
        keep = cut[net]
        ptr = np.zeros(int(cut.sum()) + 1, dtype=np.int64)
        np.cumsum(span[cut], out=ptr[1:])
        return Hypergraph(weights, ptr, part[keep], self.net_weights[cut])

    def with_weights(self, vertex_weights) -> "Hypergraph":
        return attrs.evolve(self, vertex_weights=np.asarray(vertex_weights))
