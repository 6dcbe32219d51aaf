"""Which stored proofs to fold into a run: Ix's covering fixpoint (ix-pipeline.md §8).

Seed with every stored proof that certifies something needed but not proven now; then,
round by round, add proofs that certify an open obligation of the included ones,
rebuilding the included-subject and open sets from scratch each round so the closure
is transitive. Termination: the included set only grows.
"""
from __future__ import annotations

from typing import Iterable, Sequence

from .index import StoredEntry


def covering_fixpoint(
    entries: Sequence[StoredEntry], needed: Iterable[bytes], novel: Iterable[bytes]
) -> list[StoredEntry]:
    novel = frozenset(novel)
    wanted = frozenset(needed) - novel
    included = [bool(wanted.intersection(e.subjects)) for e in entries]
    while True:
        subjects: set[bytes] = set()
        assumed: set[bytes] = set()
        for e, inc in zip(entries, included):
            if inc:
                subjects.update(e.subjects)
                assumed.update(e.assumptions)
        open_ = assumed - novel - subjects
        added = False
        for i, e in enumerate(entries):
            if not included[i] and open_.intersection(e.subjects):
                included[i] = True
                added = True
        if not added:
            return [e for e, inc in zip(entries, included) if inc]
