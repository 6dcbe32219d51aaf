"""The `fs` proof store: one checksummed file per proof, a SQLite index beside them.

Layout of a store directory D:

    D/FORMAT                         "ix-store 1"
    D/proofs/<id[:2]>/<id>.proof     proofio.dumps(proof) ‖ blake3 checksum
    D/index.sqlite                   the index (WAL); a cache of the files
    D/tmp/                           in-flight writes (leftovers of killed writers)
    D/quarantine/                    files gc moved aside because they failed checks
    D/lock                           flock: writers shared, gc exclusive

Faults (see `faults`): nothing in the layout is followed through a symbolic link (the
store refuses to open when one of its own paths is a link, proof files are opened with
O_NOFOLLOW, gc deletes only regular temp files it named); a full disk or a read-only
mount is one StoreError and never quarantines a healthy index (only SQLite corruption
confirmed by `PRAGMA integrity_check` does); a proof file that fails its checks when
read is moved to quarantine/ and reported as `CorruptProof`. Opened `read_only`, a store
that cannot be written (a mounted cache) is served from an in-memory index of its files.

A proof is one file written atomically, so the cover and assumption lists can never
be separated from the proof (Ix writes three files in sequence and hides every later
entry after a crash between them). The files are the truth: opening a store adds any
proof file the index lacks and drops index rows whose file is gone, so a kill between
the file rename and the index insert hides nothing. Only failure-free proofs are
accepted. Reuse is keyed by (backend, program id, kernel version): a proof by another
backend or an older kernel is never offered for folding.
"""
from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterable
from pathlib import Path

import attrs

from .. import proofio
from ..address import Address
from ..errors import InputError
from ..merkle import merkle_root
from ..model import Proof
from ..safeio import describe_mode, read_regular
from .atomic import split_checksum, with_checksum, write_atomic
from .covering import choose_cover
from .faults import CorruptProof, StoreError, integrity_ok, is_corruption, translate_io
from .index import Index, IndexCorrupt, ProofKey, StoredEntry
from .lock import store_lock

FORMAT = "ix-store 1"
INDEX = "index.sqlite"
#: Names a store directory may hold before its FORMAT marker exists (a crash mid-create).
_LAYOUT_DIRS = ("proofs", "tmp", "quarantine")
_LAYOUT_FILES = ("FORMAT", "lock", INDEX, INDEX + "-wal", INDEX + "-shm")


@attrs.frozen
class StoreCheck:
    """Result of `verify()`: how many proofs were checked and what was wrong."""

    checked: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


@attrs.frozen
class GcReport:
    temp_removed: int
    stale_removed: int
    quarantined: int
    index_rows_dropped: int
    left_alone: int = 0          # entries in tmp/ or proofs/ that are not ours (links, dirs)


