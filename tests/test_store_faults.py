"""The store under faults: full disks, read-only mounts, symlinks, things that are not a
store, corrupt proof files. Real tmpfs/bind mounts are used when this process may mount
(root in a container usually may); fault-injecting doubles cover the same paths always."""
from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from pipeline_doubles import ToyFormat, backends, range_manifest, write_toy_env
from test_store_fs import leaf

from ixcore.pipeline import PlanSettings, prove_env
from ixcore.store import FsStore, atomic, fs
from ixcore.store.faults import CorruptProof, StoreError


def proof_path(store: FsStore, pid) -> Path:
    return store.root / "proofs" / str(pid)[:2] / f"{pid}.proof"


# -- full disk ------------------------------------------------------------------------------


def test_enospc_writing_a_proof_is_one_store_error_and_nothing_is_lost(tmp_path, monkeypatch):
    store = FsStore(tmp_path / "s")
    kept = store.put(leaf([1]))

    def full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "write", full)
    with pytest.raises(StoreError, match=r"store .*/s: disk full while banking proof .*needs at least [\d,]+ bytes free"):
        store.put(leaf([2]))
    monkeypatch.undo()
    assert list((tmp_path / "s" / "tmp").iterdir()) == []  # no partial temp file left
    assert not list((tmp_path / "s" / "quarantine").iterdir())
    again = FsStore(tmp_path / "s")
    assert {str(e.id) for e in again.entries()} == {str(kept)}
    again.put(leaf([2]))  # space freed: the same write succeeds
    assert len(again.entries()) == 2 and again.verify().ok


def sqlite_error(name: str, text: str) -> sqlite3.OperationalError:
    exc = sqlite3.OperationalError(text)
    exc.sqlite_errorname = name
    return exc


@pytest.mark.parametrize("name,text,words", [
    ("SQLITE_FULL", "database or disk is full", "disk full"),
    ("SQLITE_IOERR_WRITE", "disk I/O error", "I/O error"),
    ("SQLITE_READONLY", "attempt to write a readonly database", "read-only"),
])
def test_sqlite_io_errors_never_quarantine_a_healthy_index(tmp_path, monkeypatch, name, text, words):
    store = FsStore(tmp_path)
    store.put(leaf([1]))
    store.index.close()
    healthy = (tmp_path / "index.sqlite").read_bytes()

    def failing(self, path):
        raise sqlite_error(name, text)

    monkeypatch.setattr(fs.Index, "__init__", failing)
    monkeypatch.setattr(fs, "free_bytes", lambda p: 10**9, raising=False)
    with pytest.raises(StoreError, match=words):
        FsStore(tmp_path)
    monkeypatch.undo()
    assert not list((tmp_path / "quarantine").iterdir())
    assert (tmp_path / "index.sqlite").read_bytes() == healthy
    assert len(FsStore(tmp_path).entries()) == 1


def test_a_really_corrupt_index_is_quarantined_and_rebuilt(tmp_path):
    store = FsStore(tmp_path)
    pid = store.put(leaf([1]))
    store.index.close()
    for suffix in ("-wal", "-shm"):
        Path(str(tmp_path / "index.sqlite") + suffix).unlink(missing_ok=True)
    (tmp_path / "index.sqlite").write_bytes(b"this is not a database" * 100)
    again = FsStore(tmp_path)
    assert [e.id for e in again.entries()] == [pid]
    assert (tmp_path / "quarantine" / "index.sqlite.broken").exists()


# -- real mounts (root only) ------------------------------------------------------------------


@contextmanager
def mounted(target: Path, *args: str):
    target.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", *args, str(target)], check=False, capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount here ({done.stderr.strip() or 'mount failed'}); the injected-fault tests cover this path")
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], check=False, capture_output=True)


def fill(directory: Path) -> Path:
    """Fill the file system of `directory` to the last block."""
    filler = directory / f"filler-{uuid.uuid4().hex}"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError as exc:
        assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)
    return filler


def test_real_full_tmpfs_prove_fails_in_one_line_then_succeeds(tmp_path, capsys):
    with mounted(tmp_path / "m", "-t", "tmpfs", "-o", "size=2m", "tmpfs") as mnt:
        env_file = write_toy_env(tmp_path / "e.toy.json", 24)
        env = ToyFormat().load(env_file)
        store = FsStore(mnt / "st")
        store.put(leaf([1]))
        filler = fill(mnt)
        with pytest.raises(StoreError, match=r"disk full while banking proof .* 0 bytes free"):
            prove_env(env_file, backends(store=store), PlanSettings(), manifest=range_manifest(env, 3), workdir=tmp_path / "w")
        assert not list((mnt / "st" / "quarantine").iterdir())
        check = FsStore(mnt / "st", read_only=True).verify()  # reading works on a full disk
        assert check.ok and check.checked == 1
        filler.unlink()
        res = prove_env(env_file, backends(store=FsStore(mnt / "st")), PlanSettings(), manifest=range_manifest(env, 3),
                        workdir=tmp_path / "w")
        assert res.unconditional and len(FsStore(mnt / "st").entries()) == 5  # 1 + 3 leaves + the banked root


