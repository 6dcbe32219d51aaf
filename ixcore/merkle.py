"""Canonical merkle root over a set of addresses, bit-compatible with Ix's `merkle.rs`.

leaf = blake3(0x00 || a), node = blake3(0x01 || l || r); the input is sorted and
deduplicated; an odd trailing node is paired with the raw zero address; the empty set
is the zero address; a singleton is its leaf hash.
"""
from __future__ import annotations

import operator
from typing import Iterable

import blake3 as _blake3

from .address import ZERO, Address


def leaf_hash(a: bytes) -> bytes:
    return _blake3.blake3(b"\x00" + a).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return _blake3.blake3(b"\x01" + left + right).digest()


def merkle_root(addrs: Iterable[bytes]) -> Address:
    """The canonical root: order- and duplicate-invariant.

    A run recomputes the roots of the same witness lists many times (store, leaf checks,
    aggregation, verification), so the last few roots are remembered by their exact
    sorted input."""
    key = addrs if isinstance(addrs, tuple) and _strictly_sorted(addrs) else tuple(sorted({bytes(a) for a in addrs}))
    root = _RECENT.get(key)
    if root is None:
        root = _RECENT[key] = _root_of_sorted(key)
        if len(_RECENT) > _RECENT_MAX:
            del _RECENT[next(iter(_RECENT))]
    return root


_RECENT: dict[tuple, Address] = {}
_RECENT_MAX = 16


def _strictly_sorted(addrs: tuple) -> bool:
    """Addresses already in canonical order (a proof's witness list): the tuple is its
    own key, and one pass of comparisons replaces copying, deduplicating and sorting it."""
    return set(map(type, addrs)) <= {Address} and all(map(operator.lt, addrs, addrs[1:]))


def _root_of_sorted(items: tuple) -> Address:
    b3 = _blake3.blake3
    level = [b3(b"\x00" + a).digest() for a in items]
    if not level:
        return ZERO
    zero = bytes(ZERO)
    while len(level) > 1:
        if len(level) % 2:
            level.append(zero)
        level = [b3(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level), 2)]
    return Address(level[0])


def merkle_join(left: bytes, right: bytes) -> Address:
    """Ix's O(1) non-canonical composition (mode 0 only)."""
    return Address(node_hash(left, right))


class WitnessRoots:
    """Mixin for values that carry `subjects` and `assumptions` witness lists: the
    canonical roots a proof over them commits."""

    __slots__ = ()

    @property
    def subject_root(self) -> Address:
        return merkle_root(self.subjects)

    @property
    def assumptions_root(self) -> Address:
        return merkle_root(self.assumptions)
