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
from collections.abc import Callable, Iterable, Sequence

from .index import StoredEntry


def choose_cover(
    lookup: Callable[[set], Sequence[StoredEntry]], needed: Iterable[bytes], novel: Iterable[bytes]
) -> list[StoredEntry]:
    """The stored proofs to fold, in the order chosen, for `needed` when `novel` is proven
    now. `lookup(targets)` returns the stored proofs certifying any of `targets` (an
    index lookup, so unrelated proofs are never read)."""
    have: set[bytes] = set(novel)
    todo: set[bytes] = set(needed) - have
    taken: dict[bytes, StoredEntry] = {}
    while todo:
        picked: list[StoredEntry] = _greedy([e for e in lookup(todo) if bytes(e.id) not in taken], todo)
        if not picked:
            break
        for e in picked:
            taken[bytes(e.id)] = e
            have.update(e.subjects)
        assumed: set[bytes] = set()
        for e in picked:
            assumed.update(e.assumptions)
        todo = assumed - have
    return list(taken.values())


def lookup_in(entries: Sequence[StoredEntry]) -> Callable[[set], list[StoredEntry]]:
    """`lookup` over an in-memory list of entries (for stores without a target index)."""
    by_target: dict[bytes, list[StoredEntry]] = {}
    for e in entries:
        for t in e.subjects:
            by_target.setdefault(t, []).append(e)

    def lookup(targets: set) -> list[StoredEntry]:
        found: dict[bytes, StoredEntry] = {}
        for t in targets:
            for e in by_target.get(t, ()):
                found.setdefault(bytes(e.id), e)
        return list(found.values())

    return lookup


def _greedy(candidates: Sequence[StoredEntry], todo: set) -> list[StoredEntry]:
    """Lazy greedy set cover of `todo` (gains only shrink, so a popped entry whose fresh
    gain still tops the heap is the best pick); consumes `todo`. Ties: fewer subjects,
    fewer assumptions, smaller id, so the choice does not depend on candidate order."""
    heap = []
    for i, e in enumerate(candidates):
        gain = len(todo.intersection(e.subjects))
        if gain:
            heap.append((-gain, len(e.subjects), len(e.assumptions), bytes(e.id), i))
    heapq.heapify(heap)
    picked = []
    while heap and todo:
        neg, ns, na, eid, i = heapq.heappop(heap)
        gain = len(todo.intersection(candidates[i].subjects))
        if not gain:
            continue
        if gain < -neg:
            heapq.heappush(heap, (-gain, ns, na, eid, i))
            continue
        picked.append(candidates[i])
        todo.difference_update(candidates[i].subjects)
    return picked