def test_real_read_only_mount_reads_work_writes_fail(tmp_path, ix):
    src = tmp_path / "src"
    store = FsStore(src)
    pid = store.put(leaf([1], [2]))
    store.index.close()
    ro = tmp_path / "ro"
    with mounted(ro, "--bind", str(src)):
        subprocess.run(["mount", "-o", "remount,ro,bind", str(ro)], check=True)
        ls = ix("--json", "store", "ls", "--store", ro)
        assert ls.code == 0 and str(pid) in ls.out
        assert ix("store", "verify", "--store", ro).code == 0
        gc = ix("store", "gc", "--store", ro)
        assert gc.code == 2 and "read-only" in gc.last_err_line and len(gc.err.strip().splitlines()) == 1
        reader = FsStore(ro, read_only=True)
        assert reader.get(pid).subjects == leaf([1], [2]).subjects
        with pytest.raises(StoreError, match="read-only"):
            FsStore(ro)
        with pytest.raises(StoreError, match="read-only"):
            reader.put(leaf([3]))


# -- read-only, simulated ------------------------------------------------------------------------


def test_unwritable_store_is_served_from_memory_when_opened_read_only(tmp_path, monkeypatch):
    store = FsStore(tmp_path)
    pid = store.put(leaf([1], [2]))
    real_lock = fs.store_lock

    def erofs_lock(path, exclusive, *, read_only=False):
        if not read_only:
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_lock(path, exclusive, read_only=True)

    monkeypatch.setattr(fs, "store_lock", erofs_lock)
    reader = FsStore(tmp_path, read_only=True)
    assert [e.id for e in reader.entries()] == [pid] and reader.verify().ok
    monkeypatch.setattr(fs.os, "access", lambda p, mode: False)
    with pytest.raises(StoreError, match="read-only"):
        FsStore(tmp_path)


# -- symlinks and special files -------------------------------------------------------------------


def test_tmp_symlink_is_refused_and_its_target_untouched(tmp_path, ix):
    FsStore(tmp_path / "s")
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.tmp").write_text("keep")
    (tmp_path / "s" / "tmp").rmdir()
    (tmp_path / "s" / "tmp").symlink_to(victim)
    res = ix("store", "gc", "--store", tmp_path / "s")
    assert res.code == 2 and "tmp: is a symbolic link" in res.last_err_line and "Traceback" not in res.err
    with pytest.raises(StoreError, match="tmp: is a symbolic link"):
        FsStore(tmp_path / "s")
    assert (victim / "precious.tmp").read_text() == "keep"


@pytest.mark.parametrize("name", ["proofs", "quarantine", "index.sqlite", "lock", "FORMAT"])
def test_any_link_in_the_layout_is_refused(tmp_path, name):
    FsStore(tmp_path / "s").index.close()
    path = tmp_path / "s" / name
    elsewhere = tmp_path / f"moved-{name}"
    os.replace(path, elsewhere)
    path.symlink_to(elsewhere)
    with pytest.raises(StoreError, match=f"{name}: is a symbolic link"):
        FsStore(tmp_path / "s", read_only=True)


def test_gc_removes_only_regular_temp_files(tmp_path):
    store = FsStore(tmp_path / "s")
    tmp = tmp_path / "s" / "tmp"
    (tmp / "x.123.ab.tmp").write_bytes(b"leftover")
    (tmp / "sub").mkdir()
    (tmp / "sub" / "inner.tmp").write_text("keep")
    outside = tmp_path / "outside.tmp"
    outside.write_text("keep")
    (tmp / "link.tmp").symlink_to(outside)
    report = store.gc()
    assert report.temp_removed == 1 and report.left_alone == 2
    assert (tmp / "sub" / "inner.tmp").exists() and outside.read_text() == "keep"


