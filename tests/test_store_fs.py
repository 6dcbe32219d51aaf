"""The fs proof store: atomic checksummed files, a rebuildable index, keyed reuse."""
from __future__ import annotations

import pytest

from ixcore import proofio
from ixcore.address import Address
from ixcore.errors import InputError
from ixcore.merkle import merkle_root
from ixcore.model import Claim, Proof
from ixcore.store import FsStore, ProofKey, choose_cover, lookup_in
from ixcore.store.index import StoredEntry


def a(x) -> Address:
    return Address.hash(str(x).encode())


def leaf(subjects, assumptions=(), program=b"leaf", kernel="k1", failures=0):
    s, asm = sorted(map(a, subjects)), sorted(map(a, assumptions))
    claim = Claim(a("env"), failures, merkle_root(s), merkle_root(asm), len(s))
    return Proof("t", "leaf", Address.hash(program), claim, s, asm, b"body", kernel, {"seconds": 1.5})


def test_roundtrip_is_canonical_and_idempotent(tmp_path):
    store = FsStore(tmp_path)
    p = leaf([1, 2], [3])
    pid = store.put(p)
    assert store.put(p) == pid == proofio.proof_id(p)
    got = store.get(pid)
    assert got == p and got.stats == {"seconds": 1.5}
    assert store.covered() == {a(1), a(2)}
    assert store.verify().ok and store.verify().checked == 1


def test_proof_with_failures_is_never_stored(tmp_path):
    with pytest.raises(InputError, match="kernel failures"):
        FsStore(tmp_path).put(leaf([1], failures=2))
    assert FsStore(tmp_path).entries() == []


def test_reuse_is_keyed_by_backend_program_and_kernel(tmp_path):
    store = FsStore(tmp_path)
    store.put(leaf([1], kernel="k1"))
    store.put(leaf([2], kernel="k0-old"))
    store.put(leaf([3], program=b"other"))
    key = ProofKey("t", Address.hash(b"leaf"), "k1")
    assert store.covered({key}) == {a(1)}
    assert store.covered() == {a(1), a(2), a(3)}


def test_index_is_rebuilt_from_files(tmp_path):
    store = FsStore(tmp_path)
    ids = {store.put(leaf([i])) for i in range(5)}
    store.index.close()
    for suffix in ("", "-wal", "-shm"):
        p = tmp_path / f"index.sqlite{suffix}"
        if p.exists():
            p.unlink()
    assert {e.id for e in FsStore(tmp_path).entries()} == ids
    (tmp_path / "index.sqlite").write_bytes(b"not a database at all" * 100)
    assert {e.id for e in FsStore(tmp_path).entries()} == ids


def test_corrupt_file_is_reported_and_quarantined_not_deleted(tmp_path):
    store = FsStore(tmp_path)
    pid = store.put(leaf([1]))
    keep = store.put(leaf([2]))
    path = tmp_path / "proofs" / str(pid)[:2] / f"{pid}.proof"
    data = bytearray(path.read_bytes())
    data[40] ^= 1
    path.write_bytes(bytes(data))
    check = FsStore(tmp_path).verify()
    assert not check.ok and "checksum mismatch" in check.problems[0]
    (tmp_path / "tmp" / "x.proof.1.ab.tmp").write_bytes(b"half")
    report = FsStore(tmp_path).gc()
    assert report.quarantined == 1 and report.temp_removed == 1
    assert (tmp_path / "quarantine" / path.name).exists()
    after = FsStore(tmp_path)
    assert after.verify().ok and [e.id for e in after.entries()] == [keep]


def test_gc_removes_proofs_of_stale_programs_only_when_asked(tmp_path):
    store = FsStore(tmp_path)
    store.put(leaf([1]))
    store.put(leaf([2], kernel="old"))
    assert store.gc().stale_removed == 0
    live = {ProofKey("t", Address.hash(b"leaf"), "k1")}
    assert store.gc(live).stale_removed == 1
    assert FsStore(tmp_path).covered() == {a(1)}


def test_truncated_proof_names_offset():
    data = proofio.dumps(leaf([1, 2]))
    with pytest.raises(InputError, match=r"x.proof: offset \d+: truncated"):
        proofio.loads(data[:60], source="x.proof")


def entry(i, subjects, assumptions=()):
    return StoredEntry(a(f"p{i}"), "leaf", ProofKey("t", a("k"), "1"), a(0), a(0),
                       tuple(map(a, subjects)), tuple(map(a, assumptions)))


def test_choose_cover_is_transitive():
    # needed: x; p0 covers x but assumes y; p1 covers y but assumes z; p2 covers z; p3 unrelated
    entries = [entry(0, ["x"], ["y"]), entry(1, ["y"], ["z"]), entry(2, ["z"]), entry(3, ["w"])]
    chosen = choose_cover(lookup_in(entries), needed=[a("x"), a("n")], novel=[a("n")])
    assert [e.id for e in chosen] == [a("p0"), a("p1"), a("p2")]


def test_covering_ignores_obligations_met_by_novel_work():
    entries = [entry(0, ["x"], ["n"]), entry(1, ["n"])]
    assert [e.id for e in choose_cover(lookup_in(entries), [a("x"), a("n")], [a("n")])] == [a("p0")]
