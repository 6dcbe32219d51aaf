""".ixprof: Ix's golden profiles round-trip byte for byte; every generation round-trips
under hypothesis; each malformed input is a one-line InputError naming the offset."""
from __future__ import annotations

import json
import struct

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ixcore.errors import InputError
from ixcore.formats.ixprof import GENERATIONS, dumps_ixprof, loads_ixprof, read_ixprof, write_ixprof
from ixcore.profile import Profile


def golden_profiles(shared):
    return sorted((shared / "golden/ix/profiles").glob("*.ixprof"))


def test_golden_profiles_round_trip_byte_for_byte(shared_dir):
    index = {p["file"]: p for p in json.loads((shared_dir / "golden/ix/index.json").read_text())["profiles"]}
    files = golden_profiles(shared_dir)
    assert len(files) == 17
    for path in files:
        data = path.read_bytes()
        prof = read_ixprof(path)
        meta = index[f"profiles/{path.name}"]
        assert (prof.version, prof.n, prof.num_edges) == (meta["version"], meta["n"], meta["edges"]), path.name
        assert dumps_ixprof(prof) == data, path.name


@st.composite
def profiles(draw, version=None):
    version = draw(st.sampled_from(sorted(GENERATIONS))) if version is None else version
    n = draw(st.integers(0, 24))
    addrs = sorted(draw(st.lists(st.binary(min_size=32, max_size=32), min_size=n, max_size=n, unique=True)))
    cols, rows = [], [0]
    for i in range(n):
        cols += sorted(draw(st.sets(st.integers(0, n - 1).filter(lambda j, i=i: j != i), max_size=4)))
        rows.append(len(cols))
    u64, u32 = st.integers(0, 2**64 - 1), st.integers(0, 2**32 - 1)
    fields = GENERATIONS[version].columns

    def column(name, ints):
        return draw(st.lists(ints, min_size=n, max_size=n)) if name in fields else [0] * n

    return Profile(
        addrs=addrs,
        heartbeats=column("heartbeats", u64),
        sizes=column("sizes", u32),
        const_counts=column("const_counts", u32),
        edge_rows=rows,
        edge_cols=cols,
        subst=column("subst", u64),
        whnf=column("whnf", u64),
        def_eq=column("def_eq", u64),
        nat_arith=column("nat_arith", u64),
        intern=column("intern", u64),
        version=version,
    )


@settings(max_examples=60, deadline=None)
@given(profiles())
def test_every_generation_round_trips(prof):
    data = dumps_ixprof(prof)
    back = loads_ixprof(data)
    assert back == prof and back.version == prof.version
    assert dumps_ixprof(back) == data
    assert len(data) == 16 + prof.n * GENERATIONS[prof.version].entry_size + 8 + 8 * (prof.n + 1) + 4 * prof.num_edges


def test_ixesp_header_and_entry_size():
    prof = Profile.build({bytes([1]) * 32: {"heartbeats": 7, "size": 3, "const_count": 1}}, {}, version=0)
    data = dumps_ixprof(prof)
    assert data[:12] == b"IXESP\0\0\0" + struct.pack("<I", 1) and len(data) == 16 + 48 + 8 + 16
    assert loads_ixprof(data).version == 0


def test_older_generation_refuses_to_drop_counters():
    prof = Profile.build({bytes(32): {"heartbeats": 1, "whnf": 5}}, {}, version=2)
    with pytest.raises(ValueError, match="whnf"):
        dumps_ixprof(prof, version=1)
    assert loads_ixprof(dumps_ixprof(prof, version=1, allow_lossy=True)).whnf.tolist() == [0]


def _sample() -> bytes:
    """Three blocks, edges 0->1, 0->2, 2->1 (consumer -> producers), IXPROF v1."""
    a = [bytes([i]) * 32 for i in (1, 2, 3)]
    return dumps_ixprof(Profile.build({x: {"heartbeats": 10} for x in a}, {a[0]: {a[1], a[2]}, a[2]: {a[1]}}, version=1))


