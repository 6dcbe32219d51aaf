"""The subset of bincode 2 (`config::standard()`) that Zisk's files and guests use.

Integers are varints: < 251 is one byte, else a marker byte 0xFB/0xFC/0xFD followed by
a u16/u32/u64 little-endian. `Vec<T>` is a varint length then the items; `bool` is one
byte 0 or 1; an enum is its variant index as a varint, then the variant's fields.
"""
from __future__ import annotations

from ixcore.errors import InputError

_U16, _U32, _U64 = 0xFB, 0xFC, 0xFD
_WIDTH = {_U16: 2, _U32: 4, _U64: 8}
_MIN = {_U16: 251, _U32: 1 << 16, _U64: 1 << 32}


def varint(x: int) -> bytes:
    if x < 0 or x >= 1 << 64:
        raise ValueError(f"varint out of u64 range: {x}")
    if x < 251:
        return bytes([x])
    if x < 1 << 16:
        return bytes([_U16]) + x.to_bytes(2, "little")
    if x < 1 << 32:
        return bytes([_U32]) + x.to_bytes(4, "little")
    return bytes([_U64]) + x.to_bytes(8, "little")


def encode_bytes(data: bytes) -> bytes:
    """`Vec<u8>`: varint length, then the bytes."""
    return varint(len(data)) + bytes(data)


def encode_u64s(words) -> bytes:
    """`Vec<u64>`: varint length, then each word as a varint."""
    words = list(words)
    return varint(len(words)) + b"".join(varint(w) for w in words)


def encode_str(text: str) -> bytes:
    """`String`: varint byte length, then UTF-8."""
    return encode_bytes(text.encode())


def encode_bool(flag: bool) -> bytes:
    return b"\x01" if flag else b"\x00"


class Reader:
    """Sequential decoder; every error names the source and the byte offset."""

    def __init__(self, data: bytes, source: str):
        self.data = bytes(data)
        self.source = source
        self.pos = 0

    def fail(self, what: str, at: int | None = None) -> InputError:
        return InputError(f"{self.source}: offset {self.pos if at is None else at}: {what}")

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise self.fail(f"truncated: need {n} bytes, {len(self.data) - self.pos} left")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def varint(self, limit: int = 1 << 64) -> int:
        start = self.pos
        head = self.take(1)[0]
        if head < 251:
            value = head
        elif head in _WIDTH:
            value = int.from_bytes(self.take(_WIDTH[head]), "little")
            if value < _MIN[head]:
                raise self.fail(f"non-canonical varint {value} behind marker {head:#x}", start)
        else:
            raise self.fail(f"invalid varint marker {head:#x} (u128 is not used here)", start)
        if value >= limit:
            raise self.fail(f"value {value} exceeds {limit - 1}", start)
        return value

    def u32(self) -> int:
        return self.varint(1 << 32)

    def bool(self) -> bool:
        at = self.pos
        b = self.take(1)[0]
        if b > 1:
            raise self.fail(f"bool byte must be 0 or 1, got {b}", at)
        return b == 1

    def bytes_vec(self) -> bytes:
        return self.take(self.varint(len(self.data) - self.pos + 1))

    def string(self) -> str:
        at = self.pos
        try:
            return self.bytes_vec().decode()
        except UnicodeDecodeError:
            raise self.fail("String is not UTF-8", at) from None

    def u64_vec(self) -> tuple[int, ...]:
        n = self.varint(len(self.data) - self.pos + 1)  # each varint is at least one byte
        return tuple(self.varint() for _ in range(n))

    def end(self) -> None:
        if self.pos != len(self.data):
            raise self.fail(f"{len(self.data) - self.pos} trailing bytes")
