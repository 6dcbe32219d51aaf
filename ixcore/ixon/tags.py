"""Ixon's primitive encodings: trimmed little-endian integers and the Tag0/Tag2/Tag4 heads.

Writers emit the minimal form only, because content addresses hash raw bytes: a
non-minimal varint would give a constant a different address from its minimal twin.
The reader is lenient like Ix's Rust decoder (it accepts non-minimal large forms) but
rejects counts above 8 bytes. Every read error is an `InputError` naming the source and
the byte offset, so a malformed file is reported in one line.
"""
from __future__ import annotations

from ..address import ADDRESS_LEN, Address
from ..errors import InputError

U64_MAX = (1 << 64) - 1


def byte_count(value: int) -> int:
    """Bytes of `value` in trimmed little-endian form (0 for 0)."""
    return (value.bit_length() + 7) // 8


def trimmed(value: int) -> bytes:
    return value.to_bytes(byte_count(value), "little")


def _tagged(flag_bits: int, inline_limit: int, large_bit: int, value: int) -> bytes:
    if not 0 <= value <= U64_MAX:
        raise ValueError(f"varint value out of u64 range: {value}")
    if value < inline_limit:
        return bytes((flag_bits | value,))
    body = trimmed(value)
    return bytes((flag_bits | large_bit | (len(body) - 1),)) + body


def tag0(value: int) -> bytes:
    """Tag0: `value` inline below 128, else `0x80 | (n-1)` and n trimmed bytes."""
    return _tagged(0, 0x80, 0x80, value)


def tag2(flag: int, value: int) -> bytes:
    """Tag2: two flag bits, inline below 32, else `flag<<6 | 0x20 | (n-1)` and n bytes."""
    return _tagged(flag << 6, 0x20, 0x20, value)


def tag4(flag: int, value: int) -> bytes:
    """Tag4: four flag bits, inline below 8, else `flag<<4 | 0x08 | (n-1)` and n bytes."""
    return _tagged(flag << 4, 0x08, 0x08, value)


def opt_addr(addr: bytes | None) -> bytes:
    return b"\x00" if addr is None else b"\x01" + bytes(addr)


class Reader:
    """A cursor over immutable bytes; `source` names the file in error messages."""

    __slots__ = ("data", "pos", "source", "base")

    def __init__(self, data: bytes, source: str = "<bytes>", pos: int = 0, base: int = 0) -> None:
        self.data = data
        self.pos = pos
        self.source = source
        self.base = base  # where `data` starts in the named source, for error offsets

    def fail(self, expected: str, at: int | None = None) -> InputError:
        where = (self.pos if at is None else at) + self.base
        return InputError(f"{self.source}: offset {where}: expected {expected}")

    @property
    def remaining(self) -> int:
        return len(self.data) - self.pos

    def at_end(self) -> bool:
        return self.pos >= len(self.data)

    def take(self, n: int, what: str = "bytes") -> bytes:
        if n > len(self.data) - self.pos:
            raise self.fail(f"{what} ({n} bytes), found end of data after {self.remaining}")
        start = self.pos
        self.pos += n
        return self.data[start : self.pos]

    def u8(self, what: str = "a byte") -> int:
        if self.pos >= len(self.data):
            raise self.fail(f"{what}, found end of data")
        b = self.data[self.pos]
        self.pos += 1
        return b

    def bool(self, what: str = "a bool") -> bool:
        at = self.pos
        b = self.u8(what)
        if b > 1:
            raise self.fail(f"{what} (00 or 01), found {b:02x}", at)
        return bool(b)

    def address(self, what: str = "a 32-byte address") -> Address:
        return Address(self.take(ADDRESS_LEN, what))

    def opt_addr(self, what: str = "an optional address") -> Address | None:
        at = self.pos
        tag = self.u8(what)
        if tag == 0:
            return None
        if tag == 1:
            return self.address(what)
        raise self.fail(f"{what} tag (00 or 01), found {tag:02x}", at)

    def _large(self, count: int, what: str, at: int) -> int:
        if count > 8:
            raise self.fail(f"{what} with at most 8 value bytes, head says {count}", at)
        return int.from_bytes(self.take(count, what), "little")

    def tag0(self, what: str = "a Tag0 varint") -> int:
        at = self.pos
        head = self.u8(what)
        if head < 0x80:
            return head
        return self._large((head & 0x7F) + 1, what, at)

    def tag2(self, what: str = "a Tag2 head") -> tuple[int, int]:
        at = self.pos
        head = self.u8(what)
        if head & 0x20:
            return head >> 6, self._large((head & 0x1F) + 1, what, at)
        return head >> 6, head & 0x1F

    def tag4(self, what: str = "a Tag4 head") -> tuple[int, int]:
        at = self.pos
        head = self.u8(what)
        if head & 0x08:
            return head >> 4, self._large((head & 0x07) + 1, what, at)
        return head >> 4, head & 0x07

    def count(self, item_size: int, what: str) -> int:
        """A Tag0 element count, rejected when `remaining` cannot hold that many items."""
        at = self.pos
        n = self.tag0(what)
        if item_size and n > self.remaining // item_size:
            raise self.fail(f"{what} that fits the remaining {self.remaining} bytes, found {n}", at)
        return n
