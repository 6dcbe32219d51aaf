""".ixes: every golden manifest loads and re-writes to identical bytes; manifests rebuilt
from the golden assignments match Ix's sha256; random manifests round-trip; each
malformed input is a one-line InputError naming the offset."""
from __future__ import annotations

import hashlib
import json
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ixcore.address import Address
from ixcore.errors import InputError
from ixcore.formats.ixes import MAX_TREE_DEPTH, dumps_ixes, loads_ixes, read_ixes, read_ixes_meta, write_ixes
from ixcore.formats.ixprof import read_ixprof
from ixcore.manifest import Internal, Leaf, ShardEntry, ShardManifest, balanced_agg_tree, tree_from_json
from ixcore.merkle import merkle_root


def _index(shared):
    return json.loads((shared / "golden/ix/index.json").read_text())


def test_golden_manifests_load_and_rewrite_identically(shared_dir):
    root = shared_dir / "golden/ix"
    main_unreadable = {c["ixes"] for c in _index(shared_dir)["cases"] if c.get("ixes_written_but_unreadable")}
    files = sorted(root.glob("*/ixes/*.ixes"))
    assert len(files) == 88
    legacy_count = 0
    for path in files:
        rel = str(path.relative_to(root))
        data = path.read_bytes()
        try:
            manifest = read_ixes(path)
            legacy = False
        except InputError as exc:
            # Ix main rejects these too: [411]-style trees that omit empty shards
            assert rel in main_unreadable or rel.startswith("v411/"), rel
            assert "do not match the manifest's shard ids" in str(exc)
            manifest = read_ixes(path, legacy_411=True)
            legacy = True
            legacy_count += 1
        assert dumps_ixes(manifest, legacy_411=legacy) == data, rel
    assert legacy_count == 16 and main_unreadable <= {str(f.relative_to(root)) for f in files}


def test_manifests_rebuilt_from_golden_assignments_match_ix(shared_dir):
    """Covers the manifests left out of the golden folder (50k cases) via their sha256."""
    root = shared_dir / "golden/ix"
    cases = [c for c in _index(shared_dir)["cases"] if c.get("result")]
    assert len(cases) >= 90
    profiles = {}
    for case in cases:
        result = json.loads((root / case["result"]).read_text())
        prof = profiles.setdefault(case["profile"], None) or read_ixprof(root / case["profile"])
        profiles[case["profile"]] = prof
        manifest = ShardManifest.build(prof, result["shard_of"], tree_from_json(result["tree"]), result["num_shards"])
        assert manifest.total_cross_ingress == case["km1"]
        data = dumps_ixes(manifest, legacy_411=True)
        assert hashlib.sha256(data).hexdigest() == case["ixes_sha256"], case["result"]


@st.composite
def trees(draw, ids):
    ids = list(ids)
    if len(ids) == 1:
        return Leaf(ids[0])
    cut = draw(st.integers(1, len(ids) - 1))
    return Internal(draw(trees(ids[:cut])), draw(trees(ids[cut:])))


@st.composite
def manifests(draw):
    k = draw(st.integers(0, 6))
    pool = draw(st.lists(st.binary(min_size=32, max_size=32), max_size=20, unique=True))
    home = [draw(st.integers(0, max(k - 1, 0))) for _ in pool] if k else []
    shards = []
    for sid in range(k):
        blocks = sorted(a for a, h in zip(pool, home) if h == sid)
        foreign = sorted(draw(st.sets(st.sampled_from(pool), max_size=3))) if pool else []
        cross = draw(st.integers(0, 2**40))
        shards.append(
            ShardEntry(
                sid,
                draw(st.integers(0, 2**64 - 1)),
                draw(st.integers(0, 2**64 - 1)),
                cross,
                merkle_root(foreign) if foreign else None,
                blocks,
                foreign,
            )
        )
    order = draw(st.permutations(range(k))) if k else []
    tree = draw(st.one_of(st.none(), trees(order))) if k else None
    return ShardManifest(sum(s.cross_ingress for s in shards), shards, tree)


@settings(max_examples=80, deadline=None)
@given(manifests())
def test_random_manifests_round_trip(manifest):
    data = dumps_ixes(manifest)
    back = loads_ixes(data)
    assert back == manifest
    assert dumps_ixes(back) == data


def _sample() -> ShardManifest:
    a, b, c = (Address(bytes([i]) * 32) for i in (1, 2, 3))
    shards = [
        ShardEntry(0, 5, 100, 0, None, [a], []),
        ShardEntry(1, 7, 200, 100, merkle_root([a]), [b, c], [a]),
    ]
    return ShardManifest(100, shards, Internal(Leaf(0), Leaf(1)))


SAMPLE = dumps_ixes(_sample())
S0 = 8 + 16 + 4              # shard 0 header
S0_FLAG = S0 + 28
S0_BLOCKS = S0_FLAG + 1 + 4  # shard 0's first block address
S1 = S0_BLOCKS + 32 + 4      # shard 1 header
S1_BLOCKS = S1 + 28 + 1 + 32 + 4
TREE = len(SAMPLE) - 1 - 11  # tree_present byte; tree = 01 | 00 id0 | 00 id1


