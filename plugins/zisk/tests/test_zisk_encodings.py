"""Golden bytes for everything ix-zisk writes or reads: frames, varints, publics, proofs."""
import pytest

from ix_zisk.bincode import Reader, encode_bytes, encode_u64s, varint
from ix_zisk.proof import ProofBlob, ZiskProofFile
from ix_zisk.publics import ZiskPublics
from ix_zisk.stdin import agg_stdin, frame, leaf_stdin, read_frames
from ixcore.address import Address
from ixcore.errors import InputError

A = Address(bytes(range(32)))
B = Address(bytes(range(32, 64)))


@pytest.mark.parametrize(
    "value, encoded",
    [
        (0, "00"),
        (250, "fa"),
        (251, "fbfb00"),
        (65535, "fbffff"),
        (65536, "fc00000100"),
        (2**32 - 1, "fcffffffff"),
        (2**32, "fd0000000001000000"),
    ],
)
def test_varint_golden(value, encoded):
    assert varint(value).hex() == encoded
    r = Reader(bytes.fromhex(encoded), "t")
    assert r.varint() == value
    r.end()


def test_varint_rejects_non_canonical_and_u128():
    with pytest.raises(InputError, match="offset 0: non-canonical"):
        Reader(bytes.fromhex("fb0a00"), "t").varint()
    with pytest.raises(InputError, match="invalid varint marker 0xfe"):
        Reader(b"\xfe" + bytes(16), "t").varint()


def test_frame_golden():
    assert frame(b"").hex() == "00" * 8
    assert frame(b"abc").hex() == "0300000000000000" + "616263" + "00" * 5
    assert frame(b"12345678").hex() == "0800000000000000" + b"12345678".hex()


def test_read_frames_strict():
    data = frame(b"abc") + frame(b"")
    assert read_frames(data) == [b"abc", b""]
    with pytest.raises(InputError, match="non-zero frame padding"):
        read_frames(data[:11] + b"\x01" + data[12:])
    with pytest.raises(InputError, match="runs past the end"):
        read_frames(data[:12])


def test_leaf_stdin_golden():
    got = leaf_stdin(b"ENV", bytes(A))
    want = (
        "0800000000000000" + "00" * 8                       # range (0, 0)
        + "0300000000000000" + b"ENV".hex() + "00" * 5      # env bytes
        + "2000000000000000" + bytes(A).hex()               # one packed address
    )
    assert got.hex() == want
    assert read_frames(got) == [bytes(8), b"ENV", bytes(A)]


def test_agg_stdin_golden_mode1():
    got = agg_stdin(1, [bytes(A), bytes(B)], [b"\x11" * 8], [([A], [])])
    items = read_frames(got)
    assert [i.hex() for i in items] == [
        "01",                         # mode
        "02",                         # number of vks
        "20" + bytes(A).hex(),        # Vec<u8> vk 0 (leaf)
        "20" + bytes(B).hex(),        # Vec<u8> vk 1 (aggregate)
        "01",                         # number of proofs
        "08" + "11" * 8,              # proof blob
        "20" + bytes(A).hex(),        # child 0 subjects (packed)
        "00",                         # child 0 assumptions (empty)
    ]
    assert got[:16].hex() == "0100000000000000" + "01" + "00" * 7


def test_agg_stdin_mode0_has_no_witness_and_mode1_needs_one():
    assert len(read_frames(agg_stdin(0, [bytes(A)], [], None))) == 4
    with pytest.raises(ValueError):
        agg_stdin(1, [bytes(A)], [b"x" * 8], None)


def _publics():
    return ZiskPublics(A, 3, 0, 0, B, Address(bytes(32)), 7)


def test_publics_golden_layout():
    raw = _publics().to_bytes()
    assert len(raw) == 112
    assert raw.hex() == (
        bytes(A).hex() + "03000000" + "00000000" + "00000000" + bytes(B).hex() + "00" * 32 + "07000000"
    )
    slots = _publics().slots()
    assert slots[8] == 3 and slots[10] == 0 and slots[27] == 7
    assert slots[11] == int.from_bytes(bytes(B)[:4], "little")   # subject starts at slot 11
    assert ZiskPublics.from_slots(slots) == _publics()
    assert ZiskPublics.from_bytes(raw + bytes(144)) == _publics()
    with pytest.raises(InputError, match="offset 112: unused public slots"):
        ZiskPublics.from_bytes(raw + b"\x01")


