"""Folding leaf and stored proofs into one root claim (ix-pipeline.md §2.2, §5, §7.3).

The plan: prune the manifest's bisection tree to the shards proven in this run, expand
it with `agg_plan` (each aggregation takes 2..=arity children), append every stored
proof chosen by the covering fixpoint as an extra child, then fold the forest in
arity-sized chunks until one root remains. At least one aggregation always happens, so
every stored proof is re-verified by an aggregation program (reuse by verification,
never by trust) and the root carries the aggregate's program pin.

The host mirrors each aggregation's discharge (`discharge`) and rejects a result that
differs from it. Provers without the aggregate capability (SP1) end with the set of
leaf proofs and a host-side discharge check, reported as "not aggregated".
"""
from __future__ import annotations

import time
from typing import Callable, Iterable, Sequence, Union

import attrs

from .address import Address
from .errors import InputError, VerificationError
from .manifest import AggNode, FoldLeaf, ShardManifest, agg_plan, balanced_agg_tree
from .merkle import merkle_root
from .model import Proof

#: The orders the fleet model (ixcore.schedule) can simulate a fold in: "waves" is what
#: `run_fold` does (every leaf, then one tree level at a time); "eager" starts each
#: aggregation when its children are done (a lower bound for a dependency-driven executor).
FOLDS = ("waves", "eager")

@attrs.frozen
class NovelLeaf:
    """A leaf proven in this run (a manifest shard id)."""

    shard: int


@attrs.frozen
class StoredChild:
    """A proof taken from the store, folded as an extra child."""

    proof_id: Address = attrs.field(converter=Address)


@attrs.frozen
class Agg:
    """Aggregate the proofs of earlier ops (indices into the op list)."""

    children: tuple[int, ...]


Op = Union[NovelLeaf, StoredChild, Agg]


@attrs.frozen
class Discharge:
    """The set algebra of a mode-1 aggregation: subject = ∪S, assumptions = ∪A \\ ∪S."""

    subjects: tuple[Address, ...]
    assumptions: tuple[Address, ...]

    @property
    def unconditional(self) -> bool:
        return not self.assumptions


@attrs.frozen
class FoldResult:
    root: Proof | None              # None when the prover cannot aggregate
    discharge: Discharge
    ops: tuple[Op, ...]
    aggregations: int
    seconds: float
    aggregated: bool
    aggregates: tuple[Proof, ...] = ()  # every aggregate made, root last


def validate_manifest(manifest: ShardManifest, source: str = "manifest") -> None:
    """Re-check the manifest invariants (ids = positions, no block in two shards, every
    non-empty shard exactly once in the tree) on whatever object reached the fold."""
    problem = manifest.problem()
    if problem:
        raise InputError(f"{source}: {problem}")


def plan_fold(tree: AggNode | None, proven: Sequence[int], stored: Sequence[Address], arity: int) -> list[Op]:
    """Post-order ops whose last entry is the root; see the module docstring."""
    arity = max(arity, 2)
    proven = sorted(set(proven))
    ops: list[Op] = []
    if len(proven) >= 2:
        keep = set(proven)
        base = tree if tree is not None else balanced_agg_tree(0, max(proven) + 1)
        pruned = base.prune(lambda s: s in keep)
        if pruned is None or sorted(pruned.leaves()) != proven:
            raise InputError("fold: the aggregation tree does not contain every proven shard")
        for op in agg_plan(pruned, arity):
            ops.append(NovelLeaf(op.shard) if isinstance(op, FoldLeaf) else Agg(tuple(op.children)))
    elif proven:
        ops.append(NovelLeaf(proven[0]))
    current = [len(ops) - 1] if ops else []
    for pid in stored:
        ops.append(StoredChild(pid))
        current.append(len(ops) - 1)
    if not current:
        raise InputError("fold: nothing to fold (no proven shard and no stored proof)")
    planned_agg = any(isinstance(op, Agg) for op in ops)
    while len(current) > 1 or not planned_agg:
        nxt = []
        for i in range(0, len(current), arity):
            ops.append(Agg(tuple(current[i : i + arity])))
            nxt.append(len(ops) - 1)
        current = nxt
        planned_agg = True
    return ops


