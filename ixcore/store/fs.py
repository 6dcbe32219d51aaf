"""The `fs` proof store: one checksummed file per proof, a SQLite index beside them.

Layout of a store directory D:

    D/FORMAT                         "ix-store 1"
    D/proofs/<id[:2]>/<id>.proof     proofio.dumps(proof) ‖ blake3 checksum
    D/index.sqlite                   the index (WAL); a cache of the files
    D/tmp/                           in-flight writes (leftovers of killed writers)
    D/quarantine/                    files gc moved aside because they failed checks
    D/lock                           flock: writers shared, gc exclusive

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
from pathlib import Path
from typing import Iterable

import attrs

from .. import proofio
from ..address import Address
from ..errors import InputError
from ..merkle import merkle_root
from ..model import Proof
from .atomic import split_checksum, with_checksum, write_atomic
from .covering import covering_fixpoint
from .index import Index, ProofKey, StoredEntry
from .lock import store_lock

FORMAT = "ix-store 1"


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


class FsStore:
    name = "fs"

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.proofs_dir = self.root / "proofs"
        self.tmp_dir = self.root / "tmp"
        self.quarantine_dir = self.root / "quarantine"
        self.lock_path = self.root / "lock"
        for d in (self.proofs_dir, self.tmp_dir, self.quarantine_dir):
            d.mkdir(parents=True, exist_ok=True)
        marker = self.root / "FORMAT"
        if marker.exists():
            found = marker.read_text().strip()
            if found != FORMAT:
                raise InputError(f"{marker}: line 1: unknown store format {found!r} (expected {FORMAT!r})")
        else:
            write_atomic(marker, (FORMAT + "\n").encode(), self.tmp_dir)
        with store_lock(self.lock_path, exclusive=False):
            self.index = self._open_index()
            self._reconcile()

    # -- writing -------------------------------------------------------------------------

    def put(self, proof: Proof) -> Address:
        """Bank `proof` (idempotent); returns its id once file and index are durable."""
        if proof.claim.failures:
            raise InputError(f"refusing to store a proof with {proof.claim.failures} kernel failures")
        pid = proofio.proof_id(proof)
        data = with_checksum(proofio.dumps(proof))
        path = self._path(pid)
        with store_lock(self.lock_path, exclusive=False):
            if not path.exists():
                path.parent.mkdir(exist_ok=True)
                write_atomic(path, data, self.tmp_dir)
            self.index.add(pid, proof, len(data))
        return pid

    # -- reading -------------------------------------------------------------------------

    def has(self, pid: bytes) -> bool:
        return self._path(Address(pid)).exists()

    def get(self, pid: bytes) -> Proof:
        pid = Address(pid)
        path = self._path(pid)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise InputError(f"{self.root}: no proof {pid}") from None
        return self._decode(path, data, pid)

    def entries(self, keys: Iterable[ProofKey] | None = None, kind: str | None = None) -> list[StoredEntry]:
        return self.index.entries(None if keys is None else set(keys), kind)

    def covered(self, keys: Iterable[ProofKey] | None = None) -> set[Address]:
        """Union of the subjects of the (key-matching) stored proofs."""
        out: set[Address] = set()
        for e in self.entries(keys):
            out.update(e.subjects)
        return out

    def find_covering(
        self, needed: Iterable[bytes], novel: Iterable[bytes] = (), keys: Iterable[ProofKey] | None = None
    ) -> list[StoredEntry]:
        """Stored proofs to fold for `needed` targets when `novel` ones are proven now."""
        return covering_fixpoint(self.entries(keys), needed, novel)

    # -- maintenance ---------------------------------------------------------------------

    def verify(self) -> StoreCheck:
        """Re-read every proof file: checksum, id, witness roots, failures, index row."""
        problems: list[str] = []
        indexed = {str(e.id): e for e in self.entries()}
        files = self._files()
        for pid, path in sorted(files.items()):
            try:
                proof = self._decode(path, path.read_bytes(), Address.from_hex(pid))
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
        files that fail their checks to quarantine/ (never deleted); rebuild the index."""
        live = None if live_keys is None else set(live_keys)
        temp = stale = quarantined = 0
        with store_lock(self.lock_path, exclusive=True):
            for tmp in self.tmp_dir.iterdir():
                tmp.unlink(missing_ok=True)
                temp += 1
            for pid, path in self._files().items():
                try:
                    proof = self._decode(path, path.read_bytes(), Address.from_hex(pid))
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
        return GcReport(temp, stale, quarantined, dropped)

    def rebuild_index(self) -> int:
        """Drop and rebuild the index from the files; returns the number of proofs."""
        with store_lock(self.lock_path, exclusive=True):
            self.index.close()
            for suffix in ("", "-wal", "-shm"):
                Path(str(self.root / "index.sqlite") + suffix).unlink(missing_ok=True)
            self.index = Index(self.root / "index.sqlite")
            self._reconcile()
            return len(self.index.ids())

    # -- internals -----------------------------------------------------------------------

    def _path(self, pid: Address) -> Path:
        h = str(pid)
        return self.proofs_dir / h[:2] / f"{h}.proof"

    def _files(self) -> dict[str, Path]:
        out = {}
        for sub in self.proofs_dir.iterdir():
            if not sub.is_dir():
                continue
            for f in sub.iterdir():
                if f.suffix == ".proof" and len(f.stem) == 64:
                    out[f.stem] = f
        return out

    def _decode(self, path: Path, data: bytes, pid: Address) -> Proof:
        payload, ok = split_checksum(data)
        if not ok:
            raise InputError(f"{path}: offset {max(len(data) - 32, 0)}: checksum mismatch (file is corrupt)")
        proof = proofio.loads(payload, source=str(path))
        if proofio.proof_id(proof) != pid:
            raise InputError(f"{path}: offset 0: content hashes to {proofio.proof_id(proof)}, not its name")
        if merkle_root(proof.subjects) != proof.claim.subject_root:
            raise InputError(f"{path}: subject list does not hash to the committed subject root")
        if merkle_root(proof.assumptions) != proof.claim.assumptions_root:
            raise InputError(f"{path}: assumption list does not hash to the committed assumptions root")
        if proof.claim.failures:
            raise InputError(f"{path}: stored proof has {proof.claim.failures} kernel failures")
        return proof

    def _open_index(self) -> Index:
        path = self.root / "index.sqlite"
        try:
            return Index(path)
        except sqlite3.DatabaseError:
            # the index is only a cache: move the broken one aside and rebuild from files
            os.replace(path, self.quarantine_dir / "index.sqlite.broken")
            return Index(path)

    def _reconcile(self) -> None:
        """Make the index agree with the files (read the index first: a proof is always
        renamed into place before its row is inserted, so no live proof is dropped)."""
        indexed = self.index.ids()
        files = self._files()
        missing = []
        for pid in set(files) - indexed:
            path = files[pid]
            try:
                data = path.read_bytes()
                missing.append((Address.from_hex(pid), self._decode(path, data, Address.from_hex(pid)), len(data)))
            except (InputError, FileNotFoundError):
                continue  # corrupt files stay out of the index; verify reports them
        if missing:
            self.index.add_many(missing)
        gone = indexed - set(files)
        if gone:
            self.index.remove(gone)
