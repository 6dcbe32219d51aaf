"""The SQLite index of a proof store: a rebuildable cache of what the proof files say.

Rows are keyed by proof id; `backend`, `program_id` and `kernel_version` are columns so
that reuse only ever sees proofs of the prover that will fold them. Subjects and
assumptions are stored as packed address blobs (the witness lists), which keeps an
entry one row. The `subjects` table maps each target to the proofs that certify it, so
a run looks up only the proofs touching its env's targets: its cost follows the env,
not the number of unrelated proofs in the store (schema version 2; an index of
version 1 is filled in when first opened).
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

import attrs

from ..address import Address, pack, unpack
from ..errors import InputError

SCHEMA = """
CREATE TABLE IF NOT EXISTS proofs (
    id TEXT PRIMARY KEY,
    backend TEXT NOT NULL,
    kind TEXT NOT NULL,
    program_id TEXT NOT NULL,
    kernel_version TEXT NOT NULL,
    subject_root TEXT NOT NULL,
    assumptions_root TEXT NOT NULL,
    subjects BLOB NOT NULL,
    assumptions BLOB NOT NULL,
    size INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS proofs_by_key ON proofs (backend, program_id, kernel_version);
CREATE INDEX IF NOT EXISTS proofs_by_roots ON proofs (subject_root, assumptions_root);
CREATE TABLE IF NOT EXISTS subjects (target BLOB NOT NULL, id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS subjects_by_target ON subjects (target);
CREATE INDEX IF NOT EXISTS subjects_by_id ON subjects (id);
"""
SCHEMA_VERSION = 2
_COLUMNS = "id, kind, backend, program_id, kernel_version, subject_root, assumptions_root, subjects, assumptions, size"
_BATCH = 500  # host parameters per IN (...) query, under SQLite's limit


@attrs.frozen
class ProofKey:
    """What makes a stored proof reusable by a prover: same backend, program, kernel."""

    backend: str
    program_id: Address = attrs.field(converter=Address)
    kernel_version: str

    @classmethod
    def of(cls, proof) -> ProofKey:
        return cls(proof.backend, proof.program_id, proof.kernel_version)


@attrs.frozen
class StoredEntry:
    """One indexed proof: its id, key and witness lists (cover and assumptions)."""

    id: Address = attrs.field(converter=Address)
    kind: str
    key: ProofKey
    subject_root: Address = attrs.field(converter=Address)
    assumptions_root: Address = attrs.field(converter=Address)
    subjects: tuple[Address, ...] = attrs.field(converter=tuple)
    assumptions: tuple[Address, ...] = attrs.field(converter=tuple)
    size: int = 0


class IndexCorrupt(sqlite3.DatabaseError):
    """A row holds what ix never writes (a non-hex id, a ragged address list, bad
    UTF-8): the bytes are wrong whatever SQLite's structural checks say."""

    sqlite_errorname = "SQLITE_CORRUPT_ROW"


def _text(raw: bytes) -> str:
    try:
        return raw.decode()
    except UnicodeDecodeError:
        raise IndexCorrupt("index holds text that is not UTF-8") from None


class Index:
    def __init__(self, path: Path | str):
        self.path = path
        self.db = sqlite3.connect(path, timeout=60.0, isolation_level=None)
        self.db.text_factory = _text
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)
        if self.db.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
            self._fill_subjects()

    def _fill_subjects(self) -> None:
        """Upgrade a version-1 index: one `subjects` row per (target, proof)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.execute("DELETE FROM subjects")
            for pid, blob in self.db.execute("SELECT id, subjects FROM proofs").fetchall():
                self.db.executemany("INSERT INTO subjects VALUES (?, ?)", [(bytes(a), pid) for a in unpack(blob, source=str(self.path))])
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self.db.close()

    def ids(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT id FROM proofs")}

    def add(self, pid: Address, proof, size: int) -> None:
        self.add_many([(pid, proof, size)])

    def add_many(self, rows) -> None:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            for pid, p, size in rows:
                cur = self.db.execute(
                    "INSERT OR IGNORE INTO proofs VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (
                        str(pid), p.backend, p.kind, str(p.program_id), p.kernel_version,
                        str(p.claim.subject_root), str(p.claim.assumptions_root),
                        pack(p.subjects), pack(p.assumptions), size,
                    ),
                )
                if cur.rowcount:  # a new proof: index its targets once
                    self.db.executemany("INSERT INTO subjects VALUES (?, ?)", [(bytes(a), str(pid)) for a in p.subjects])
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def remove(self, ids) -> None:
        ids = [str(i) for i in ids]
        if ids:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany("DELETE FROM proofs WHERE id = ?", [(i,) for i in ids])
            self.db.executemany("DELETE FROM subjects WHERE id = ?", [(i,) for i in ids])
            self.db.execute("COMMIT")

    def entries(self, keys=None, kind: str | None = None) -> list[StoredEntry]:
        """Entries in id order, restricted to `keys` (a set of ProofKey) when given."""
        rows = self.db.execute(f"SELECT {_COLUMNS} FROM proofs ORDER BY id")
        return [e for e in map(self._entry, rows) if (keys is None or e.key in keys) and (kind is None or e.kind == kind)]

    def entries_touching(self, targets, keys=None) -> list[StoredEntry]:
        """Entries (in id order) that certify at least one of `targets`: indexed lookups,
        so the cost follows `targets`, not the size of the store."""
        ids: set[str] = set()
        for chunk in _chunks([bytes(t) for t in targets]):
            ids.update(r[0] for r in self.db.execute(
                f"SELECT DISTINCT id FROM subjects WHERE target IN ({','.join('?' * len(chunk))})", chunk))
        out: list[StoredEntry] = []
        for chunk in _chunks(sorted(ids)):
            out += map(self._entry, self.db.execute(
                f"SELECT {_COLUMNS} FROM proofs WHERE id IN ({','.join('?' * len(chunk))})", chunk))
        return sorted((e for e in out if keys is None or e.key in keys), key=lambda e: bytes(e.id))

    def ids_with_roots(self, subject_root: Address, assumptions_root: Address, kind: str, keys=None) -> list[Address]:
        """Ids (in id order) of the (key-matching) `kind` proofs the index says commit
        exactly these two roots: one indexed lookup, whatever the store holds besides.
        A hint only: the caller reads and checks each proof."""
        out: list[Address] = []
        for pid, backend, program_id, kernel in self.db.execute(
            "SELECT id, backend, program_id, kernel_version FROM proofs"
            " WHERE subject_root = ? AND assumptions_root = ? AND kind = ? ORDER BY id",
            (str(subject_root), str(assumptions_root), kind),
        ):
            try:
                if keys is None or ProofKey(backend, Address.from_hex(program_id), kernel) in keys:
                    out.append(Address.from_hex(pid))
            except (InputError, ValueError, TypeError) as exc:
                raise IndexCorrupt(f"index row {str(pid)[:70]!r} is malformed ({exc})") from None
        return out

    def covered_among(self, targets, keys=None) -> set[Address]:
        """Which of `targets` some (key-matching) stored proof certifies."""
        out: set[Address] = set()
        for chunk in _chunks([bytes(t) for t in targets]):
            for target, backend, program_id, kernel in self.db.execute(
                "SELECT s.target, p.backend, p.program_id, p.kernel_version FROM subjects s JOIN proofs p ON p.id = s.id"
                f" WHERE s.target IN ({','.join('?' * len(chunk))})", chunk,
            ):
                try:
                    if keys is None or ProofKey(backend, Address.from_hex(program_id), kernel) in keys:
                        out.add(Address(target))
                except (InputError, ValueError, TypeError) as exc:
                    raise IndexCorrupt(f"index row for target {target!r:.70} is malformed ({exc})") from None
        return out

    def _entry(self, row) -> StoredEntry:
        try:
            return StoredEntry(
                id=Address.from_hex(row[0]), kind=row[1], key=ProofKey(row[2], Address.from_hex(row[3]), row[4]),
                subject_root=Address.from_hex(row[5]), assumptions_root=Address.from_hex(row[6]),
                subjects=unpack(row[7], source=f"{self.path} row {row[0]}"),
                assumptions=unpack(row[8], source=f"{self.path} row {row[0]}"),
                size=row[9],
            )
        except (InputError, ValueError, TypeError) as exc:
            raise IndexCorrupt(f"index row {str(row[0])[:70]!r} is malformed ({exc})") from None


def _chunks(items: list) -> list[list]:
    return [items[i : i + _BATCH] for i in range(0, len(items), _BATCH)]
