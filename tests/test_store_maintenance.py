"""Store maintenance reports what it did, exactly: gc's counts, verify's full problem list,
rebuild_index, the documented layout, and queries by kind and coverage. Each test killed
a mutant of ixcore/store/fs.py that the other store tests let survive."""
from __future__ import annotations

import itertools

import pytest

from ixcore import proofio
from ixcore.address import Address
from ixcore.errors import InputError
from ixcore.merkle import merkle_root
from ixcore.model import Claim, Proof
from ixcore.store import FsStore, ProofKey


def a(x) -> Address:
    return Address.hash(str(x).encode())


def proof(subjects, assumptions=(), kind="leaf", program=b"leaf") -> Proof:
    s, asm = sorted(map(a, subjects)), sorted(map(a, assumptions))
    claim = Claim(a("env"), 0, merkle_root(s), merkle_root(asm), len(s))
    return Proof("t", kind, Address.hash(program), claim, s, asm, b"body", "k1", {})


def _file(root, pid):
    return root / "proofs" / str(pid)[:2] / f"{pid}.proof"


def _corrupt(root, pid):
    path = _file(root, pid)
    data = bytearray(path.read_bytes())
    data[-1] ^= 1
    path.write_bytes(bytes(data))
    return path


def test_layout_is_the_documented_one(tmp_path):
    store = FsStore(tmp_path)
    store.put(proof([1]))
    assert (tmp_path / "FORMAT").read_text() == "ix-store 1\n"
    assert (tmp_path / "lock").is_file() and (tmp_path / "index.sqlite").is_file()


def test_two_proofs_in_one_fan_out_directory(tmp_path):
    store = FsStore(tmp_path)
    by_prefix: dict[str, Proof] = {}
    for i in itertools.count():  # two proofs whose ids share the first two hex digits
        p = proof([i])
        prefix = str(proofio.proof_id(p))[:2]
        if prefix in by_prefix:
            break
        by_prefix[prefix] = p
    ids = {store.put(by_prefix[prefix]), store.put(p)}
    assert {e.id for e in store.entries()} == ids


def test_verify_and_gc_report_every_bad_file_and_count_exactly(tmp_path):
    store = FsStore(tmp_path)
    good = store.put(proof([0]))
    bad = [store.put(proof([i])) for i in (1, 2)]
    paths = [_corrupt(tmp_path, pid) for pid in bad]
    stale = [store.put(proof([i], program=b"old")) for i in (3, 4)]
    (tmp_path / "proofs" / "README").write_text("not a proof directory")
    (tmp_path / "proofs" / str(good)[:2] / "notes.proof").write_text("not a proof name")
    (tmp_path / "proofs" / str(good)[:2] / f"{good}.tmp").write_text("not a proof suffix")
    check = FsStore(tmp_path).verify()
    assert check.checked == 5
    assert sorted(check.problems) == sorted(f"{p}: offset {p.stat().st_size - 32}: checksum mismatch (file is corrupt)"
                                            for p in paths)
    for name in ("x.proof.1.ab.tmp", "y.proof.2.cd.tmp"):
        (tmp_path / "tmp" / name).write_bytes(b"half")
    live = {ProofKey("t", Address.hash(b"leaf"), "k1")}
    report = FsStore(tmp_path).gc(live)
    assert (report.temp_removed, report.stale_removed, report.quarantined, report.index_rows_dropped) == (2, 2, 2, 4)
    assert sorted(f.name for f in (tmp_path / "quarantine").iterdir()) == sorted(p.name for p in paths)
    after = FsStore(tmp_path)
    assert [e.id for e in after.entries()] == [good] and after.verify().ok
    assert not any(after.has(pid) for pid in stale)


def test_rebuild_index_from_the_files(tmp_path):
    store = FsStore(tmp_path)
    ids = {store.put(proof([i], [i + 10])) for i in range(3)}
    store.index.db.execute("DELETE FROM proofs")
    assert store.entries() == []
    assert store.rebuild_index() == 3
    assert {e.id for e in store.entries()} == ids and store.verify().ok


def test_entries_by_kind_and_covering(tmp_path):
    store = FsStore(tmp_path)
    leaf1 = store.put(proof([1], [2]))
    leaf2 = store.put(proof([2]))
    agg = store.put(proof([5, 6], kind="agg"))
    assert [e.id for e in store.entries(kind="agg")] == [agg]
    assert {e.id for e in store.entries(kind="leaf")} == {leaf1, leaf2}
    # needing block 1 pulls in leaf1, and leaf1's assumption 2 pulls in leaf2
    assert {e.id for e in store.find_covering([a(1)])} == {leaf1, leaf2}
    # when 2 is proven now, the assumption is discharged by the novel proof instead
    assert {e.id for e in store.find_covering([a(1)], novel=[a(2)])} == {leaf1}
    assert store.find_covering([a(9)]) == []


def test_rebuild_index_replaces_a_row_that_disagrees_with_its_file(tmp_path):
    import sqlite3

    from ixcore.address import pack

    store = FsStore(tmp_path)
    pid = store.put(proof([1, 2]))
    db = sqlite3.connect(tmp_path / "index.sqlite", isolation_level=None)
    db.execute("UPDATE proofs SET subjects = ? WHERE id = ?", (pack([a(1)]), str(pid)))
    db.close()
    assert not store.verify().ok
    assert store.rebuild_index() == 1
    assert store.verify().ok and FsStore(tmp_path).verify().ok
    names = {p.name for p in tmp_path.iterdir()} - {"index.sqlite-wal", "index.sqlite-shm"}
    assert names == {"FORMAT", "index.sqlite", "lock", "proofs", "tmp", "quarantine"}


def test_opening_adopts_every_valid_file_past_corrupt_ones(tmp_path):
    from blake3 import blake3

    FsStore(tmp_path)
    valid = []
    for i in range(5):
        p = proof([i])
        pid = proofio.proof_id(p)
        payload = proofio.dumps(p)
        path = _file(tmp_path, pid)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(payload + blake3(payload).digest())
        valid.append(pid)
        bad = Address.hash(b"corrupt %d" % i)
        bad_path = _file(tmp_path, bad)
        bad_path.parent.mkdir(parents=True, exist_ok=True)
        bad_path.write_bytes(b"not a proof at all, and no checksum either" * 2)
    store = FsStore(tmp_path)
    assert sorted(e.id for e in store.entries()) == sorted(valid)
    assert len(store.verify().problems) == 5


def test_malformed_record_with_a_valid_checksum_names_the_file(tmp_path):
    from blake3 import blake3

    store = FsStore(tmp_path)
    pid = Address.hash(b"bad magic")
    payload = b"IXPG" + proofio.dumps(proof([1]))[4:]
    path = _file(tmp_path, pid)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(payload + blake3(payload).digest())
    with pytest.raises(InputError) as info:
        store.get(pid)
    quarantine = tmp_path / "quarantine"
    assert str(info.value) == f"{path}: offset 0: not an ix proof (bad magic) [stored proof {pid} rejected, moved to {quarantine}/]"
    assert not path.exists() and any(quarantine.iterdir())


def test_covering_only_considers_the_given_keys(tmp_path):
    store = FsStore(tmp_path)
    store.put(proof([1], program=b"other"))
    mine = store.put(proof([1]))
    key = ProofKey("t", Address.hash(b"leaf"), "k1")
    assert [e.id for e in store.find_covering([a(1)], keys={key})] == [mine]
