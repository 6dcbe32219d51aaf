"""The SQLite index of a proof store: a rebuildable cache of what the proof files say.

Rows are keyed by proof id; `backend`, `program_id` and `kernel_version` are columns so
that reuse only ever sees proofs of the prover that will fold them. Subjects and
assumptions are stored as packed address blobs (the witness lists), which keeps an
entry one row and the covered set one scan.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

import attrs

from ..address import Address, pack, unpack

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
"""


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


class Index:
    def __init__(self, path: Path):
        self.path = path
        self.db = sqlite3.connect(path, timeout=60.0, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def ids(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT id FROM proofs")}

    def add(self, pid: Address, proof, size: int) -> None:
        self.add_many([(pid, proof, size)])

    def add_many(self, rows) -> None:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.executemany(
                "INSERT OR IGNORE INTO proofs VALUES (?,?,?,?,?,?,?,?,?,?)",
                [
                    (
                        str(pid), p.backend, p.kind, str(p.program_id), p.kernel_version,
                        str(p.claim.subject_root), str(p.claim.assumptions_root),
                        pack(p.subjects), pack(p.assumptions), size,
                    )
                    for pid, p, size in rows
                ],
            )
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def remove(self, ids) -> None:
        ids = [str(i) for i in ids]
        if ids:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany("DELETE FROM proofs WHERE id = ?", [(i,) for i in ids])
            self.db.execute("COMMIT")

    def entries(self, keys=None, kind: str | None = None) -> list[StoredEntry]:
        """Entries in id order, restricted to `keys` (a set of ProofKey) when given."""
        out = []
        for row in self.db.execute(
            "SELECT id, kind, backend, program_id, kernel_version, subject_root, assumptions_root,"
            " subjects, assumptions, size FROM proofs ORDER BY id"
        ):
            key = ProofKey(row[2], Address.from_hex(row[3]), row[4])
            if keys is not None and key not in keys:
                continue
            if kind is not None and row[1] != kind:
                continue
            out.append(
                StoredEntry(
                    id=Address.from_hex(row[0]), kind=row[1], key=key,
                    subject_root=Address.from_hex(row[5]), assumptions_root=Address.from_hex(row[6]),
                    subjects=unpack(row[7], source=f"{self.path} row {row[0]}"),
                    assumptions=unpack(row[8], source=f"{self.path} row {row[0]}"),
                    size=row[9],
                )
            )
        return out
