"""The env root of a two-axiom environment, computed here byte by byte from docs/addresses.md
(only blake3 is shared with the code under test), so the address code cannot agree with itself."""
from __future__ import annotations

from blake3 import blake3

from ix_native.env import NdjsonFormat

META = '{"meta":{"exporter":{"name":"t","version":"0"},"format":{"version":"3.1.0"},"lean":{"githash":"x","version":"4.29.1"}}}'
LINES = [  # axiom A : Prop ; axiom B : A
    '{"in":1,"str":{"pre":0,"str":"A"}}', '{"in":2,"str":{"pre":0,"str":"B"}}',
    '{"ie":0,"sort":0}', '{"axiom":{"isUnsafe":false,"levelParams":[],"name":1,"type":0}}',
    '{"ie":1,"const":{"name":1,"us":[]}}', '{"axiom":{"isUnsafe":false,"levelParams":[],"name":2,"type":1}}',
]


def h(b: bytes) -> bytes:
    return blake3(b).digest()


def expected_root() -> bytes:
    name_a = bytes([1, 0x00, 1]) + b"A"  # 1 component, string, blob("A")
    name_b = bytes([1, 0x00, 1]) + b"B"
    sort0 = h(b"\x45" + b"\x01" + b"\x00")  # E || sort || level zero
    const_a = h(b"\x45" + b"\x02" + name_a + b"\x00")  # E || const || name || 0 levels
    # block record: kind 0 (decls), 1 member, member = kind 0 (axiom) name 0-params H(type) isUnsafe
    block_a = h(b"\x42" + b"\x00\x01" + b"\x00" + name_a + b"\x00" + sort0 + b"\x00" + b"\x00")  # no refs
    ref_a = name_a + b"\x01" + block_a + b"\x00"  # A is member 0 of block_a
    block_b = h(b"\x42" + b"\x00\x01" + b"\x00" + name_b + b"\x00" + const_a + b"\x00" + b"\x01" + ref_a)
    # standalone axioms: each proven target is its block address; merkle over the sorted pair
    lo, hi = sorted([block_a, block_b])
    return h(b"\x01" + h(b"\x00" + lo) + h(b"\x00" + hi))


def test_env_root_matches_the_hand_computed_bytes(tmp_path):
    p = tmp_path / "ab.ndjson"
    p.write_text("\n".join([META, *LINES]) + "\n")
    env = NdjsonFormat().load(p)
    assert bytes(env.env_root()) == expected_root()
