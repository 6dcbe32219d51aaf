"""Canonical proof serialization and the proof id.

A proof file is the canonical record followed by an optional stats trailer:

    record  = "IXPF" u8:version
              str:backend str:kind addr:program_id str:kernel_version
              claim: addr:env_hash u64:failures addr:subject_root addr:assumptions_root
                     u64:checked u8:mode addr:vks_id
              u64:n addr*n (subjects)  u64:m addr*m (assumptions)  bytes:body
    trailer = "STAT" bytes:json(stats)          (measurements; not part of identity)
    str/bytes = u64 LE length ‖ payload

The proof id is blake3(record): two proofs with the same public values, witnesses and
body share an id whatever their timings were. Decoding is strict: every length is
bounds-checked and any malformed byte is an InputError naming the source and offset.
"""
from __future__ import annotations

import json
import struct

from .address import ADDRESS_LEN, Address
from .errors import InputError
from .model import Claim, Proof

MAGIC = b"IXPF"
VERSION = 1
STATS_TAG = b"STAT"
_U64 = struct.Struct("<Q")


def encode(proof: Proof, body: bytes | None = None) -> bytes:
    """The canonical record (what the proof id hashes); `body` replaces the proof's body
    (a signer encodes the proof as it will be, minus the signature)."""
    c = proof.claim
    out = bytearray(MAGIC)
    out.append(VERSION)
    _put_bytes(out, proof.backend.encode())
    _put_bytes(out, proof.kind.encode())
    out += proof.program_id
    _put_bytes(out, proof.kernel_version.encode())
    out += c.env_hash
    out += _U64.pack(c.failures)
    out += c.subject_root
    out += c.assumptions_root
    out += _U64.pack(c.checked)
    out.append(c.mode)
    out += c.vks_id
    for addrs in (proof.subjects, proof.assumptions):
        out += _U64.pack(len(addrs))
        out += b"".join(addrs)
    _put_bytes(out, proof.body if body is None else body)
    return bytes(out)


def proof_id(proof: Proof) -> Address:
    return Address.hash(encode(proof))


def loads_with_id(data: bytes, *, source: str = "<proof>") -> tuple[Proof, Address]:
    """`loads` and the proof's id, hashed from the record bytes as read: decoding is
    strict and every field has one byte form, so they are the bytes `encode` would give
    (the witness lists are not encoded again)."""
    proof, end = _load(data, source)
    return proof, Address.hash(data[:end])


def dumps(proof: Proof) -> bytes:
    """Record plus the stats trailer (the on-disk form)."""
    stats = json.dumps(proof.stats, sort_keys=True, default=_jsonable).encode()
    out = bytearray(encode(proof))
    out += STATS_TAG
    _put_bytes(out, stats)
    return bytes(out)


def loads(data: bytes, *, source: str = "<proof>") -> Proof:
    """Parse `dumps` (or bare `encode`) output; raises InputError on any malformed byte."""
    return _load(data, source)[0]


def _load(data: bytes, source: str) -> tuple[Proof, int]:
    """The proof of `loads` and where its record ends."""
    fields, end = _decode_fields(data, source)
    stats: dict = {}
    if end < len(data):
        r = _Reader(data, source, end)
        if r.take(4) != STATS_TAG:
            raise InputError(f"{source}: offset {end}: unexpected trailing bytes after the proof record")
        raw = r.bytes_()
        try:
            stats = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            raise InputError(f"{source}: offset {end + 12}: stats trailer is not JSON ({exc})") from None
        if r.pos != len(data):
            raise InputError(f"{source}: offset {r.pos}: {len(data) - r.pos} trailing bytes after the stats")
    return Proof(**fields, stats=stats), end


def record_of(data: bytes, *, source: str = "<proof>") -> bytes:
    """The canonical record prefix of a proof file (to recompute the id)."""
    _, end = _decode_record(data, source)
    return data[:end]


def _decode_record(data: bytes, source: str) -> tuple[Proof, int]:
    fields, end = _decode_fields(data, source)
    return Proof(**fields), end


def _decode_fields(data: bytes, source: str) -> tuple[dict, int]:
    """The record's fields as Proof keywords, and where the record ends."""
    r = _Reader(data, source, 0)
    if r.take(4) != MAGIC:
        raise InputError(f"{source}: offset 0: not an ix proof (bad magic)")
    version = r.u8()
    if version != VERSION:
        raise InputError(f"{source}: offset 4: unsupported proof version {version} (expected {VERSION})")
    backend = r.text()
    kind = r.text()
    program_id = r.addr()
    kernel_version = r.text()
    claim = Claim(
        env_hash=r.addr(), failures=r.u64(), subject_root=r.addr(), assumptions_root=r.addr(),
        checked=r.u64(), mode=r.u8(), vks_id=r.addr(),
    )
    subjects = r.addrs()
    assumptions = r.addrs()
    body = r.bytes_()
    fields = {"backend": backend, "kind": kind, "program_id": program_id, "claim": claim, "subjects": subjects,
              "assumptions": assumptions, "body": body, "kernel_version": kernel_version}
    return fields, r.pos


def _put_bytes(out: bytearray, payload: bytes) -> None:
    out += _U64.pack(len(payload))
    out += payload


def _jsonable(x):
    if isinstance(x, bytes):
        return x.hex()
    if hasattr(x, "item"):  # numpy scalars
        return x.item()
    return str(x)


class _Reader:
    def __init__(self, data: bytes, source: str, pos: int):
        self.data, self.source, self.pos = data, source, pos

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise InputError(
                f"{self.source}: offset {self.pos}: truncated (needs {n} bytes, {len(self.data) - self.pos} left)"
            )
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def u8(self) -> int:
        return self.take(1)[0]

    def u64(self) -> int:
        return _U64.unpack(self.take(8))[0]

    def addr(self) -> Address:
        return Address(self.take(ADDRESS_LEN))

    def bytes_(self) -> bytes:
        return self.take(self.u64())

    def text(self) -> str:
        at = self.pos
        raw = self.bytes_()
        try:
            return raw.decode()
        except UnicodeDecodeError:
            raise InputError(f"{self.source}: offset {at}: string is not UTF-8") from None

    def addrs(self) -> tuple[Address, ...]:
        at = self.pos
        n = self.u64()
        if n * ADDRESS_LEN > len(self.data) - self.pos:
            raise InputError(f"{self.source}: offset {at}: address list of {n} entries overruns the file")
        raw = self.take(n * ADDRESS_LEN)
        # every slice is exactly ADDRESS_LEN bytes, which is all Address() would check
        new = bytes.__new__
        return tuple([new(Address, raw[i : i + ADDRESS_LEN]) for i in range(0, len(raw), ADDRESS_LEN)])
