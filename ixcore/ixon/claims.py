"""Host mirror of the Zisk/SP1 leaf guests' claim rule, bit for bit (spec ixon §11.1).

subject     = the proven targets of the checked items (multiset; the root is set-based);
assumptions = every `refs` entry of every certified constant that Ix's `get_const`
              returns (stored and hash-genuine), minus the certified set, minus the
              addresses present as blobs in the shipped env.

The blob exclusion is Ix's rule and is kept for compatibility with its aggregation
witness lists. It is weak (pipeline spec §13.1): blobs and constants share one
un-separated blake3 address space, so a prover can ship a *blob* whose bytes equal a
dependency's constant bytes; it hashes to the dependency's address, passes blob
verification, and silently drops that dependency from the assumption set. A full-env
fold whose coverage check forces every constant into the subject contains the damage;
partial and cross-env claims do not. The fix (domain separation, or deciding blob-ness
from the Str/Nat use of the ref index) changes the claim and needs a new guest.
"""
from __future__ import annotations

from typing import Iterable

import attrs

from ..address import Address
from ..merkle import WitnessRoots
from .env import IxonEnv
from .work import AnonWork, build_anon_work


@attrs.frozen
class LeafClaim(WitnessRoots):
    """The roots a leaf commits, with the witness lists behind them (Ix's .cover/.asm)."""

    subjects: tuple[Address, ...]
    assumptions: tuple[Address, ...]
    checked_count: int  # proven targets with multiplicity, as the guests count them
    items: int


def select_items(work: list[AnonWork], check_list: Iterable[bytes], range_: tuple[int, int] = (0, 0)) -> list[AnonWork]:
    """Reuse mode (non-empty check list): the items whose primary is listed, in work
    order. Range mode: `work[start:end]`, (0, 0) meaning all, both clamped to the total."""
    wanted = {Address(a) for a in check_list}
    if wanted:
        return [w for w in work if w.primary in wanted]
    total = len(work)
    start, end = range_
    if (start, end) == (0, 0):
        return work
    end = min(end, total)
    return work[min(start, end) : end]


def leaf_claim(sub_env: IxonEnv, check_list: Iterable[bytes] = (), range_: tuple[int, int] = (0, 0)) -> LeafClaim:
    items = select_items(build_anon_work(sub_env), check_list, range_)
    checked = [t for w in items for t in w.proven_targets]
    certified = set(checked)
    assumed = {
        r
        for t in certified
        if sub_env.const_is_genuine(t)
        for r in sub_env.scan(t).refs
        if r not in certified and r not in sub_env.blobs
    }
    return LeafClaim(tuple(sorted(certified)), tuple(sorted(assumed)), len(checked), len(items))


def leaf_claim_lists(sub_env: IxonEnv, check_list: Iterable[bytes]) -> tuple[list[Address], list[Address]]:
    """(subjects, assumptions), each sorted and deduplicated: the preimages of the roots."""
    claim = leaf_claim(sub_env, check_list)
    return list(claim.subjects), list(claim.assumptions)
