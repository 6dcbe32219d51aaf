"""Proof stores. `fs` is the built-in one: checksummed proof files plus a SQLite index."""
from __future__ import annotations

from .covering import choose_cover, lookup_in
from .fs import FsStore, GcReport, StoreCheck
from .index import ProofKey, StoredEntry

__all__ = ["FsStore", "GcReport", "ProofKey", "StoreCheck", "StoredEntry", "choose_cover", "lookup_in"]
