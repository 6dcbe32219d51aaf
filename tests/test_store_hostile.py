"""Hostile proof files with valid checksums: a store never hands out, nor indexes on open,
a proof whose name, witness lists or failure count are wrong, says which file and why, and
moves it to quarantine/ (so proving that part again repairs the store).

The files are written from outside (the documented layout: proofio record, stats trailer,
blake3 checksum), as a bad copy or a malicious peer would; each case killed a mutant of
ixcore/store/fs.py that the other store tests let survive."""
from __future__ import annotations

import attrs
import pytest
from blake3 import blake3

from ixcore import proofio
from ixcore.address import Address
from ixcore.errors import InputError
from ixcore.merkle import merkle_root
from ixcore.model import Claim, Proof
from ixcore.store import FsStore


def a(x) -> Address:
    return Address.hash(str(x).encode())


def leaf(subjects, assumptions=()) -> Proof:
    s, asm = sorted(map(a, subjects)), sorted(map(a, assumptions))
    claim = Claim(a("env"), 0, merkle_root(s), merkle_root(asm), len(s))
    return Proof("t", "leaf", Address.hash(b"leaf"), claim, s, asm, b"body", "k1", {})


def plant(root, proof, name=None) -> tuple[Address, object]:
    """Write `proof` as a store file (checksum valid) under its id or under `name`."""
    payload = proofio.dumps(proof)
    pid = Address(name) if name is not None else proofio.proof_id(proof)
    path = root / "proofs" / str(pid)[:2] / f"{pid}.proof"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(payload + blake3(payload).digest())
    return pid, path


def refused(info, path, pid, reason: str) -> None:
    """The one-line error names the file and the reason, and the file is quarantined."""
    assert str(info.value) == f"{path}: {reason} [stored proof {pid} rejected, moved to {path.parents[2] / 'quarantine'}/]"
    assert not path.exists() and any((path.parents[2] / "quarantine").iterdir())


@pytest.mark.parametrize("forge, message", [
    (lambda p: attrs.evolve(p, subjects=p.subjects[1:]), "subject list does not hash to the committed subject root"),
    (lambda p: attrs.evolve(p, assumptions=()), "assumption list does not hash to the committed assumptions root"),
    (lambda p: attrs.evolve(p, claim=attrs.evolve(p.claim, failures=2)), "stored proof has 2 kernel failures"),
])
def test_forged_file_is_refused_reported_and_never_indexed(tmp_path, forge, message):
    FsStore(tmp_path)
    pid, path = plant(tmp_path, forge(leaf([1, 2], [3])))
    store = FsStore(tmp_path)  # opening adopts valid unindexed files: not this one
    assert store.entries() == [] and store.covered() == set()
    with pytest.raises(InputError) as info:
        store.get(pid)
    refused(info, path, pid, message)
    check = store.verify()  # the quarantined file is no longer the store's
    assert check.checked == 0 and check.problems == ()


def test_file_under_another_proofs_name_is_refused(tmp_path):
    FsStore(tmp_path)
    real = leaf([1])
    other = proofio.proof_id(leaf([2]))
    pid, path = plant(tmp_path, real, name=other)
    store = FsStore(tmp_path)
    assert store.entries() == []
    with pytest.raises(InputError) as info:
        store.get(pid)
    refused(info, path, pid, f"offset 0: content hashes to {proofio.proof_id(real)}, not its name")


def test_checksum_mismatch_names_the_checksum_offset(tmp_path):
    store = FsStore(tmp_path)
    pid = store.put(leaf([1]))
    path = tmp_path / "proofs" / str(pid)[:2] / f"{pid}.proof"
    data = bytearray(path.read_bytes())
    data[-1] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(InputError) as info:
        store.get(pid)
    refused(info, path, pid, f"offset {len(data) - 32}: checksum mismatch (file is corrupt)")
    path.write_bytes(b"short")
    with pytest.raises(InputError, match=r"offset 0: checksum mismatch"):
        store.get(pid)


def test_reopening_adopts_a_valid_unindexed_file_and_drops_a_vanished_one(tmp_path):
    store = FsStore(tmp_path)
    gone = store.put(leaf([1]))
    adopted, _ = plant(tmp_path, leaf([2], [1]))
    (tmp_path / "proofs" / str(gone)[:2] / f"{gone}.proof").unlink()
    again = FsStore(tmp_path)
    assert [e.id for e in again.entries()] == [adopted]
    e = again.entries()[0]
    assert e.subjects == (a(2),) and e.assumptions == (a(1),)
    assert again.covered() == {a(2)} and again.verify().ok
    assert again.has(adopted) and not again.has(gone)


def test_missing_proof_and_refused_put_say_why(tmp_path):
    store = FsStore(tmp_path)
    pid = proofio.proof_id(leaf([9]))
    with pytest.raises(InputError) as info:
        store.get(pid)
    assert str(info.value) == f"{tmp_path}: no proof {pid}"
    failed = attrs.evolve(leaf([1]), claim=attrs.evolve(leaf([1]).claim, failures=3))
    with pytest.raises(InputError) as info:
        store.put(failed)
    assert str(info.value) == "refusing to store a proof with 3 kernel failures"


def test_unknown_store_format_is_refused(tmp_path):
    FsStore(tmp_path)
    (tmp_path / "FORMAT").write_text("ix-store 9\n")
    with pytest.raises(InputError) as info:
        FsStore(tmp_path)
    assert str(info.value) == f"{tmp_path / 'FORMAT'}: line 1: unknown store format 'ix-store 9' (expected 'ix-store 1')"


def test_broken_index_is_kept_aside_and_rebuilt(tmp_path):
    store = FsStore(tmp_path)
    pid = store.put(leaf([1]))
    store.index.close()
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"index.sqlite{suffix}").unlink(missing_ok=True)
    (tmp_path / "index.sqlite").write_bytes(b"not a database" * 200)
    again = FsStore(tmp_path)
    assert [e.id for e in again.entries()] == [pid]
    assert (tmp_path / "quarantine" / "index.sqlite.broken").read_bytes() == b"not a database" * 200