def test_publics_to_claims():
    leaf = _publics().leaf_claim(bytes(B))
    assert (leaf.env_hash, leaf.subject_root, leaf.checked, leaf.mode, leaf.vks_id) == (A, B, 7, 0, B)
    agg = ZiskPublics(A, 2, 1, 0, B, bytes(32), 2).agg_claim()
    assert (agg.vks_id, agg.mode, agg.checked, agg.unconditional) == (A, 1, 2, True)


def _proof_file(codec="0.18"):
    return ZiskProofFile(codec, (1, 300), (1, 2, 3, 4), False, _publics().to_bytes(), (5, 6, 7, 8))


_V18_HEX = (
    "00"                        # ProofBody::Vadcop
    + "0201fb2c01"              # proof: Vec<u64> [1, 300]
    + "0401020304"              # zisk_vk
    + "00"                      # minimal = false
)


def test_proof_file_golden_0_18():
    raw = _proof_file().to_bytes()
    assert raw.hex() == _V18_HEX + "70" + _publics().to_bytes().hex() + "0405060708"  # publics Vec<u8> of 112, program_vk
    assert ZiskProofFile.from_bytes(raw, "0.18") == _proof_file()
    with pytest.raises(InputError, match="PLONK"):
        ZiskProofFile.from_bytes(b"\x01" + raw[1:], "0.18")
    with pytest.raises(InputError, match="trailing"):
        ZiskProofFile.from_bytes(raw + b"\x00", "0.18")
    with pytest.raises(InputError):
        ZiskProofFile.from_bytes(raw, "1.0")  # no hash String where 1.0 has one


def test_proof_file_golden_1_0():
    """1.0-beta: Vadcop{..., hash: String} and ProgramVK{vk, hash_mode} (formats.md)."""
    raw = _proof_file("1.0").to_bytes()
    assert raw.hex() == (_V18_HEX + "09" + b"Poseidon1".hex()  # hash: String
                         + "70" + _publics().to_bytes().hex() + "0405060708" + "00")  # hash_mode Poseidon1
    assert ZiskProofFile.from_bytes(raw, "1.0") == _proof_file("1.0")
    with pytest.raises(InputError, match="trailing"):
        ZiskProofFile.from_bytes(raw, "0.18")
    p2 = raw.replace(b"Poseidon1", b"Poseidon2")
    with pytest.raises(InputError, match="hash family 'Poseidon2'"):
        ZiskProofFile.from_bytes(p2, "1.0")
    with pytest.raises(InputError, match="hash_mode 1"):
        ZiskProofFile.from_bytes(raw[:-1] + b"\x01", "1.0")


@pytest.mark.parametrize("codec", ["0.18", "1.0"])
def test_proof_blob_golden(codec):
    blob = _proof_file(codec).blob()
    raw = blob.to_bytes()
    words = [int.from_bytes(raw[i : i + 8], "little") for i in range(0, len(raw), 8)]
    assert words[:6] == [0, 68, 5, 6, 7, 8]       # word 1 = 4 program-vk words + 64 publics
    assert words[6 + 10] == 0                     # failures slot, where the agg guest reads it
    assert words[6 + 27] == 7
    assert words[6 + 28 : 6 + 64] == [0] * 36
    assert words[70:] == [1, 300, 1, 2, 3, 4]
    assert ProofBlob.from_bytes(raw) == blob
    assert blob.publics() == _publics()
    bad = bytearray(raw)
    bad[8 * 6 + 4] = 1                            # high half of slot 0
    with pytest.raises(InputError, match="offset 48: public slot 0 has a non-zero high half"):
        ProofBlob.from_bytes(bytes(bad))
    bad = bytearray(raw)
    bad[8] = 64                                   # the value the guest verifier rejects
    with pytest.raises(InputError, match="offset 8: n_publics 64, the guest verifier requires 68"):
        ProofBlob.from_bytes(bytes(bad))


def test_bincode_vectors():
    assert encode_bytes(b"ab").hex() == "026162"
    assert encode_u64s([2**40]).hex() == "01fd0000000000010000"