def patched(offset: int, raw: bytes) -> bytes:
    return SAMPLE[:offset] + raw + SAMPLE[offset + len(raw) :]


def test_sample_layout():
    assert SAMPLE[TREE:] == b"\x01\x01\x00" + struct.pack("<I", 0) + b"\x00" + struct.pack("<I", 1)
    assert SAMPLE[S1:S1 + 4] == struct.pack("<I", 1)


MALFORMED = {
    "bad magic": (patched(0, b"IXEZ"), 0, "bad magic"),
    "truncated header": (SAMPLE[:20], 8, "truncated: total_cross_ingress"),
    "truncated shard header": (SAMPLE[: S0 + 10], S0, "shard 0 header"),
    "truncated block list": (SAMPLE[: S0_BLOCKS + 5], S0_BLOCKS, "shard 0 block addresses"),
    "truncated tree": (SAMPLE[:-2], len(SAMPLE) - 4, "AggNode leaf id"),
    "bad AggNode tag": (patched(TREE + 1, b"\x07"), TREE + 1, "bad AggNode tag 7"),
    "tree names a shard twice": (patched(len(SAMPLE) - 4, struct.pack("<I", 0)), TREE, "names a shard twice"),
    "tree misses a shard (Ix main)": (SAMPLE[:TREE] + b"\x01\x00" + struct.pack("<I", 1), TREE, "do not match"),
    "shard id not its index": (patched(S1, struct.pack("<I", 5)), S1, "position 1 has id 5"),
    "block in two shards": (patched(S1_BLOCKS, bytes([1]) * 32), S1_BLOCKS, "listed twice (shard 0 and shard 1)"),
    "trailing bytes after tree": (SAMPLE + b"\0\0", len(SAMPLE), "2 trailing bytes after the aggregation tree"),
    "asm_present not 0/1": (patched(S0_FLAG, b"\x02"), S0_FLAG, "asm_present byte is 2"),
    "tree_present not 0/1": (patched(TREE, b"\x05"), TREE, "tree_present byte is 5"),
    "total differs from shards": (patched(8, (99).to_bytes(16, "little")), 8, "differs from the sum"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_manifests_name_the_offset(case):
    data, offset, needle = MALFORMED[case]
    with pytest.raises(InputError) as info:
        loads_ixes(data, source="m.ixes")
    message = str(info.value)
    assert message.startswith(f"m.ixes: offset {offset}: ") and needle in message and "\n" not in message


def test_old_manifest_without_trailer_has_no_tree():
    no_trailer = SAMPLE[:TREE]
    assert loads_ixes(no_trailer).tree is None
    assert loads_ixes(no_trailer + b"\x00").tree is None


def test_deep_tree_is_rejected_not_a_recursion_error():
    depth = MAX_TREE_DEPTH + 5
    shards = [ShardEntry(i, 0, 0, 0, None, [], []) for i in range(depth + 1)]
    body = dumps_ixes(ShardManifest(0, shards, None))[:-1]
    tree = b"\x01" * depth + b"".join(b"\x00" + struct.pack("<I", i) for i in range(depth + 1))
    with pytest.raises(InputError, match="deeper than"):
        loads_ixes(body + b"\x01" + tree)


def test_writer_enforces_ix_main_tree_rule_unless_legacy():
    a = Address(bytes([1]) * 32)
    legacy = ShardManifest(0, [ShardEntry(0, 1, 1, 0, None, [a], []), ShardEntry(1, 0, 0, 0, None, [], [])], Leaf(0))
    assert not legacy.tree_covers_all_shards
    with pytest.raises(ValueError, match="do not match"):
        dumps_ixes(legacy)
    assert loads_ixes(dumps_ixes(legacy, legacy_411=True), legacy_411=True) == legacy


def test_sidecar_meta_round_trip(tmp_path):
    path = tmp_path / "m.ixes"
    write_ixes(_sample(), path)
    assert read_ixes_meta(path) is None and read_ixes(path) == _sample()
    meta = {"partitioner": "mtkahypar", "partitioner_version": "1.5", "preset": "quality", "seed": 42, "eps": 0.05, "k": 2,
            "cost_model": "zisk-main", "env_root": "00" * 32, "command": "ix shard p.ixprof -k 2"}
    write_ixes(_sample(), path, meta=meta)
    got = read_ixes_meta(path)
    import ixcore

    assert {k: got[k] for k in meta} == meta and got["tool_version"] == ixcore.__version__ and got["cap"] is None
    assert path.read_bytes() == SAMPLE
    write_ixes(_sample(), path)
    assert read_ixes_meta(path) is None


def test_balanced_tree_matches_packer_shape():
    assert balanced_agg_tree(0, 5) == Internal(Internal(Leaf(0), Leaf(1)), Internal(Leaf(2), Internal(Leaf(3), Leaf(4))))
