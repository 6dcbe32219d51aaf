"""Decoding hostile proof bytes: every malformed record is an InputError naming the file
and the offset, and nothing else is. Built on the hand-written record of
test_proofio_vector.py; each case killed a proofio mutant the suite let survive."""
from __future__ import annotations

import struct
from pathlib import Path

import attrs
import numpy as np
import pytest
from test_proofio_vector import PROOF, RECORD, A

from ixcore import proofio
from ixcore.errors import InputError

U64 = struct.Struct("<Q")
SUBJECTS_AT = RECORD.index(U64.pack(2) + A(6))  # offset of the subject count


def _err(data: bytes, message: str):
    with pytest.raises(InputError) as info:
        proofio.loads(data, source="p.proof")
    assert str(info.value) == f"p.proof: {message}"


def test_bare_record_and_record_of():
    got = proofio.loads(RECORD)
    assert got == PROOF and got.stats == {}
    assert proofio.record_of(proofio.dumps(PROOF)) == RECORD


def test_bad_magic_and_version():
    _err(b"IXPG" + RECORD[4:], "offset 0: not an ix proof (bad magic)")
    _err(RECORD[:4] + b"\x02" + RECORD[5:], "offset 4: unsupported proof version 2 (expected 1)")


def test_truncated_record():
    _err(RECORD[:-1], f"offset {len(RECORD) - 2}: truncated (needs 2 bytes, 1 left)")


def test_string_that_is_not_utf8():
    _err(RECORD[:13] + b"\xff" * 6 + RECORD[19:], "offset 5: string is not UTF-8")


def test_address_list_longer_than_the_file():
    head = RECORD[:SUBJECTS_AT]
    _err(head + U64.pack(3) + A(6) + A(7), f"offset {SUBJECTS_AT}: address list of 3 entries overruns the file")
    # exactly filling the rest is no overrun: the next field is what is missing
    _err(head + U64.pack(1) + A(6), f"offset {SUBJECTS_AT + 40}: truncated (needs 8 bytes, 0 left)")


def test_empty_strings_and_body_round_trip():
    p = attrs.evolve(PROOF, backend="", body=b"", stats={})
    assert proofio.loads(proofio.dumps(p)) == p


def test_trailer_errors_name_their_offset():
    n = len(RECORD)
    _err(RECORD + b"JUNK", f"offset {n}: unexpected trailing bytes after the proof record")
    with pytest.raises(InputError, match=rf"^p\.proof: offset {n + 12}: stats trailer is not JSON \("):
        proofio.loads(RECORD + b"STAT" + U64.pack(3) + b"{x}", source="p.proof")
    data = proofio.dumps(PROOF)
    _err(data + b"zz", f"offset {len(data)}: 2 trailing bytes after the stats")


def test_stats_are_sorted_json_and_odd_values_are_written_readably():
    p = attrs.evolve(PROOF, stats={"b": 1, "a": b"\x01\x02", "n": np.int64(5), "p": Path("x")})
    data = proofio.dumps(p)
    assert data[len(RECORD) + 12:] == b'{"a": "0102", "b": 1, "n": 5, "p": "x"}'


def test_messages_name_the_source_everywhere():
    n = len(RECORD)
    _err(RECORD + b"ST", f"offset {n}: truncated (needs 4 bytes, 2 left)")
    with pytest.raises(InputError, match=r"^<proof>: offset 0: not an ix proof \(bad magic\)$"):
        proofio.loads(b"IXPG" + RECORD[4:])
    with pytest.raises(InputError, match=r"^<proof>: offset 0: not an ix proof \(bad magic\)$"):
        proofio.record_of(b"IXPG" + RECORD[4:])
    with pytest.raises(InputError, match=r"^x\.proof: offset 0: truncated \(needs 4 bytes, 3 left\)$"):
        proofio.record_of(b"IXP", source="x.proof")
