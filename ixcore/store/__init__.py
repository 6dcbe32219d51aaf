"""Proof stores. `fs` is the built-in one: checksummed proof files plus a SQLite index."""
from __future__ import annotations

from .covering import covering_fixpoint
from .fs import FsStore, GcReport, StoreCheck
from .index import ProofKey, StoredEntry

__all__ = ["FsStore", "GcReport", "StoreCheck", "ProofKey", "StoredEntry", "covering_fixpoint"]
