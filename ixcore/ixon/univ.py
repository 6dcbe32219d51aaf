"""Ixon universes (Tag2, pre-order), as stored in a constant's `univs` table.

Flag 0 carries the length of a maximal Succ chain (0 alone is Zero), 1 is Max, 2 is IMax,
3 is Var(i) with i the position in the declaration's level parameters. The writer always
collapses Succ chains; the reader, like Ix's, wraps the next universe in `size` Succs, so
non-collapsed input still decodes (and re-encodes to different bytes).
"""
from __future__ import annotations

import attrs

from .tags import Reader, tag2

SUCC, MAX, IMAX, VAR = 0, 1, 2, 3


@attrs.frozen
class UZero:
    pass


@attrs.frozen
class USucc:
    pred: "Univ"


@attrs.frozen
class UMax:
    left: "Univ"
    right: "Univ"


@attrs.frozen
class UIMax:
    left: "Univ"
    right: "Univ"


@attrs.frozen
class UVar:
    index: int


Univ = UZero | USucc | UMax | UIMax | UVar


def encode_univ(u: Univ, out: bytearray | None = None) -> bytes:
    buf = bytearray() if out is None else out
    pending = [u]
    while pending:
        u = pending.pop()
        succs = 0
        while isinstance(u, USucc):
            succs, u = succs + 1, u.pred
        if succs:
            buf += tag2(SUCC, succs)
        if isinstance(u, UZero):
            buf += tag2(SUCC, 0)
        elif isinstance(u, UVar):
            buf += tag2(VAR, u.index)
        elif isinstance(u, (UMax, UIMax)):
            buf += tag2(MAX if isinstance(u, UMax) else IMAX, 0)
            pending += (u.right, u.left)
        else:
            raise TypeError(f"not a universe: {u!r}")
    return bytes(buf)


def decode_univ(r: Reader) -> Univ:
    flag, size = r.tag2("a universe")
    if flag == SUCC:
        if size == 0:
            return UZero()
        u = decode_univ(r)
        for _ in range(size):
            u = USucc(u)
        return u
    if flag == VAR:
        return UVar(size)
    left = decode_univ(r)
    right = decode_univ(r)
    return UMax(left, right) if flag == MAX else UIMax(left, right)


def skip_univ(r: Reader) -> None:
    """Advance past one universe without building it (iterative)."""
    pending = 1
    while pending:
        pending -= 1
        flag, size = r.tag2("a universe")
        if flag == SUCC and size:
            pending += 1
        elif flag in (MAX, IMAX):
            pending += 2
