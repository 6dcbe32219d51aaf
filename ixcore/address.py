"""32-byte blake3 content addresses and their packed list form (32*n bytes)."""
from __future__ import annotations

from typing import Iterable

import blake3 as _blake3

from .errors import InputError

ADDRESS_LEN = 32


class Address(bytes):
    """A 32-byte digest. Ordered by raw bytes (bytes' own order); str() is lowercase hex."""

    __slots__ = ()

    def __new__(cls, raw: bytes | bytearray | memoryview) -> "Address":
        if type(raw) is cls:  # already an address, and immutable: nothing to copy or check
            return raw
        raw = bytes(raw)
        if len(raw) != ADDRESS_LEN:
            raise ValueError(f"an address is {ADDRESS_LEN} bytes, got {len(raw)}")
        return super().__new__(cls, raw)

    @classmethod
    def hash(cls, data: bytes) -> "Address":
        """blake3(data), no key, no domain prefix (as Ix's `Address::hash`)."""
        return cls(_blake3.blake3(data).digest())

    @classmethod
    def from_hex(cls, text: str) -> "Address":
        try:
            raw = bytes.fromhex(text)
        except ValueError as exc:
            raise InputError(f"not a hex address: {text!r}") from exc
        if len(raw) != ADDRESS_LEN:
            raise InputError(f"not a 32-byte hex address: {text!r}")
        return cls(raw)

    @classmethod
    def zero(cls) -> "Address":
        return ZERO

    def hex(self) -> str:  # type: ignore[override]
        return bytes.hex(self)

    def short(self) -> str:
        return bytes.hex(self)[:12]

    def __str__(self) -> str:
        return bytes.hex(self)

    def __repr__(self) -> str:
        return f"Address({bytes.hex(self)[:16]}…)"


ZERO = Address(bytes(ADDRESS_LEN))


def pack(addrs: Iterable[bytes]) -> bytes:
    """Concatenate addresses (the wire format of check lists, witnesses, covers)."""
    return b"".join(addrs)


def unpack(data: bytes, *, source: str = "<bytes>") -> list[Address]:
    """Split a packed list. A trailing partial chunk is an error (Ix silently drops it)."""
    if len(data) % ADDRESS_LEN:
        raise InputError(
            f"{source}: packed address list of {len(data)} bytes is not a multiple of 32 "
            f"(trailing partial address at offset {len(data) - len(data) % ADDRESS_LEN})"
        )
    return [Address(data[i : i + ADDRESS_LEN]) for i in range(0, len(data), ADDRESS_LEN)]
