"""Zisk proof files (per version line) and the guest-verifiable proof blob.

Proof file (`cargo-zisk prove -o`, bincode 2 `config::standard()`; formats.md):
- 0.18: `Proof { body: Vadcop { proof: Vec<u64>, zisk_vk: Vec<u64>, minimal: bool },
  publics: PublicValues { data: Vec<u8> }, program_vk: ProgramVK { vk: Vec<u64> } }`
- 1.0: the Vadcop body adds `hash: String` (the hash family, "Poseidon1") and ProgramVK adds
  `hash_mode: HashMode` (unit enum, 0 = Poseidon1). Ix's aggregation guest verifies with
  "Poseidon1" only, so anything else is refused here.
Body variant 1 is `Plonk` (an EVM SNARK the aggregation guest cannot verify).

Blob (`Proof::get_proof_u64`, what the aggregation guest verifies), u64 LE words:
`[minimal][n_publics = 4 + 64][program_vk ×4][publics ×64, u32 in the low half][proof …][zisk_vk ×4]`.
The guest verifier (`verify_vadcop_final_proof`) rejects word 1 != 68 and blobs shorter
than 2 + 68 words plus the 4-word vk.
"""
from __future__ import annotations

import attrs

from ixcore.errors import InputError

from .bincode import Reader, encode_bool, encode_bytes, encode_str, encode_u64s, varint
from .publics import ZiskPublics

NUM_PUBLICS = 64
VK_WORDS = 4
N_PUBLICS_WORD = VK_WORDS + NUM_PUBLICS  # blob word 1: program vk words + publics (= 68)
HASH_NAME, HASH_MODE = "Poseidon1", 0  # what Ix's 1.0 aggregation guest verifies with
CODECS = ("0.18", "1.0")
_VADCOP, _PLONK = 0, 1
_HEAD = 2 + N_PUBLICS_WORD  # words before the proof body


def _words_to_bytes(words) -> bytes:
    return b"".join(int(w).to_bytes(8, "little") for w in words)


def _bytes_to_words(data: bytes) -> tuple[int, ...]:
    return tuple(int.from_bytes(data[i : i + 8], "little") for i in range(0, len(data), 8))


@attrs.frozen
class ZiskProofFile:
    """A Vadcop proof as `cargo-zisk prove` writes it at one version line."""

    codec: str
    proof: tuple[int, ...] = attrs.field(converter=tuple)
    zisk_vk: tuple[int, ...] = attrs.field(converter=tuple)
    minimal: bool
    publics: bytes
    program_vk: tuple[int, ...] = attrs.field(converter=tuple)

    @property
    def program_vk_bytes(self) -> bytes:
        return _words_to_bytes(self.program_vk)

    @property
    def zisk_vk_bytes(self) -> bytes:
        return _words_to_bytes(self.zisk_vk)

    def parsed_publics(self, source: str = "<proof>") -> ZiskPublics:
        return ZiskPublics.from_bytes(self.publics, f"{source} publics")

    def to_bytes(self) -> bytes:
        body = varint(_VADCOP) + encode_u64s(self.proof) + encode_u64s(self.zisk_vk) + encode_bool(self.minimal)
        vk = encode_u64s(self.program_vk)
        if self.codec == "1.0":
            body += encode_str(HASH_NAME)
            vk += varint(HASH_MODE)
        return body + encode_bytes(self.publics) + vk

    @classmethod
    def from_bytes(cls, data: bytes, codec: str, source: str = "<proof>") -> ZiskProofFile:
        if codec not in CODECS:
            raise ValueError(f"no Zisk proof codec {codec!r}")
        r = Reader(data, source)
        variant = r.u32()
        if variant == _PLONK:
            raise r.fail("a PLONK proof (made with --plonk) cannot be aggregated; prove without --plonk", 0)
        if variant != _VADCOP:
            raise r.fail(f"unknown ProofBody variant {variant}", 0)
        proof, zisk_vk, minimal = r.u64_vec(), r.u64_vec(), r.bool()
        if codec == "1.0":
            at = r.pos
            if (name := r.string()) != HASH_NAME:
                raise r.fail(f"proof hash family {name!r}; Ix's aggregation guest verifies {HASH_NAME} only", at)
        publics = r.bytes_vec()
        program_vk = r.u64_vec()
        if codec == "1.0":
            at = r.pos
            if (mode := r.u32()) != HASH_MODE:
                raise r.fail(f"program vk hash_mode {mode}; expected {HASH_MODE} ({HASH_NAME})", at)
        r.end()
        if len(zisk_vk) != VK_WORDS or len(program_vk) != VK_WORDS:
            raise InputError(f"{source}: zisk_vk and program_vk must be {VK_WORDS} words each")
        if len(publics) > 4 * NUM_PUBLICS:
            raise InputError(f"{source}: {len(publics)} bytes of publics exceed {NUM_PUBLICS} u32 slots")
        return cls(codec, proof, zisk_vk, minimal, publics, program_vk)

    def blob(self) -> ProofBlob:
        padded = self.publics + bytes(4 * NUM_PUBLICS - len(self.publics))
        slots = tuple(int.from_bytes(padded[i : i + 4], "little") for i in range(0, len(padded), 4))
        return ProofBlob(int(self.minimal), N_PUBLICS_WORD, self.program_vk, slots, self.proof, self.zisk_vk)


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
    def from_bytes(cls, data: bytes, source: str = "<blob>") -> ProofBlob:
        """Parse with the guest verifier's checks (verifier.rs at v0.18.0 and 1.0-beta)."""
        if len(data) % 8:
            raise InputError(f"{source}: proof blob of {len(data)} bytes is not a whole number of u64 words")
        words = _bytes_to_words(data)
        if len(words) < _HEAD + VK_WORDS:
            raise InputError(f"{source}: proof blob of {len(words)} words is shorter than its {_HEAD + VK_WORDS}-word frame")
        if words[0] > 1:
            raise InputError(f"{source}: offset 0: minimal flag {words[0]} is not 0 or 1")
        if words[1] != N_PUBLICS_WORD:
            raise InputError(f"{source}: offset 8: n_publics {words[1]}, the guest verifier requires {N_PUBLICS_WORD}")
        slots = words[2 + VK_WORDS : _HEAD]
        for j, w in enumerate(slots):
            if w >> 32:
                raise InputError(f"{source}: offset {8 * (2 + VK_WORDS + j)}: public slot {j} has a non-zero high half")
        return cls(words[0], words[1], words[2 : 2 + VK_WORDS], slots, words[_HEAD:-VK_WORDS], words[-VK_WORDS:])
