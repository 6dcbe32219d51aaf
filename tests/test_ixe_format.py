"""`.ixe` reader/writer: canonical bytes, both header versions, full verification, and
one-line errors with offsets for malformed files."""
from __future__ import annotations

import json

import pytest

from ixcore.errors import InputError
from ixcore.formats.ixe import IxeFormat, dumps_ixe, loads_ixe, read_ixe, sniff_ixe
from ixcore.ixon.env import Hint, IxonEnv, NamedEntry
from ixcore.ixon.fixtures import fixture_env, write_fixture_ixe
from ixcore.ixon.metadata import parse_window
from ixcore.ixon.names import Name, topological_names


def _derived(shared_dir) -> dict[str, bytes]:
    envs = json.loads((shared_dir / "golden/ixon-vectors/ixon_vectors.json").read_text())["derived_envs"]["envs"]
    return {("empty" if e["name"].startswith("empty") else "nat"): bytes.fromhex(e["hex"]) for e in envs}


def test_empty_env_is_74_bytes():
    data = dumps_ixe(IxonEnv())
    assert len(data) == 74 and data[0] == 0xE1 and data[1:33] == bytes(32)
    assert loads_ixe(data).consts == {}


def test_derived_envs_roundtrip_byte_identical(shared_dir):
    """The two env byte strings are spec-derived, not written by Ix (no Ix-written .ixe
    exists); they pin our writer to the spec's §7 rules."""
    for name, data in _derived(shared_dir).items():
        env = loads_ixe(data, name)
        assert dumps_ixe(env) == data, name


def test_fixture_roundtrips_in_both_versions(tmp_path):
    path = write_fixture_ixe(tmp_path / "fx.ixe")
    data = path.read_bytes()
    assert write_fixture_ixe(tmp_path / "again.ixe").read_bytes() == data  # deterministic
    env = read_ixe(path)
    assert dumps_ixe(env) == data
    e0 = dumps_ixe(env, version=0)
    assert e0[0] == 0xE0 and e0[1:] == data[1:]
    assert loads_ixe(e0).version == 0 and dumps_ixe(loads_ixe(e0)) == e0


def test_fixture_sections_are_read_back(tmp_path):
    env = read_ixe(write_fixture_ixe(tmp_path / "fx.ixe"))
    expected = fixture_env()
    assert env.consts == expected.consts and env.blobs == expected.blobs
    assert env.hints == expected.hints and env.named == expected.named
    assert env.hints[env.named[Name.parse("Fixture.two")].addr] == Hint.regular(1)
    assert Name.parse("Nat.succ") in env.named and env.names[Name.parse("Nat").address()] == Name.parse("Nat")
    for entry in env.named.values():
        window = parse_window(entry.window, len(env.names))
        assert window.meta.kind == "Empty" and window.original is None


def test_names_section_is_topological_with_anon_first():
    names = [Name.parse("B.c.d"), Name(("A", 7)), Name.parse("B")]
    table = topological_names(names)
    assert table[0][0] == Name(()) and str(table[0][1]) == "2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213"
    seen = set()
    for name, h in table:
        assert name.parent in seen or not name.parts
        assert h == name.address()
        seen.add(name)
    assert {n for n, _ in table} >= {Name.parse("B.c"), Name(("A",))}


def test_named_entries_with_metadata_and_originals_roundtrip():
    env = fixture_env()
    addr = next(iter(env.consts))
    # Def meta: name 1, no lvls/all/ctx, arena [Leaf], roots 0/0; four empty tables; original.
    meta = bytes([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0])
    window = meta + b"\x01" + bytes(addr) + bytes([255, 0, 0, 0, 0])
    env.named[Name.parse("Meta.x")] = NamedEntry(addr, Hint.opaque(), window)
    back = loads_ixe(dumps_ixe(env))
    assert back.named[Name.parse("Meta.x")] == NamedEntry(addr, Hint.opaque(), window)
    parsed = parse_window(window, len(back.names))
    assert parsed.meta.kind == "Def" and parsed.original == addr and parsed.original_meta.kind == "Empty"


def test_sniff(tmp_path):
    path = write_fixture_ixe(tmp_path / "fx.ixe")
    assert IxeFormat().sniff(path) and sniff_ixe(path.read_bytes()[:34])
    other = tmp_path / "x.bin"
    other.write_bytes(b"IXPROF\0\0" + bytes(40))
    assert not IxeFormat().sniff(other)


# --- malformed input ------------------------------------------------------------------

@pytest.fixture(scope="module")
def fixture_bytes() -> bytes:
    from ixcore.formats.ixe import dumps_ixe as dump

    return dump(fixture_env())


def _err(data: bytes, **kw) -> str:
    with pytest.raises(InputError) as info:
        loads_ixe(data, "bad.ixe", **kw)
    msg = str(info.value)
    assert "\n" not in msg and msg.startswith("bad.ixe: offset ")
    return msg


def test_every_truncation_is_a_one_line_error(fixture_bytes):
    for cut in range(len(fixture_bytes)):
        _err(fixture_bytes[:cut])


def test_bad_header_version_and_trailing_garbage(fixture_bytes):
    assert "offset 0: expected an .ixe header byte E0 or E1, found e2" in _err(b"\xe2" + fixture_bytes[1:])
    assert "offset 0: expected an .ixe header byte E0 or E1, found d0" in _err(b"\xd0" + fixture_bytes[1:])
    msg = _err(fixture_bytes + b"\x00\x01")
    assert f"offset {len(fixture_bytes)}: expected end of file" in msg and "2 trailing bytes" in msg


def test_hash_mismatch_and_bad_root(fixture_bytes):
    env = fixture_env()
    first = min(env.consts)
    at = fixture_bytes.index(bytes(first))
    body_at = at + 32 + 1  # address, Tag0 length (< 128 here)
    flipped = bytearray(fixture_bytes)
    flipped[body_at + 1] ^= 0x01
    assert f"offset {at}: expected constant bytes hashing to {first}" in _err(bytes(flipped))
    bad_root = bytearray(fixture_bytes)
    bad_root[5] ^= 0xFF
    assert "offset 1: expected header merkle root" in _err(bytes(bad_root))
    assert loads_ixe(bytes(bad_root), trust=True).consts == env.consts  # trust skips hashes and root


def test_blob_hash_and_order_are_checked(fixture_bytes):
    env = fixture_env()
    blob = next(iter(env.blobs))
    at = fixture_bytes.index(bytes(blob))
    data = bytearray(fixture_bytes)
    data[at + 33] ^= 0x07  # the blob byte after its 1-byte length
    assert f"offset {at}: expected blob bytes hashing to {blob}" in _err(bytes(data))
