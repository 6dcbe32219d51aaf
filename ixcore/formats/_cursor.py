"""Bounds-checked little-endian reading with error messages that name file, offset, field."""
from __future__ import annotations

import struct

from ..address import ADDRESS_LEN, Address
from ..errors import InputError

_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")


class Cursor:
    """Reads fields in order from `data`; every failure is a one-line `InputError`
    of the form `<source>: offset N: <what>` so users can find the bad byte."""

    def __init__(self, data: bytes | memoryview, source: str):
        self.data = memoryview(data)
        self.source = source
        self.pos = 0

    @property
    def remaining(self) -> int:
        return len(self.data) - self.pos

    def fail(self, message: str, at: int | None = None) -> InputError:
        return InputError(f"{self.source}: offset {self.pos if at is None else at}: {message}")

    def take(self, n: int, field: str) -> memoryview:
        if n > self.remaining:
            raise self.fail(
                f"truncated: {field} needs {n} bytes, only {self.remaining} left (file is {len(self.data)} bytes)"
            )
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def u8(self, field: str) -> int:
        return self.take(1, field)[0]

    def u32(self, field: str) -> int:
        return _U32.unpack(self.take(4, field))[0]

    def u64(self, field: str) -> int:
        return _U64.unpack(self.take(8, field))[0]

    def u128(self, field: str) -> int:
        return int.from_bytes(self.take(16, field), "little")

    def address(self, field: str) -> Address:
        return Address(self.take(ADDRESS_LEN, field))

    def addresses(self, count: int, field: str) -> tuple[Address, ...]:
        raw = self.take(count * ADDRESS_LEN, f"{count} × 32-byte {field}")
        return tuple(Address(raw[i : i + ADDRESS_LEN]) for i in range(0, len(raw), ADDRESS_LEN))

    def expect_end(self, after: str) -> None:
        """We reject trailing bytes (Ix ignores them): they mean a corrupt or misidentified file."""
        if self.remaining:
            raise self.fail(f"{self.remaining} trailing bytes after {after}")
