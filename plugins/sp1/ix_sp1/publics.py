"""The 104-byte public values of Ix's SP1 guest (its own order, unlike Zisk's):

| bytes   | field            |
|---------|------------------|
| 0..4    | failures u32     |
| 4..36   | subject_root     |
| 36..68  | assumptions_root |
| 68..72  | checked_count    |
| 72..104 | env_hash         |
"""
from __future__ import annotations

import struct

import attrs

from ixcore.address import Address
from ixcore.errors import InputError
from ixcore.model import Claim

PUBLICS_LEN = 104
_LAYOUT = struct.Struct("<I32s32sI32s")
assert _LAYOUT.size == PUBLICS_LEN


@attrs.frozen
class Sp1Publics:
    failures: int
    subject_root: Address = attrs.field(converter=Address)
    assumptions_root: Address = attrs.field(converter=Address)
    checked_count: int
    env_hash: Address = attrs.field(converter=Address)

    def to_bytes(self) -> bytes:
        return _LAYOUT.pack(self.failures, self.subject_root, self.assumptions_root, self.checked_count, self.env_hash)

    @classmethod
    def from_bytes(cls, data: bytes, source: str = "<sp1 publics>") -> "Sp1Publics":
        if len(data) != PUBLICS_LEN:
            raise InputError(f"{source}: SP1 public values are {len(data)} bytes, expected {PUBLICS_LEN}")
        return cls(*_LAYOUT.unpack(bytes(data)))

    def claim(self, program_vk: bytes) -> Claim:
        return Claim(
            env_hash=self.env_hash,
            failures=self.failures,
            subject_root=self.subject_root,
            assumptions_root=self.assumptions_root,
            checked=self.checked_count,
            mode=0,
            vks_id=program_vk,
        )
