"""`FsStore.verify` reports each way the index and the proof files can disagree, and only those.

The index is a cache of the files; these tests break it from outside (another process,
a stray copy, an edited database) while a store is open, so nothing reconciles first.
"""
from __future__ import annotations

import shutil
import sqlite3

from ixcore.address import Address, pack
from ixcore.merkle import merkle_root
from ixcore.model import Claim, Proof
from ixcore.store import FsStore


def a(x) -> Address:
    return Address.hash(str(x).encode())


def leaf(subjects) -> Proof:
    s = sorted(map(a, subjects))
    claim = Claim(a("env"), 0, merkle_root(s), merkle_root([]), len(s))
    return Proof("t", "leaf", Address.hash(b"leaf"), claim, s, [], b"body", "k1", {})


def _file(root, pid):
    return root / "proofs" / str(pid)[:2] / f"{pid}.proof"


def _sql(root, statement, *args):
    db = sqlite3.connect(root / "index.sqlite", timeout=60.0, isolation_level=None)
    try:
        db.execute(statement, args)
    finally:
        db.close()


def _two_proofs(tmp_path):
    store = FsStore(tmp_path)
    return store, store.put(leaf([1, 2])), store.put(leaf([3]))


def test_consistent_store_has_no_problems(tmp_path):
    store, _, _ = _two_proofs(tmp_path)
    check = store.verify()
    assert check.ok and check.checked == 2


def test_index_row_whose_file_is_gone_is_reported(tmp_path):
    store, gone, kept = _two_proofs(tmp_path)
    _file(tmp_path, gone).unlink()
    check = store.verify()
    assert check.checked == 1
    assert len(check.problems) == 1
    assert f"index lists {gone} but its file is missing" in check.problems[0]
    assert str(kept) not in check.problems[0]


def test_file_without_index_row_is_reported(tmp_path):
    store, unindexed, _ = _two_proofs(tmp_path)
    _sql(tmp_path, "DELETE FROM proofs WHERE id = ?", str(unindexed))
    check = store.verify()
    assert check.checked == 2
    assert len(check.problems) == 1
    assert str(_file(tmp_path, unindexed)) in check.problems[0]
    assert "not in the index" in check.problems[0]


def test_file_copied_in_from_another_store_is_reported(tmp_path):
    _, pid, _ = _two_proofs(tmp_path / "other")
    store = FsStore(tmp_path / "mine")
    dst = _file(tmp_path / "mine", pid)
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_file(tmp_path / "other", pid), dst)
    check = store.verify()
    assert check.checked == 1 and len(check.problems) == 1
    assert "not in the index" in check.problems[0]
    assert FsStore(tmp_path / "mine").verify().ok  # reopening adopts the file


def test_index_row_disagreeing_with_its_file_is_reported(tmp_path):
    store, edited, _ = _two_proofs(tmp_path)
    _sql(tmp_path, "UPDATE proofs SET subjects = ? WHERE id = ?", pack([a(1)]), str(edited))
    check = store.verify()
    assert check.checked == 2 and len(check.problems) == 1
    assert str(_file(tmp_path, edited)) in check.problems[0]
    assert "disagrees with the file" in check.problems[0]


def test_index_row_with_extra_assumption_is_reported(tmp_path):
    store, edited, _ = _two_proofs(tmp_path)
    _sql(tmp_path, "UPDATE proofs SET assumptions = ? WHERE id = ?", pack([a(9)]), str(edited))
    check = store.verify()
    assert len(check.problems) == 1 and "disagrees with the file" in check.problems[0]
