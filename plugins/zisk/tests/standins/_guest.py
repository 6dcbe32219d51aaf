"""Shared core of the Zisk stand-ins: an independent reading of the formats ix writes.

Written separately from `ix_zisk` on purpose, from the spec text (ix-pipeline.md §4-5,
ecosystem.md §4.4-4.5), so that a bug in ix's encoders shows up as a stand-in failure
instead of cancelling out.
"""
from __future__ import annotations

import struct
import sys

import blake3

from ixcore.merkle import merkle_root

ELF_MAGIC = b"IX-STANDIN-ELF "
ZISK_VK_WORDS = (0x5A15, 0x4B, 0x56, 0x4B)  # the stand-in proving key's vadcop final vk (install.py)
EXPECTED_N_PUBLICS = 68  # verifier.rs: 4 program-vk words + 64 publics


def die(msg: str) -> NoReturn:  # noqa: F821
    sys.stderr.write(f"standin: {msg}\n")
    raise SystemExit(2)


def guest_kind(elf: bytes) -> str:
    if not elf.startswith(ELF_MAGIC):
        die("not a stand-in ELF")
    kind = elf[len(ELF_MAGIC):].strip().decode()
    if kind not in ("leaf", "agg"):
        die(f"unknown stand-in guest {kind!r}")
    return kind


def program_vk(elf: bytes) -> bytes:
    """What the stand-in's setup writes as the ELF's .verkey.bin."""
    return blake3.blake3(b"standin program vk" + elf).digest()


def frames(data: bytes) -> list[bytes]:
    out, pos = [], 0
    while pos < len(data):
        if len(data) - pos < 8:
            die(f"input offset {pos}: dangling frame header")
        (n,) = struct.unpack_from("<Q", data, pos)
        end = pos + 8 + n
        padded = end + (-(8 + n) % 8)
        if padded > len(data):
            die(f"input offset {pos}: frame of {n} bytes is truncated")
        if data[end:padded] != bytes(padded - end):
            die(f"input offset {end}: padding is not zero")
        out.append(data[pos + 8 : end])
        pos = padded
    return out


class Items:
    """bincode-2 standard items, one per frame, read in the agg guest's order."""

    def __init__(self, payloads: list[bytes]):
        self.payloads = list(payloads)

    def _next(self) -> bytes:
        if not self.payloads:
            die("aggregation input ends early")
        return self.payloads.pop(0)

    @staticmethod
    def _varint(b: bytes, pos: int) -> tuple[int, int]:
        head = b[pos]
        if head < 251:
            return head, pos + 1
        width = {251: 2, 252: 4, 253: 8}.get(head) or die(f"bad varint marker {head}")
        return int.from_bytes(b[pos + 1 : pos + 1 + width], "little"), pos + 1 + width

    def u32(self) -> int:
        b = self._next()
        v, end = self._varint(b, 0)
        if end != len(b) or v >= 1 << 32:
            die("a u32 item is malformed")
        return v

    def vec(self) -> bytes:
        b = self._next()
        n, start = self._varint(b, 0)
        if start + n != len(b):
            die(f"a Vec<u8> item says {n} bytes but carries {len(b) - start}")
        return b[start:]

    def done(self) -> None:
        if self.payloads:
            die(f"{len(self.payloads)} unread input frames")


def publics_bytes(id32: bytes, a: int, b: int, failures: int, subject: bytes, assumptions: bytes, count: int) -> bytes:
    return id32 + struct.pack("<III", a, b, failures) + subject + assumptions + struct.pack("<I", count)


def tag(vk: bytes, publics: bytes, zisk_vk: tuple[int, ...]) -> tuple[int, ...]:
    """The stand-in 'proof': valid under the zisk_vk it names, as a real proof is under its key."""
    d = blake3.blake3(b"standin proof" + vk + publics.ljust(256, b"\0") + struct.pack("<4Q", *zisk_vk)).digest()
    return struct.unpack("<4Q", d)


