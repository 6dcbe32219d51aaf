"""The proof id of one proof, computed here byte by byte from the record layout documented
in ixcore/proofio.py (only blake3 is shared with the code under test)."""
from __future__ import annotations

from blake3 import blake3

from ixcore import proofio
from ixcore.model import Claim, Proof


def A(byte: int) -> bytes:
    return bytes([byte]) * 32


PROOF = Proof("native", "agg", A(1), Claim(A(2), 0, A(3), A(4), 7, 1, A(5)), [A(6), A(7)], [A(8)],
              b"\xde\xad", "0.1+k", {"seconds": 9.5})

RECORD = (
    b"IXPF" + b"\x01"
    + b"\x06\x00\x00\x00\x00\x00\x00\x00" + b"native"
    + b"\x03\x00\x00\x00\x00\x00\x00\x00" + b"agg"
    + A(1)
    + b"\x05\x00\x00\x00\x00\x00\x00\x00" + b"0.1+k"
    + A(2) + b"\x00" * 8 + A(3) + A(4) + b"\x07" + b"\x00" * 7 + b"\x01" + A(5)  # the claim
    + b"\x02" + b"\x00" * 7 + A(6) + A(7)  # subjects
    + b"\x01" + b"\x00" * 7 + A(8)  # assumptions
    + b"\x02" + b"\x00" * 7 + b"\xde\xad"  # body
)


def test_record_and_proof_id_match_the_hand_computed_bytes():
    assert proofio.encode(PROOF) == RECORD
    assert bytes(proofio.proof_id(PROOF)) == blake3(RECORD).digest()


def test_stats_are_a_trailer_outside_the_id():
    data = proofio.dumps(PROOF)
    stats = b'{"seconds": 9.5}'
    assert data == RECORD + b"STAT" + bytes([len(stats)]) + b"\x00" * 7 + stats
    assert proofio.loads(data) == PROOF
