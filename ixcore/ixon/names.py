"""Lean names as Ixon hashes them and as the `.ixe` names section (§4) stores them.

hash(anon) = H(00); hash(Str p s) = H(01 ‖ hash p ‖ utf8 s); hash(Num p n) = H(02 ‖ hash p
‖ LE n) with LE(0) = 00. Names are kept apart from blobs: H(00) is both the anonymous
name and the Nat-0 blob.
"""
from __future__ import annotations

from typing import Iterable

import attrs

from ..address import Address
from .tags import Reader, tag0

ANON_TAG, STR_TAG, NUM_TAG = 0, 1, 2


def _nat_le(n: int) -> bytes:
    return n.to_bytes(max(1, (n.bit_length() + 7) // 8), "little")


@attrs.frozen
class Name:
    """A hierarchical name; `parts` are str (Str components) or int (Num components)."""

    parts: tuple[str | int, ...] = attrs.field(default=(), converter=tuple)

    @classmethod
    def parse(cls, dotted: str) -> "Name":
        """`Nat.succ` -> Name(("Nat", "succ")); no escaping, like Ix's `Name::pretty`."""
        return cls(tuple(dotted.split("."))) if dotted else ANONYMOUS

    @property
    def parent(self) -> "Name":
        return Name(self.parts[:-1])

    def address(self) -> Address:
        h = ANON_ADDRESS
        for i in range(len(self.parts)):
            h = component_hash(h, self.parts[i])
        return h

    def __str__(self) -> str:
        return ".".join(str(p) for p in self.parts) if self.parts else "[anonymous]"


ANONYMOUS = Name(())
ANON_ADDRESS = Address.hash(b"\x00")


def _component_body(part: str | int) -> tuple[int, bytes]:
    if isinstance(part, str):
        return STR_TAG, part.encode("utf-8")
    if isinstance(part, int) and part >= 0:
        return NUM_TAG, _nat_le(part)
    raise TypeError(f"a name component is a str or a natural number, got {part!r}")


def component_hash(parent: bytes, part: str | int) -> Address:
    tag, body = _component_body(part)
    return Address.hash(bytes((tag,)) + bytes(parent) + body)


def encode_component(name: Name, parent_hash: bytes) -> bytes:
    """The §4 entry body after the name's own address: `00`, or tag ‖ parent ‖ Tag0(len) ‖ bytes."""
    if not name.parts:
        return b"\x00"
    tag, body = _component_body(name.parts[-1])
    return bytes((tag,)) + bytes(parent_hash) + tag0(len(body)) + body


def decode_component(r: Reader, known: dict[Address, Name]) -> tuple[Name, Address]:
    """Read one §4 component; the parent must already be in `known` (topological order).
    Returns the name and the hash recomputed from it."""
    at = r.pos
    tag = r.u8("a name component tag")
    if tag == ANON_TAG:
        return ANONYMOUS, ANON_ADDRESS
    if tag not in (STR_TAG, NUM_TAG):
        raise r.fail(f"a name component tag 00/01/02, found {tag:02x}", at)
    parent_hash = r.address("a parent name hash")
    parent = known.get(parent_hash)
    if parent is None:
        raise r.fail(f"a parent name listed earlier in the names section, found unknown {parent_hash.short()}", at + 1)
    body = r.take(r.tag0("a name component length"), "name component bytes")
    if tag == STR_TAG:
        try:
            part: str | int = body.decode("utf-8")
        except UnicodeDecodeError:
            raise r.fail("a UTF-8 name component", r.pos - len(body)) from None
    else:
        part = int.from_bytes(body, "little")
    return Name(parent.parts + (part,)), Address.hash(bytes((tag,)) + parent_hash + body)


def topological_names(names: Iterable[Name]) -> list[tuple[Name, Address]]:
    """Ix's §4 order: the anonymous name first, then names by hash, each preceded by its
    not-yet-emitted ancestors (root first). Returns (name, hash) pairs."""
    hashes: dict[Name, Address] = {ANONYMOUS: ANON_ADDRESS}

    def hash_of(n: Name) -> Address:
        missing = []
        while n not in hashes:
            missing.append(n)
            n = n.parent
        for m in reversed(missing):
            hashes[m] = component_hash(hashes[m.parent], m.parts[-1])
        return hashes[missing[0]] if missing else hashes[n]

    keyed = sorted({n for n in names if n.parts}, key=hash_of)
    out = [(ANONYMOUS, ANON_ADDRESS)]
    emitted = {ANONYMOUS}
    for n in keyed:
        chain = []
        while n not in emitted:
            chain.append(n)
            n = n.parent
        for m in reversed(chain):
            emitted.add(m)
            out.append((m, hashes[m]))
    return out