def discharge(children: Iterable[Proof]) -> Discharge:
    """Host mirror of mode-1: check each child's witness lists against its committed
    roots (a forged list is rejected here, before any aggregation time is spent), then
    subject = ∪S and assumptions = ∪A \\ ∪S."""
    subjects: set[Address] = set()
    assumed: set[Address] = set()
    for child in children:
        check_witnesses(child)
        subjects.update(child.subjects)
        assumed.update(child.assumptions)
    return Discharge(tuple(sorted(subjects)), tuple(sorted(assumed - subjects)))


def check_witnesses(proof: Proof) -> None:
    what = f"{proof.backend} {proof.kind} proof"
    if merkle_root(proof.subjects) != proof.claim.subject_root:
        raise VerificationError(f"{what}: subject list does not hash to the committed subject root (forged witness)")
    if merkle_root(proof.assumptions) != proof.claim.assumptions_root:
        raise VerificationError(
            f"{what}: assumption list does not hash to the committed assumptions root (forged witness)"
        )
    if proof.claim.failures:
        raise VerificationError(f"{what}: {proof.claim.failures} kernel failure(s); a rejected leaf is never folded")


def run_fold(
    ops: Sequence[Op],
    leaves: dict[int, Proof],
    stored: dict[Address, Proof],
    aggregate: Callable[[list[Proof]], Proof] | None,
    executor=None,
) -> FoldResult:
    """Execute `ops`. Aggregations of one depth are independent and go to `executor`
    together (or run inline); each result must match the host's discharge mirror.
    `aggregate=None` means the prover cannot aggregate: only the discharge is computed."""
    start = time.perf_counter()
    slots: list[Proof | None] = [None] * len(ops)
    for i, op in enumerate(ops):
        if isinstance(op, NovelLeaf):
            slots[i] = leaves[op.shard]
        elif isinstance(op, StoredChild):
            slots[i] = stored[op.proof_id]
    every_child = [p for p in slots if p is not None]
    if aggregate is None:
        mirror = discharge(every_child)
        return FoldResult(None, mirror, tuple(ops), 0, time.perf_counter() - start, aggregated=False)

    depth = [0] * len(ops)
    for i, op in enumerate(ops):
        if isinstance(op, Agg):
            depth[i] = 1 + max(depth[c] for c in op.children)
    count = 0
    for level in range(1, max(depth) + 1):
        wave = [i for i, op in enumerate(ops) if isinstance(op, Agg) and depth[i] == level]
        jobs = [(i, [slots[c] for c in ops[i].children]) for i in wave]
        mirrors = {i: discharge(children) for i, children in jobs}
        results = _run_wave(aggregate, jobs, executor)
        for i, proof in results.items():
            mirror = mirrors[i]
            if proof.subjects != mirror.subjects or proof.assumptions != mirror.assumptions:
                raise VerificationError(f"aggregation {i}: committed sets differ from the host discharge (discharge diverged)")
            slots[i] = proof
            count += 1
    root = slots[-1]
    assert root is not None
    mirror = Discharge(root.subjects, root.assumptions)
    made = tuple(slots[i] for i, op in enumerate(ops) if isinstance(op, Agg))
    return FoldResult(root, mirror, tuple(ops), count, time.perf_counter() - start, aggregated=True, aggregates=made)


def _run_wave(aggregate, jobs, executor) -> dict[int, Proof]:
    if executor is None or len(jobs) <= 1:
        return {i: aggregate(children) for i, children in jobs}
    out: dict[int, Proof] = {}
    for (i, _children), result in executor.map(_AggJob(aggregate), jobs):
        if isinstance(result, BaseException):
            raise result
        out[i] = result
    return out


@attrs.frozen
class _AggJob:
    """Picklable wrapper so process and dask executors can run one aggregation."""

    aggregate: Callable[[list[Proof]], Proof]

    def __call__(self, job):
        _i, children = job
        return self.aggregate(children)


@attrs.frozen
class Coverage:
    """How the folded subject set relates to the env's proven targets."""

    missing: tuple[Address, ...]
    extra: int

    @property
    def complete(self) -> bool:
        return not self.missing


def check_coverage(subjects: Iterable[bytes], env_targets: Iterable[bytes]) -> Coverage:
    """Authoritative coverage test against the folded subject set (not against the
    leaves that were proven): every env target must be certified by the root."""
    have = set(subjects)
    want = set(env_targets)
    return Coverage(tuple(sorted(Address(a) for a in want - have)), len(have - want))