def test_linked_proof_files_and_shard_dirs_are_never_read(tmp_path):
    store = FsStore(tmp_path / "s")
    pid = store.put(leaf([1]))
    other = FsStore(tmp_path / "o")
    foreign, far = other.put(leaf([2])), other.put(leaf([3]))
    # a link posing as a proof file: refused, moved aside as a link, its target untouched
    link = proof_path(store, foreign)
    link.parent.mkdir(exist_ok=True)
    link.symlink_to(proof_path(other, foreign))
    assert not store.has(foreign)
    with pytest.raises(CorruptProof, match="symbolic link"):
        store.get(foreign)
    assert (tmp_path / "s" / "quarantine" / link.name).is_symlink()
    # a shard directory that is a link: never listed, never read, reported by verify
    shard = proof_path(store, far).parent
    assert not os.path.lexists(shard)  # (fixed inputs: the ids do not share a prefix)
    shard.symlink_to(proof_path(other, far).parent)
    assert not store.has(far)
    with pytest.raises(StoreError, match="not a directory"):
        store.get(far)
    assert any("symbolic link" in p for p in FsStore(tmp_path / "s", read_only=True).verify().problems)
    assert [e.id for e in FsStore(tmp_path / "s").entries()] == [pid]
    assert other.verify().ok and other.verify().checked == 2


@pytest.mark.parametrize("where,words", [
    ("file", r"not a directory \(a regular file\)"),
    ("/dev/null", r"not a directory \(a character device\)"),
    ("/proc/self", "not a proof store"),
])
def test_not_a_directory_is_one_line(tmp_path, where, words):
    target = tmp_path / "afile" if where == "file" else Path(where)
    if where == "file":
        target.write_text("x")
    for read_only in (True, False):
        with pytest.raises(StoreError, match=words):
            FsStore(target, read_only=read_only)


def test_a_missing_store_is_created_only_by_writers(tmp_path, ix):
    typo = tmp_path / "typo"
    for args in (("store", "ls", "--store", typo), ("store", "verify", "--store", typo)):
        res = ix(*args)
        assert res.code == 2 and res.last_err_line == f"ix: error: {typo}: no proof store here (the directory does not exist)"
    with pytest.raises(StoreError, match="does not exist"):
        FsStore(typo, read_only=True)
    assert not typo.exists()
    FsStore(typo)
    assert (typo / "FORMAT").exists()


def test_a_foreign_directory_is_not_turned_into_a_store(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(StoreError, match="not a proof store .* refusing to write"):
        FsStore(tmp_path)
    assert sorted(os.listdir(tmp_path)) == ["notes.txt"]


# -- corrupt proof files -------------------------------------------------------------------------------


def test_corrupt_proof_is_quarantined_on_read(tmp_path):
    store = FsStore(tmp_path)
    pid = store.put(leaf([1]))
    path = proof_path(store, pid)
    path.write_bytes(path.read_bytes()[:-1] + b"\x01")
    with pytest.raises(CorruptProof, match="checksum mismatch.*moved to") as info:
        store.get(pid)
    assert info.value.pid == pid and info.value.quarantined
    assert (tmp_path / "quarantine" / path.name).exists() and not path.exists()
    assert store.entries() == []


def test_prove_reproves_the_shard_of_a_corrupt_stored_proof(tmp_path):
    env_file = write_toy_env(tmp_path / "e.toy.json", 24)
    env = ToyFormat().load(env_file)
    m = range_manifest(env, 4)
    store = FsStore(tmp_path / "st")
    first = prove_env(env_file, backends(store=store), PlanSettings(), manifest=m, workdir=tmp_path / "w")
    victim = first.leaves[1]
    from ixcore import proofio

    path = proof_path(store, proofio.proof_id(victim))
    path.write_bytes(b"\0" * path.stat().st_size)
    res = prove_env(env_file, backends(store=FsStore(tmp_path / "st")), PlanSettings(), manifest=m, workdir=tmp_path / "w")
    assert res.unconditional and res.root.claim.subject_root == res.env_root
    assert [s.status for s in res.shards].count("proven") == 1
    # the first run banked its root too: expanding it reads the corrupt leaf, which is
    # quarantined there, so both the root and the leaf are turned away by name
    assert any("quarantine" in w and str(proofio.proof_id(victim)) in w for w in res.warnings)
    assert FsStore(tmp_path / "st", read_only=True).verify().ok


@pytest.mark.parametrize("update", [
    "UPDATE proofs SET program_id = 'not hex'",
    "UPDATE proofs SET subjects = x'0102'",
    "UPDATE proofs SET kind = cast(x'ff' as text)",
])
def test_an_index_row_ix_never_writes_is_corruption_and_rebuilt(tmp_path, update):
    store = FsStore(tmp_path)
    pid = store.put(leaf([1], [2]))
    store.index.db.execute(update)
    assert [e.id for e in store.entries()] == [pid]  # rebuilt from the files, read repeated
    assert (tmp_path / "quarantine" / "index.sqlite.broken").exists()
    assert FsStore(tmp_path, read_only=True).verify().ok
