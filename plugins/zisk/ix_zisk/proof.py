"""Zisk proof files and the guest-verifiable proof blob.

Proof file (`cargo-zisk prove -o`, bincode 2 standard):
`Proof { body: ProofBody, publics: PublicValues { data: Vec<u8> }, program_vk: ProgramVK { vk: Vec<u64> } }`
with `ProofBody::Vadcop { proof: Vec<u64>, zisk_vk: Vec<u64>, minimal: bool }` (variant 0)
or `ProofBody::Plonk { .. }` (variant 1, an EVM SNARK the aggregation guest cannot verify).

Blob (`Proof::get_proof_bytes`, what the aggregation guest verifies), u64 LE words:
`[minimal][n_publics][program_vk ×4][publics ×64, u32 in the low half][proof …][zisk_vk ×4]`.
"""
from __future__ import annotations

import attrs

from ixcore.errors import InputError

from .bincode import Reader, encode_bool, encode_bytes, encode_u64s, varint
from .publics import ZiskPublics

NUM_PUBLICS = 64
VK_WORDS = 4
_VADCOP, _PLONK = 0, 1
_HEAD = 2 + VK_WORDS + NUM_PUBLICS  # words before the proof body


def _words_to_bytes(words) -> bytes:
    return b"".join(int(w).to_bytes(8, "little") for w in words)


def _bytes_to_words(data: bytes) -> tuple[int, ...]:
    return tuple(int.from_bytes(data[i : i + 8], "little") for i in range(0, len(data), 8))


@attrs.frozen
class ZiskProofFile:
    """A Vadcop proof as `cargo-zisk prove` writes it."""

    proof: tuple[int, ...] = attrs.field(converter=tuple)
    zisk_vk: tuple[int, ...] = attrs.field(converter=tuple)
    minimal: bool
    publics: bytes
    program_vk: tuple[int, ...] = attrs.field(converter=tuple)

    @property
    def program_vk_bytes(self) -> bytes:
        return _words_to_bytes(self.program_vk)

    def parsed_publics(self, source: str = "<proof>") -> ZiskPublics:
        return ZiskPublics.from_bytes(self.publics, f"{source} publics")

    def to_bytes(self) -> bytes:
        return (
            varint(_VADCOP)
            + encode_u64s(self.proof)
            + encode_u64s(self.zisk_vk)
            + encode_bool(self.minimal)
            + encode_bytes(self.publics)
            + encode_u64s(self.program_vk)
        )

    @classmethod
    def from_bytes(cls, data: bytes, source: str = "<proof>") -> "ZiskProofFile":
        r = Reader(data, source)
        variant = r.u32()
        if variant == _PLONK:
            raise r.fail("a PLONK proof (made with --plonk) cannot be aggregated; prove without --plonk", 0)
        if variant != _VADCOP:
            raise r.fail(f"unknown ProofBody variant {variant}", 0)
        proof, zisk_vk, minimal = r.u64_vec(), r.u64_vec(), r.bool()
        publics = r.bytes_vec()
        program_vk = r.u64_vec()
        r.end()
        if len(zisk_vk) != VK_WORDS or len(program_vk) != VK_WORDS:
            raise InputError(f"{source}: zisk_vk and program_vk must be {VK_WORDS} words each")
        if len(publics) > 4 * NUM_PUBLICS:
            raise InputError(f"{source}: {len(publics)} bytes of publics exceed {NUM_PUBLICS} u32 slots")
        return cls(proof, zisk_vk, minimal, publics, program_vk)

    def blob(self) -> "ProofBlob":
        padded = self.publics + bytes(4 * NUM_PUBLICS - len(self.publics))
        slots = tuple(int.from_bytes(padded[i : i + 4], "little") for i in range(0, len(padded), 4))
        return ProofBlob(int(self.minimal), NUM_PUBLICS, self.program_vk, slots, self.proof, self.zisk_vk)


@attrs.frozen
class ProofBlob:
    """The word layout the aggregation guest reads (program vk at words 2..6, slot j at 6+j)."""

    minimal: int
    n_publics: int
    program_vk: tuple[int, ...] = attrs.field(converter=tuple)
    slots: tuple[int, ...] = attrs.field(converter=tuple)
    proof: tuple[int, ...] = attrs.field(converter=tuple)
    zisk_vk: tuple[int, ...] = attrs.field(converter=tuple)

    @property
    def program_vk_bytes(self) -> bytes:
        return _words_to_bytes(self.program_vk)

    def publics(self, source: str = "<blob>") -> ZiskPublics:
        return ZiskPublics.from_slots(self.slots, source)

    def to_bytes(self) -> bytes:
        words = (self.minimal, self.n_publics, *self.program_vk, *self.slots, *self.proof, *self.zisk_vk)
        return _words_to_bytes(words)

    @classmethod
    def from_bytes(cls, data: bytes, source: str = "<blob>") -> "ProofBlob":
        if len(data) % 8:
            raise InputError(f"{source}: proof blob of {len(data)} bytes is not a whole number of u64 words")
        words = _bytes_to_words(data)
        if len(words) < _HEAD + VK_WORDS:
            raise InputError(f"{source}: proof blob of {len(words)} words is shorter than its {_HEAD + VK_WORDS}-word frame")
        if words[1] > NUM_PUBLICS:
            raise InputError(f"{source}: offset 8: n_publics {words[1]} exceeds {NUM_PUBLICS}")
        slots = words[2 + VK_WORDS : _HEAD]
        for j, w in enumerate(slots):
            if w >> 32:
                raise InputError(f"{source}: offset {8 * (2 + VK_WORDS + j)}: public slot {j} has a non-zero high half")
        return cls(words[0], words[1], words[2 : 2 + VK_WORDS], slots, words[_HEAD:-VK_WORDS], words[-VK_WORDS:])
