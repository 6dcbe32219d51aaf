"""ZiskStdin input files for Ix's two guests.

A ZiskStdin file is a sequence of frames `u64 LE length ‖ payload ‖ zero pad` (the pad
rounds 8 + length up to a multiple of 8). The leaf guest reads three raw frames
(`read_input_slice`); the aggregation guest reads one bincode-2 item per frame
(`ziskos::io::read`). Both orders are fixed by the guests (ix-pipeline.md §4, §5).
"""
from __future__ import annotations

from typing import Sequence

from ixcore.address import ADDRESS_LEN, pack
from ixcore.errors import InputError

from .bincode import encode_bytes, varint

MODE_JOIN, MODE_DISCHARGE = 0, 1


def frame(payload: bytes) -> bytes:
    pad = (-(8 + len(payload))) % 8
    return len(payload).to_bytes(8, "little") + bytes(payload) + b"\0" * pad


def read_frames(data: bytes, source: str = "<stdin>") -> list[bytes]:
    """Split a ZiskStdin file into payloads; a short frame or non-zero pad is an error."""
    frames, pos = [], 0
    while pos < len(data):
        if pos + 8 > len(data):
            raise InputError(f"{source}: offset {pos}: truncated frame header")
        n = int.from_bytes(data[pos : pos + 8], "little")
        body = pos + 8
        pad = (-(8 + n)) % 8
        if body + n + pad > len(data):
            raise InputError(f"{source}: offset {pos}: frame of {n} bytes runs past the end")
        if any(data[body + n : body + n + pad]):
            raise InputError(f"{source}: offset {body + n}: non-zero frame padding")
        frames.append(bytes(data[body : body + n]))
        pos = body + n + pad
    return frames


def leaf_stdin(env_bytes: bytes, check_list: bytes, start: int = 0, end: int = 0) -> bytes:
    """The leaf guest's input: range, (sub-)env bytes, packed check list.

    Closure injection ships `range = (0, 0)` with a non-empty check list.
    """
    if len(check_list) % ADDRESS_LEN:
        raise ValueError("check list must be packed 32-byte addresses")
    rng = start.to_bytes(4, "little") + end.to_bytes(4, "little")
    return frame(rng) + frame(env_bytes) + frame(check_list)


def agg_stdin(
    mode: int,
    vks: Sequence[bytes],
    proofs: Sequence[bytes],
    witnesses: Sequence[tuple[Sequence[bytes], Sequence[bytes]]] | None,
) -> bytes:
    """The aggregation guest's input, one bincode item per frame.

    mode, len(vks), each vk (`Vec<u8>` of 32), len(proofs), each proof blob, and in mode 1
    per child its packed subject list then its packed assumption list.
    """
    if mode not in (MODE_JOIN, MODE_DISCHARGE):
        raise ValueError(f"aggregation mode must be 0 or 1, got {mode}")
    if mode == MODE_DISCHARGE and (witnesses is None or len(witnesses) != len(proofs)):
        raise ValueError("mode 1 needs one (subjects, assumptions) witness per proof")
    items = [varint(mode), varint(len(vks))]
    for vk in vks:
        if len(vk) != 32:
            raise ValueError("a program vk is 32 bytes")
        items.append(encode_bytes(vk))
    items.append(varint(len(proofs)))
    items.extend(encode_bytes(p) for p in proofs)
    if mode == MODE_DISCHARGE:
        for subjects, assumptions in witnesses:
            items.append(encode_bytes(pack(subjects)))
            items.append(encode_bytes(pack(assumptions)))
    return b"".join(frame(i) for i in items)

