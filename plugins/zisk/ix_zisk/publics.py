"""The 112-byte public values of Ix's Zisk guests (28 u32 slots), as `Claim`s.

| bytes    | slots  | leaf                          | aggregate        |
|----------|--------|-------------------------------|------------------|
| 0..32    | 0..8   | env_hash                      | vks_id           |
| 32..36   | 8      | range start or checked items  | num_proofs       |
| 36..40   | 9      | range end or 0                | mode             |
| 40..44   | 10     | failures                      | 0                |
| 44..76   | 11..19 | subject_root                  | subject_root     |
| 76..108  | 19..27 | assumptions_root              | assumptions_root |
| 108..112 | 27     | checked target count          | num_proofs       |

The aggregate layout is leaf-compatible so aggregates fold again. An address occupies
eight slots whose little-endian bytes are the address bytes.
"""
from __future__ import annotations

import struct

import attrs

from ixcore.address import ZERO, Address
from ixcore.errors import InputError
from ixcore.model import Claim

PUBLICS_LEN = 112
SLOT_FAILURES = 10
SLOTS_SUBJECT = range(11, 19)
SLOTS_ASSUMPTIONS = range(19, 27)
_LAYOUT = struct.Struct("<32sIII32s32sI")
assert _LAYOUT.size == PUBLICS_LEN


@attrs.frozen
class ZiskPublics:
    """The committed words, named by their leaf meaning."""

    id: Address = attrs.field(converter=Address)  # env_hash (leaf) or vks_id (agg)
    field_a: int
    field_b: int
    failures: int
    subject_root: Address = attrs.field(converter=Address)
    assumptions_root: Address = attrs.field(converter=Address)
    count: int

    def to_bytes(self) -> bytes:
        return _LAYOUT.pack(
            self.id, self.field_a, self.field_b, self.failures, self.subject_root, self.assumptions_root, self.count
        )

    @classmethod
    def from_bytes(cls, data: bytes, source: str = "<publics>") -> "ZiskPublics":
        """Parse the first 112 bytes; the rest of Zisk's 256-byte public area must be zero."""
        if len(data) < PUBLICS_LEN:
            raise InputError(f"{source}: public values are {len(data)} bytes, expected at least {PUBLICS_LEN}")
        if any(data[PUBLICS_LEN:]):
            raise InputError(f"{source}: offset {PUBLICS_LEN}: unused public slots are not zero")
        return cls(*_LAYOUT.unpack(bytes(data[:PUBLICS_LEN])))

    @classmethod
    def from_slots(cls, slots, source: str = "<publics>") -> "ZiskPublics":
        """From u32 slot values (the low halves of a proof blob's public words)."""
        return cls.from_bytes(b"".join(int(s).to_bytes(4, "little") for s in slots), source)

    def slots(self) -> tuple[int, ...]:
        raw = self.to_bytes()
        return tuple(int.from_bytes(raw[i : i + 4], "little") for i in range(0, PUBLICS_LEN, 4))

    def leaf_claim(self, program_vk: bytes) -> Claim:
        return Claim(
            env_hash=self.id,
            failures=self.failures,
            subject_root=self.subject_root,
            assumptions_root=self.assumptions_root,
            checked=self.count,
            mode=0,
            vks_id=program_vk,
        )

    def agg_claim(self) -> Claim:
        """The aggregate commits no env hash (children are per-shard sub-envs): ZERO."""
        return Claim(
            env_hash=ZERO,
            failures=self.failures,
            subject_root=self.subject_root,
            assumptions_root=self.assumptions_root,
            checked=self.count,
            mode=self.field_b,
            vks_id=self.id,
        )
