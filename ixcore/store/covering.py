"""Which stored proofs to fold into a run: a small cover of what the run does not prove.

Ix's covering fixpoint (ix-pipeline.md §8) folds every stored proof that shares a needed
target and then everything those assume, so the fold grew with the store (a fresh 2,000
constant env against 361 stored proofs folded 359 of them). Here the cost follows the
env (docs/proving.md "Which stored proofs are folded"):

1. targets = needed − novel (what this run must take from the store);
2. greedy set cover: repeatedly take the proof covering the most still-uncovered targets
   (ties: fewer subjects, then fewer assumptions, then the smaller id), until nothing
   left is covered by any stored proof;
3. the assumptions of the proofs just taken that nothing taken or novel discharges
   become the next round's targets; stop when a round takes nothing.

Stored proofs sharing no target are never looked at twice, and a proof whose targets are
already covered is never added. Each round takes at least one proof, so it terminates.
Soundness does not depend on this choice: the fold and the root verifier check coverage.
"""
from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence

from .index import StoredEntry


def choose_cover(
    entries: Sequence[StoredEntry], needed: Iterable[bytes], novel: Iterable[bytes]
) -> list[StoredEntry]:
    """The stored proofs to fold (in the order given) for `needed` when `novel` is proven now."""
    have = set(novel)
    todo = set(needed) - have
    taken: dict[int, StoredEntry] = {}
    while todo:
        picked = _greedy(entries, todo, taken)
        if not picked:
            break
        for i in picked:
            have.update(entries[i].subjects)
        todo = {a for i in picked for a in entries[i].assumptions} - have
    return [entries[i] for i in sorted(taken)]


def _greedy(entries: Sequence[StoredEntry], todo: set, taken: dict[int, StoredEntry]) -> list[int]:
    """Lazy greedy set cover of `todo` (gains only shrink, so a popped entry whose fresh
    gain still tops the heap is the best pick). Consumes `todo`; records picks in `taken`."""
    heap = []
    for i, e in enumerate(entries):
        if i in taken:
            continue
        gain = len(todo.intersection(e.subjects))
        if gain:
            heap.append((-gain, len(e.subjects), len(e.assumptions), bytes(e.id), i))
    heapq.heapify(heap)
    picked = []
    while heap and todo:
        neg, ns, na, eid, i = heapq.heappop(heap)
        gain = len(todo.intersection(entries[i].subjects))
        if not gain:
            continue
        if gain < -neg:
            heapq.heappush(heap, (-gain, ns, na, eid, i))
            continue
        taken[i] = entries[i]
        picked.append(i)
        todo.difference_update(entries[i].subjects)
    return picked