SAMPLE = _sample()
N, ENTRY = 3, 56
ROWS = 16 + N * ENTRY + 8
COLS = ROWS + 8 * (N + 1)


def patched(offset: int, raw: bytes, data: bytes = SAMPLE) -> bytes:
    return data[:offset] + raw + data[offset + len(raw) :]


MALFORMED = {
    "bad magic": (patched(0, b"IXPRAF\0\0"), 0, "bad magic"),
    "unknown IXPROF version": (patched(8, struct.pack("<I", 3)), 8, "unknown IXPROF version 3"),
    "unknown IXESP version": (patched(0, b"IXESP\0\0\0" + struct.pack("<I", 2)), 8, "unknown IXESP version 2"),
    "truncated magic": (SAMPLE[:5], 0, "truncated: magic"),
    "truncated block count": (SAMPLE[:14], 12, "truncated: block count"),
    "truncated entries": (SAMPLE[:100], 16, "block entries"),
    "truncated edge count": (SAMPLE[: ROWS - 3], ROWS - 8, "edge count"),
    "truncated rows": (SAMPLE[: COLS - 1], ROWS, "row offsets"),
    "truncated producer ids": (SAMPLE[:-2], COLS, "producer ids"),
    "row[0] not 0": (patched(ROWS, struct.pack("<Q", 1)), ROWS, "row[0] = 1"),
    "row[n] not E": (patched(ROWS + 8 * N, struct.pack("<Q", 2)), ROWS + 8 * N, "row[n] = 2"),
    "rows decrease": (patched(ROWS + 8, struct.pack("<Q", 3)), ROWS + 16, "below row[1]"),
    "producer id out of range": (patched(COLS + 4, struct.pack("<I", 9)), COLS + 4, "not below n = 3"),
    "trailing bytes": (SAMPLE + b"\0", len(SAMPLE), "1 trailing bytes"),
    "addresses not ascending": (patched(16, bytes([9]) * 32), 16 + ENTRY, "must ascend"),
    "self edge": (patched(COLS, struct.pack("<I", 0)), COLS, "lists itself"),
    "producers not ascending": (patched(COLS, struct.pack("<II", 2, 1)), COLS + 4, "not strictly ascending"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_profiles_name_the_offset(case):
    data, offset, needle = MALFORMED[case]
    with pytest.raises(InputError) as info:
        loads_ixprof(data, source="p.ixprof")
    message = str(info.value)
    assert message.startswith(f"p.ixprof: offset {offset}: ") and needle in message and "\n" not in message


def test_sample_itself_is_valid():
    assert loads_ixprof(SAMPLE).producers(0).tolist() == [1, 2]


def test_extra_columns_live_in_a_bound_sidecar(tmp_path):
    prof = loads_ixprof(SAMPLE)
    path = tmp_path / "p.ixprof"
    write_ixprof(prof, path)
    assert not (tmp_path / "p.ixprof.json").exists()
    with_extra = attrs.evolve(prof, extra={"lean_heartbeats": np.array([5, 6, 7], dtype=np.uint64)})
    write_ixprof(with_extra, path)
    assert path.read_bytes() == SAMPLE
    back = read_ixprof(path)
    assert back.extra["lean_heartbeats"].tolist() == [5, 6, 7]
    # the sidecar is bound to the binary: a different profile at the same path is caught
    path.write_bytes(patched(16 + 32, struct.pack("<Q", 11)))
    with pytest.raises(InputError, match="blake3 mismatch"):
        read_ixprof(path)
    # rewriting without extra columns removes our stale sidecar
    write_ixprof(prof, path)
    assert not (tmp_path / "p.ixprof.json").exists() and read_ixprof(path).extra == {}


def test_missing_file_is_input_error(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        read_ixprof(tmp_path / "absent.ixprof")