class FsStore:
    name = "fs"

    def __init__(self, root: str | Path, *, read_only: bool = False):
        self.root = Path(root)
        self.read_only = read_only
        self.proofs_dir = self.root / "proofs"
        self.tmp_dir = self.root / "tmp"
        self.quarantine_dir = self.root / "quarantine"
        self.lock_path = self.root / "lock"
        self._check_root()
        if not read_only:
            self._create_layout()
        self._check_layout()
        self._check_format()
        if read_only:
            self.index = self._open_read_only()
        else:
            with translate_io(self.root, "opening the index"), store_lock(self.lock_path, exclusive=False):
                self._open_index()

    # -- writing -------------------------------------------------------------------------

    def put(self, proof: Proof) -> Address:
        """Bank `proof` (idempotent); returns its id once file and index are durable."""
        if proof.claim.failures:
            raise InputError(f"refusing to store a proof with {proof.claim.failures} kernel failures")
        self._require_writable("bank a proof")
        pid = proofio.proof_id(proof)
        data = with_checksum(proofio.dumps(proof))
        path = self._path(pid)
        need = len(data) + 2 * 32 * (len(proof.subjects) + len(proof.assumptions)) + 4096
        with translate_io(self.root, f"banking proof {pid}", need), store_lock(self.lock_path, exclusive=False):
            self._shard_dir(path.parent, create=True)
            if not _is_regular(path):
                write_atomic(path, data, self.tmp_dir)
            try:
                self.index.add(pid, proof, len(data))
            except sqlite3.DatabaseError as exc:
                if not is_corruption(exc):
                    raise
                self._rebuilt_after(exc)  # the rebuild indexes the file just written
        return pid

    # -- reading -------------------------------------------------------------------------

    def has(self, pid: bytes) -> bool:
        path = self._path(Address(pid))
        try:
            return self._shard_dir(path.parent) and _is_regular(path)
        except StoreError:
            return False

    def get(self, pid: bytes) -> Proof:
        """The stored proof `pid`; a file that fails its checks is quarantined and raised
        as CorruptProof, so the caller can prove that part again."""
        pid = Address(pid)
        path = self._path(pid)
        if not self._shard_dir(path.parent) or not os.path.lexists(path):
            raise InputError(f"{self.root}: no proof {pid}")
        try:
            return self._decode(path, read_regular(path, "proof", nofollow=True), pid)
        except InputError as exc:
            raise self._quarantine(pid, path, exc) from None

    def entries(self, keys: Iterable[ProofKey] | None = None, kind: str | None = None,
                among: Iterable[bytes] | None = None) -> list[StoredEntry]:
        """Index rows in id order; with `among`, only the proofs certifying one of those
        targets (an index lookup per target, whatever else the store holds)."""
        keys = None if keys is None else set(keys)
        if among is None:
            return self._query(lambda: self.index.entries(keys, kind))
        touching = self._query(lambda: self.index.entries_touching(among, keys))
        return [e for e in touching if kind is None or e.kind == kind]

    def with_roots(self, subject_root: bytes, assumptions_root: bytes, kind: str,
                   keys: Iterable[ProofKey] | None = None) -> list[Address]:
        """Ids of the stored `kind` proofs whose index row names these claim roots (an
        indexed lookup): candidates to read and verify, never to trust."""
        keys = None if keys is None else set(keys)
        return self._query(lambda: self.index.ids_with_roots(Address(subject_root), Address(assumptions_root), kind, keys))

    def covered(self, keys: Iterable[ProofKey] | None = None, among: Iterable[bytes] | None = None) -> set[Address]:
        """Union of the subjects of the (key-matching) stored proofs; with `among`, only
        which of those targets are covered (an index lookup per target, whatever the
        store holds besides)."""
        keys = None if keys is None else set(keys)
        if among is not None:
            return self._query(lambda: self.index.covered_among(among, keys))
        out: set[Address] = set()
        for e in self.entries(keys):
            out.update(e.subjects)
        return out

    def find_covering(
        self, needed: Iterable[bytes], novel: Iterable[bytes] = (), keys: Iterable[ProofKey] | None = None
    ) -> list[StoredEntry]:
        """Stored proofs to fold for `needed` targets when `novel` ones are proven now
        (a small cover, see `covering.choose_cover`)."""
        keys = None if keys is None else set(keys)
        return self._query(lambda: choose_cover(lambda targets: self.index.entries_touching(targets, keys), needed, novel))

    # -- maintenance ---------------------------------------------------------------------

    def verify(self) -> StoreCheck:
        """Re-read every proof file: checksum, id, witness roots, failures, index row."""
        problems: list[str] = []
        indexed = {str(e.id): e for e in self.entries()}
        files, strays = self._scan()
        problems += [f"{p}: {what}; not part of the store (a store never follows links)" for p, what in strays]
        for pid, path in sorted(files.items()):
            try:
                proof = self._decode(path, read_regular(path, "proof", nofollow=True), Address.from_hex(pid))
            except InputError as exc:
                problems.append(str(exc))
                continue
            entry = indexed.get(pid)
            if entry is None:
                problems.append(f"{path}: proof is not in the index (run `ix store gc` to rebuild it)")
            elif entry.subjects != proof.subjects or entry.assumptions != proof.assumptions:
                problems.append(f"{path}: index row disagrees with the file")
        for pid in sorted(set(indexed) - set(files)):
            problems.append(f"{self.root}: index lists {pid} but its file is missing")
        return StoreCheck(checked=len(files), problems=tuple(problems))

    def gc(self, live_keys: Iterable[ProofKey] | None = None) -> GcReport:
        """Remove temp leftovers and (with `live_keys`) proofs of other programs; move
        files that fail their checks to quarantine/ (never deleted); rebuild the index.
        Only regular files are removed: links and directories are left alone and counted."""
        self._require_writable("garbage-collect")
        live = None if live_keys is None else set(live_keys)
        stale = quarantined = 0
        with translate_io(self.root, "garbage-collecting"), store_lock(self.lock_path, exclusive=True):
            temp, left_alone = self._clear_tmp()
            files, strays = self._scan()
            left_alone += len(strays)
            for pid, path in files.items():
                try:
                    proof = self._decode(path, read_regular(path, "proof", nofollow=True), Address.from_hex(pid))
                except InputError:
                    os.replace(path, self.quarantine_dir / path.name)
                    quarantined += 1
                    continue
                if live is not None and ProofKey.of(proof) not in live:
                    path.unlink()
                    stale += 1
            before = self.index.ids()
            self._reconcile()
            dropped = len(before - self.index.ids())
        return GcReport(temp, stale, quarantined, dropped, left_alone)

    def rebuild_index(self) -> int:
        """Drop and rebuild the index from the files; returns the number of proofs."""
        self._require_writable("rebuild the index")
        with translate_io(self.root, "rebuilding the index"), store_lock(self.lock_path, exclusive=True):
            self.index.close()
            for suffix in ("", "-wal", "-shm"):
                Path(str(self.root / INDEX) + suffix).unlink(missing_ok=True)
            self.index = Index(self.root / INDEX)
            self._reconcile()
            return len(self.index.ids())

    # -- opening -------------------------------------------------------------------------

    def _check_root(self) -> None:
        """The root is a directory holding a store (or, to write, one that may become one)."""
        try:
            st = os.stat(self.root)
        except FileNotFoundError:
            if self.read_only:
                raise StoreError(f"{self.root}: no proof store here (the directory does not exist)") from None
            return
        except OSError as exc:
            raise StoreError(f"{self.root}: cannot open as a proof store ({exc.strerror})") from None
        if not stat.S_ISDIR(st.st_mode):
            raise StoreError(f"{self.root}: not a directory ({describe_mode(st.st_mode)}); a proof store is a directory")
        if os.path.lexists(self.root / "FORMAT"):
            return
        if self.read_only:
            raise StoreError(f"{self.root}: not a proof store (no FORMAT file)")
        try:
            foreign = sorted(set(os.listdir(self.root)) - set(_LAYOUT_DIRS) - set(_LAYOUT_FILES))
        except OSError as exc:
            raise StoreError(f"{self.root}: cannot list the directory ({exc.strerror})") from None
        if foreign:
            raise StoreError(
                f"{self.root}: not a proof store (no FORMAT file) and not empty ({foreign[0]!r}, ...); refusing to write into it"
            )

    def _create_layout(self) -> None:
        if not os.access(self.root, os.W_OK) and self.root.exists():
            raise StoreError(f"store {self.root}: read-only (not writable here); this command writes to the store")
        with translate_io(self.root, "creating the store layout"):
            self.root.mkdir(parents=True, exist_ok=True)
            for d in (self.proofs_dir, self.tmp_dir, self.quarantine_dir):
                if not os.path.lexists(d):
                    d.mkdir(exist_ok=True)
            marker = self.root / "FORMAT"
            if not os.path.lexists(marker):
                write_atomic(marker, (FORMAT + "\n").encode(), self.tmp_dir)

    def _check_layout(self) -> None:
        """Refuse a store whose own paths are links or of the wrong kind: following them
        could read, write or delete outside the store."""
        for name in _LAYOUT_DIRS + _LAYOUT_FILES:
            path = self.root / name
            try:
                st = os.lstat(path)
            except FileNotFoundError:
                continue
            want_dir = name in _LAYOUT_DIRS
            if stat.S_ISLNK(st.st_mode):
                raise StoreError(f"{path}: is a symbolic link; a proof store never follows links (replace it with a real {'directory' if want_dir else 'file'})")
            if stat.S_ISDIR(st.st_mode) != want_dir or not (want_dir or stat.S_ISREG(st.st_mode)):
                raise StoreError(f"{path}: is {describe_mode(st.st_mode)}, expected a {'directory' if want_dir else 'regular file'}")

    def _check_format(self) -> None:
        marker = self.root / "FORMAT"
        data = read_regular(marker, "config", limit=256, nofollow=True)
        found = data.decode(errors="replace").strip()
        if found != FORMAT:
            raise InputError(f"{marker}: line 1: unknown store format {found!r} (expected {FORMAT!r})")

    def _drop_index(self) -> None:
        """Close and forget the open index, if any (before reopening or setting it aside)."""
        index = self.__dict__.pop("index", None)
        if index is not None:
            index.close()

    def _open_index(self) -> None:
        """Open and reconcile the on-disk index (caller holds the lock); a corrupt one is
        moved aside and rebuilt from the files."""
        self._drop_index()
        try:
            self.index = Index(self.root / INDEX)
            self._reconcile()
        except sqlite3.DatabaseError as exc:
            if not is_corruption(exc):
                raise
            self._set_aside(exc)
            self.index = Index(self.root / INDEX)
            self._reconcile()

    def _set_aside(self, exc: sqlite3.DatabaseError) -> None:
        """Move a corrupt index to quarantine/. The index is only a cache, but a healthy
        one is never moved because a disk was full or read-only: SQLite must say corrupt
        and `PRAGMA integrity_check` must agree (or a row must hold what ix never writes)."""
        path = self.root / INDEX
        self._drop_index()
        if not isinstance(exc, IndexCorrupt) and integrity_ok(path) is not False:
            raise StoreError(f"{path}: SQLite reports {exc}, but its integrity check does not confirm corruption; left in place") from None
        for suffix in ("", "-wal", "-shm"):
            broken = Path(str(path) + suffix)
            if broken.exists():
                os.replace(broken, self.quarantine_dir / f"{INDEX}{suffix}.broken")

    def _rebuilt_after(self, exc: sqlite3.DatabaseError) -> None:
        """The index turned out corrupt in use: set it aside and rebuild it from the files
        (read-only: into a private in-memory index instead)."""
        if self.read_only:
            self.index.close()
            self.index = Index(":memory:")
            with store_lock(self.lock_path, exclusive=False, read_only=True):
                self._reconcile()
            return
        with translate_io(self.root, "rebuilding a corrupt index"), store_lock(self.lock_path, exclusive=False):
            self._set_aside(exc)
            self.index = Index(self.root / INDEX)
            self._reconcile()

    def _open_read_only(self) -> Index:
        """The shared on-disk index when this store can be written (reconciled as usual);
        otherwise (a read-only mount, a full disk) a private in-memory index of the files."""
        try:
            with translate_io(self.root, "opening the index"), store_lock(self.lock_path, exclusive=False):
                self._open_index()
                return self.index
        except (StoreError, PermissionError):
            self._drop_index()
        self.index = Index(":memory:")
        with store_lock(self.lock_path, exclusive=False, read_only=True):
            self._reconcile()
        return self.index

    # -- internals -----------------------------------------------------------------------

    def _query(self, read):
        """Run an index read; an index found corrupt only now (a page no open touched) is
        rebuilt from the files and the read repeated once."""
        try:
            with translate_io(self.root, "reading the index"):
                return read()
        except sqlite3.DatabaseError as exc:
            self._rebuilt_after(exc)
            return read()

    def _require_writable(self, what: str) -> None:
        if self.read_only:
            raise StoreError(f"store {self.root}: opened read-only; cannot {what}")

    def _path(self, pid: Address) -> Path:
        h = str(pid)
        return self.proofs_dir / h[:2] / f"{h}.proof"

    def _shard_dir(self, path: Path, create: bool = False) -> bool:
        """Whether proofs/<xx>/ exists as a real directory (creating it if asked); a link
        or a file there is refused."""
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            if not create:
                return False
            path.mkdir(exist_ok=True)
            return True
        if not stat.S_ISDIR(st.st_mode):
            raise StoreError(f"{path}: is {describe_mode(st.st_mode)}, not a directory; a proof store never follows links")
        return True

    def _scan(self) -> tuple[dict[str, Path], list[tuple[Path, str]]]:
        """Proof files (regular files under real shard directories) by id, and the other
        entries found there (links, directories, devices), which are never touched."""
        files: dict[str, Path] = {}
        strays: list[tuple[Path, str]] = []
        with os.scandir(self.proofs_dir) as subs:
            for sub in subs:
                if not sub.is_dir(follow_symlinks=False):
                    if sub.is_symlink():
                        strays.append((Path(sub.path), "a symbolic link"))
                    continue
                with os.scandir(sub.path) as entries:
                    for f in entries:
                        if not (f.name.endswith(".proof") and len(f.name) == 70):
                            continue
                        if f.is_file(follow_symlinks=False):
                            files[f.name[:64]] = Path(f.path)
                        else:
                            strays.append((Path(f.path), describe_mode(f.stat(follow_symlinks=False).st_mode)))
        return files, strays

    def _clear_tmp(self) -> tuple[int, int]:
        """Unlink the regular `*.tmp` files in tmp/ through a directory descriptor opened
        without following links; returns (removed, left alone)."""
        fd = os.open(self.tmp_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        removed = left = 0
        try:
            with os.scandir(fd) as it:
                for entry in it:
                    if entry.name.endswith(".tmp") and entry.is_file(follow_symlinks=False):
                        try:
                            os.unlink(entry.name, dir_fd=fd)
                            removed += 1
                        except FileNotFoundError:
                            pass
                    else:
                        left += 1
        finally:
            os.close(fd)
        return removed, left

    def _quarantine(self, pid: Address, path: Path, exc: InputError) -> CorruptProof:
        """Move a bad proof file aside (when the store is writable) and drop its row."""
        moved = False
        if not self.read_only:
            try:
                with store_lock(self.lock_path, exclusive=False):
                    os.replace(path, self.quarantine_dir / path.name)
                    self.index.remove([pid])
                moved = True
            except (OSError, sqlite3.Error):
                moved = False
        where = f"moved to {self.quarantine_dir}/" if moved else "left in place (store not writable)"
        return CorruptProof(f"{exc} [stored proof {pid} rejected, {where}]", pid, moved)

    def _decode(self, path: Path, data: bytes, pid: Address) -> Proof:
        payload, ok = split_checksum(data)
        if not ok:
            raise InputError(f"{path}: offset {max(len(data) - 32, 0)}: checksum mismatch (file is corrupt)")
        proof, found = proofio.loads_with_id(payload, source=str(path))
        if found != pid:
            raise InputError(f"{path}: offset 0: content hashes to {found}, not its name")
        if merkle_root(proof.subjects) != proof.claim.subject_root:
            raise InputError(f"{path}: subject list does not hash to the committed subject root")
        if merkle_root(proof.assumptions) != proof.claim.assumptions_root:
            raise InputError(f"{path}: assumption list does not hash to the committed assumptions root")
        if proof.claim.failures:
            raise InputError(f"{path}: stored proof has {proof.claim.failures} kernel failures")
        return proof

    def _reconcile(self) -> None:
        """Make the index agree with the files (read the index first: a proof is always
        renamed into place before its row is inserted, so no live proof is dropped)."""
        indexed = self.index.ids()
        files = self._scan()[0]
        missing = []
        for pid in set(files) - indexed:
            path = files[pid]
            try:
                data = read_regular(path, "proof", nofollow=True)
                missing.append((Address.from_hex(pid), self._decode(path, data, Address.from_hex(pid)), len(data)))
            except InputError:
                continue  # corrupt or vanished files stay out of the index; verify reports them
        if missing:
            self.index.add_many(missing)
        gone = indexed - set(files)
        if gone:
            self.index.remove(gone)


def _is_regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except FileNotFoundError:
        return False