def leaf_guest(data: bytes) -> tuple[bytes, int]:
    """Run the leaf 'guest': returns (112 publics bytes, steps)."""
    from ixcore.formats.ixe import loads_ixe
    from ixcore.ixon.claims import leaf_claim

    parts = frames(data)
    if len(parts) != 3:
        die(f"leaf input has {len(parts)} frames, expected 3 (range, env, check list)")
    rng, env_bytes, check = parts
    if rng != bytes(8):
        die(f"closure injection ships range (0, 0), got {rng.hex()}")
    if not check or len(check) % 32:
        die(f"check list of {len(check)} bytes is not a non-empty packed address list")
    env = loads_ixe(env_bytes, "standin leaf input")
    wanted = [check[i : i + 32] for i in range(0, len(check), 32)]
    claim = leaf_claim(env, wanted)
    if claim.items != len(set(wanted)):
        die(f"check list names {len(set(wanted))} primaries but {claim.items} are work items of the sub-env")
    publics = publics_bytes(
        blake3.blake3(env_bytes).digest(), claim.items, 0, 0,
        merkle_root(claim.subjects), merkle_root(claim.assumptions), claim.checked_count,
    )
    return publics, 10_000 + 37 * len(env_bytes) + 1_000 * claim.items


def verify_blob(blob: bytes, i: int) -> tuple[int, ...]:
    """`verify_zisk_proof_c` + `verify_vadcop_final_proof` (verifier.rs at v0.18.0 and 1.0-beta):
    8-byte words, the last 4 are the vk, then at least 2 + 68 words with word 1 == 68."""
    if len(blob) % 8:
        die(f"child {i}: blob length {len(blob)} is not a multiple of 8")
    words = struct.unpack(f"<{len(blob) // 8}Q", blob)
    body = words[:-4]
    if len(words) < 4 or len(body) < 2 + EXPECTED_N_PUBLICS:
        die(f"child {i}: proof does not verify (blob of {len(words)} words is too short)")
    if body[1] != EXPECTED_N_PUBLICS:
        die(f"child {i}: proof does not verify (n_publics word {body[1]}, expected {EXPECTED_N_PUBLICS})")
    return words


def agg_guest(data: bytes) -> tuple[bytes, int]:
    """Run the mode-1 aggregation 'guest' over child blobs and witnesses."""
    items = Items(frames(data))
    mode = items.u32()
    if mode != 1:
        die(f"ix aggregates in mode 1 (discharge), got mode {mode}")
    vks = [items.vec() for _ in range(items.u32())]
    if len(vks) != 2 or any(len(v) != 32 for v in vks):
        die("the allowed vk list must be [leaf vk, agg vk], 32 bytes each")
    blobs = [items.vec() for _ in range(items.u32())]
    if not blobs:
        die("no child proofs")
    witness = [(items.vec(), items.vec()) for _ in blobs]
    items.done()
    vks_id = blake3.blake3(b"".join(vks)).digest()
    subjects, assumed = set(), set()
    for i, (blob, (s_raw, a_raw)) in enumerate(zip(blobs, witness)):
        words = verify_blob(blob, i)
        vk = struct.pack("<4Q", *words[2:6])
        slots = words[6:70]
        if any(w >> 32 for w in slots):
            die(f"child {i}: a public word has a non-zero high half")
        pub = b"".join(struct.pack("<I", w) for w in slots)
        if tuple(words[70:-4]) != tag(vk, pub, tuple(words[-4:])):  # against the blob's own vk
            die(f"child {i}: proof does not verify")
        if vk not in vks:
            die(f"child {i}: program vk not in the allowed set")
        if vks.index(vk) >= 1 and pub[:32] != vks_id:
            die(f"child {i}: aggregate child commits a foreign vks_id")
        if slots[10] != 0:
            die(f"child {i}: failures {slots[10]}")
        s_list = [s_raw[j : j + 32] for j in range(0, len(s_raw), 32)]
        a_list = [a_raw[j : j + 32] for j in range(0, len(a_raw), 32)]
        if len(s_raw) % 32 or len(a_raw) % 32:
            die(f"child {i}: witness list is not packed addresses")
        if merkle_root(s_list) != pub[44:76] or merkle_root(a_list) != pub[76:108]:
            die(f"child {i}: witness lists do not match the committed roots (forged witness)")
        subjects.update(s_list)
        assumed.update(a_list)
    n = len(blobs)
    publics = publics_bytes(vks_id, n, 1, 0, merkle_root(subjects), merkle_root(assumed - subjects), n)
    return publics, 5_000 + 2_000 * n
