"""The data flow of `ix prove`, written once (docs/architecture.md "Data flow").

    load env ─▶ store.covered() ─▶ profile novel blocks ─▶ plan (or given manifest)
      ─▶ group work by shard; shards whose targets are all covered are reused
      ─▶ executor: prove novel leaves, reject failures at once, bank each leaf on arrival
      ─▶ covering fixpoint over the store ─▶ fold (aggregate + discharge) ─▶ verify root

Backends arrive as objects (`Backends`), so the same flow runs the registered plugins
from the CLI and test doubles from tests. Nothing here imports a plugin.
"""
from __future__ import annotations

import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Sequence

import attrs

from .address import Address
from .errors import ConfigError, InputError, IxError, VerificationError
from .fold import FoldResult, check_coverage, check_witnesses, plan_fold, run_fold, validate_manifest
from .manifest import ShardManifest
from .merkle import merkle_root
from .model import Proof, WorkItem
from .proofio import proof_id
from .store import ProofKey
from .store.covering import choose_cover, lookup_in
from .store.faults import CorruptProof
from .verify import VerifyReport, expand_tree, fetch_from, verify_leaf_set, verify_root

# ---------------------------------------------------------------------------------------
# Leaf jobs: picklable, so the process pool and dask can run them. Workers forked from
# the pipeline inherit the loaded env through _ENV_CACHE; others (remote dask workers)
# load it once from its path.

_ENV_CACHE: dict[tuple, Any] = {}


@attrs.frozen
class EnvRef:
    """How a worker finds the environment: the format object and the file."""

    env_format: Any
    path: str

    @property
    def key(self) -> tuple:
        st = os.stat(self.path)
        return (self.path, st.st_mtime_ns, st.st_size)

    def get(self):
        key = self.key
        env = _ENV_CACHE.get(key)
        if env is None:
            env = _ENV_CACHE[key] = self.env_format.load(self.path)
        return env

    def seed(self, env) -> None:
        _ENV_CACHE[self.key] = env


@attrs.frozen
class LeafJob:
    shard: int
    blocks: tuple[Address, ...]
    workdir: str


@attrs.frozen
class ProveLeaf:
    """The function every executor runs for a leaf job."""

    env_ref: EnvRef
    prover: Any

    def __call__(self, job: LeafJob) -> Proof:
        wd = Path(job.workdir)
        wd.mkdir(parents=True, exist_ok=True)
        return self.prover.prove(self.env_ref.get(), list(job.blocks), wd)


@attrs.frozen
class Aggregate:
    """One aggregation call (picklable for executors)."""

    prover: Any
    workdir: str

    def __call__(self, children: list[Proof]) -> Proof:
        wd = Path(self.workdir)
        wd.mkdir(parents=True, exist_ok=True)
        return self.prover.aggregate(children, wd)


# ---------------------------------------------------------------------------------------


@attrs.frozen
class Backends:
    env_format: Any
    leaf_prover: Any
    agg_prover: Any | None
    executor: Any
    store: Any | None = None
    profiler: Any | None = None
    partitioner: Any | None = None
    partitioner_name: str = ""


@attrs.frozen
class PlanSettings:
    shards: int | None = None
    max_ram_gib: float | None = None
    max_cost: float | None = None
    eps: float = 0.05
    seed: int = 42
    mode: str = "pack"
    arity: int = 4
    jobs: int = 1
    fleet: Any = None            # ixcore.fleet.Fleet: choose k for it, order and place leaves by its schedule


@attrs.frozen
class ShardRun:
    """Per-shard row of the run report."""

    shard: int
    blocks: int
    status: str                  # "proven" or "reused"
    predicted_cost: float = 0.0
    seconds: float = 0.0
    work: int = 0
    peak_memory: int = 0
    steps: int | None = None
    proof_size: int = 0
    subject_root: str = ""
    assumptions_root: str = ""


@attrs.frozen
class RunResult:
    env_path: str
    env_root: Address
    root: Proof | None
    leaves: tuple[Proof, ...]
    stored: tuple[Proof, ...]
    fold: FoldResult
    verification: VerifyReport
    shards: tuple[ShardRun, ...]
    phases: dict
    outstanding: tuple[tuple[str, str | None], ...]
    extra_subjects: int
    warnings: tuple[str, ...] = ()
    blocks: int = 0              # work items (blocks) of the env
    rejected_stored: tuple[dict, ...] = ()  # stored proofs that failed authentication
    support: tuple[Proof, ...] = ()         # descendants of folded stored aggregates
    prediction: dict | None = None   # the fleet schedule's predictions against this run's measurements

    @property
    def ok(self) -> bool:
        return self.verification.ok

    @property
    def unconditional(self) -> bool:
        return self.ok and not self.outstanding

    def fold_proofs(self) -> tuple[Proof, ...]:
        return self.fold.aggregates

    def summary(self) -> dict:
        proven = sum(s.status == "proven" for s in self.shards)
        reused = sum(s.status == "reused" for s in self.shards)
        claim = self.root.claim if self.root is not None else None
        return {
            "env": self.env_path,
            "env_root": str(self.env_root),
            "verified": self.ok,
            "unconditional": self.unconditional,
            "aggregated": self.fold.aggregated,
            "shards_proven": proven,
            "shards_reused": reused,
            "blocks": self.blocks,
            "blocks_proven": sum(s.blocks for s in self.shards if s.status == "proven"),
            "stored_proofs_folded": len(self.stored),
            "aggregations": self.fold.aggregations,
            "root_claim": claim.to_json() if claim else None,
            "subject_root": str(merkle_root(self.fold.discharge.subjects)),
            "subject_equals_env_root": merkle_root(self.fold.discharge.subjects) == self.env_root,
            "extra_subjects": self.extra_subjects,
            "outstanding_assumptions": [{"address": a, "name": n} for a, n in self.outstanding],
            "phases": self.phases,
            "checks": self.verification.to_json()["checks"],
            "warnings": list(self.warnings),
            "stored_rejected": list(self.rejected_stored),
        }


class _Phases:
    def __init__(self):
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str):
        t = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = round(self.seconds.get(name, 0.0) + time.perf_counter() - t, 6)


def store_keys(leaf_prover, agg_prover) -> set[ProofKey]:
    """The store entries this prover pair may fold: its own program ids and kernel."""
    backend = getattr(leaf_prover, "backend", leaf_prover.name)
    keys = {ProofKey(backend, leaf_prover.program_id, leaf_prover.kernel_version)}
    if agg_prover is not None:
        keys.add(ProofKey(backend, agg_prover.program_ids[1], leaf_prover.kernel_version))
    return keys


def prove_env(
    env_path: str | Path,
    backends: Backends,
    settings: PlanSettings,
    *,
    manifest: ShardManifest | None = None,
    workdir: str | Path = ".ix/work",
    progress=None,
    env=None,
) -> RunResult:
    """Run the whole flow; raises VerificationError (exit 1) on a rejected leaf or root.

    A stored proof that fails its checks when folded has been moved to quarantine by the
    store (CorruptProof): the run starts over without it, so the shards it covered are
    proven again (leaves banked meanwhile are reused); each retry removes one file."""
    notes: list[str] = []
    while True:
        try:
            result = _prove_once(env_path, backends, settings, manifest=manifest, workdir=workdir, progress=progress, env=env)
        except CorruptProof as exc:
            if not exc.quarantined:
                raise
            notes.append(f"{exc}; proving what it covered again")
            continue
        return attrs.evolve(result, warnings=tuple(notes) + result.warnings) if notes else result


def _prove_once(env_path, backends: Backends, settings: PlanSettings, *, manifest, workdir, progress, env) -> RunResult:
    phases = _Phases()
    warnings: list[str] = []
    workdir = Path(workdir)
    leaf, agg, store = backends.leaf_prover, backends.agg_prover, backends.store
    aggregates = agg is not None and "aggregate" in getattr(leaf, "capabilities", frozenset())
    if aggregates and store is not None and manifest is None:
        from .reuse import reuse_stored_root

        reused, notes = reuse_stored_root(env_path, backends, env)
        if reused is not None:
            return reused
        warnings += notes

    with phases("load"):
        env_ref = EnvRef(backends.env_format, str(env_path))
        if env is None:
            env = env_ref.get()
        else:
            env_ref.seed(env)
        items: list[WorkItem] = env.work_items()
        if not items:
            raise InputError(f"{env_path}: the environment declares nothing; there is no claim to prove")
        env_root = env.env_root()
        item_of_block = {w.block: w for w in items}

    keys = store_keys(leaf, agg if aggregates else None)
    env_targets = {t for w in items for t in w.proven_targets}
    with phases("store"):
        usable = _usable_stored(store, keys, env_targets, leaf, agg if aggregates else None) if store is not None else _Usable()
        covered = set().union(*(e.subjects for e in usable.entries))
        covered_blocks = {w.block for w in items if w.proven_targets and all(t in covered for t in w.proven_targets)}
    novel_blocks = [w.block for w in items if w.block not in covered_blocks]

    profile = None
    if manifest is None and novel_blocks:
        with phases("profile"):
            profile = _profile(env, backends, novel_blocks, settings, warnings)
        with phases("plan"):
            manifest, plan_warnings = _plan(profile, backends, settings, covered_blocks, env)
            warnings += plan_warnings
    elif manifest is None:
        manifest = ShardManifest(0, (), None)
    validate_manifest(manifest)

    # group work by manifest; a shard whose targets are all covered is reused
    groups: list[tuple[int, list[WorkItem]]] = []
    assigned: set[Address] = set()
    for shard in manifest.shards:
        ws = []
        for b in shard.blocks:
            w = item_of_block.get(b)
            if w is None:
                raise InputError(f"manifest: shard {shard.id} names block {b}, which is not in {env_path}")
            ws.append(w)
            assigned.add(b)
        groups.append((shard.id, ws))
    unassigned = [w for w in items if w.block not in assigned and w.block not in covered_blocks]
    if unassigned:
        w = unassigned[0]
        raise InputError(
            f"manifest: block {w.block} ({', '.join(w.names[:1]) or 'unnamed'}) is neither in a shard nor covered "
            f"by the store ({len(unassigned)} such block(s); stale or mismatched manifest)"
        )
    shard_rows: dict[int, ShardRun] = {}
    jobs: list[LeafJob] = []
    for sid, ws in groups:
        if not ws:
            continue
        targets = {t for w in ws for t in w.proven_targets}
        predicted = float(manifest.shards[sid].heartbeats)
        if targets <= covered:
            # a reused shard's claim subject is its targets' root, as its leaf proof committed
            shard_rows[sid] = ShardRun(sid, len(ws), "reused", predicted, subject_root=str(merkle_root(targets)))
        else:
            jobs.append(LeafJob(sid, tuple(w.block for w in ws), str(workdir / f"shard-{sid}")))
            shard_rows[sid] = ShardRun(sid, len(ws), "proven", predicted)

    rejected_stored = tuple(_rejected_row(e, why, groups) for e, why in usable.rejected)
    warnings += [
        f"stored {r['kind']} {r['proof']} not reused ({r['reason']}); "
        + (f"re-proven in shard(s) {', '.join(map(str, r['shards']))}" if r["shards"] else "its targets come from other proofs")
        for r in rejected_stored
    ]

    schedule = None
    hints: dict = {}
    if settings.fleet is not None and jobs:
        with phases("schedule"):
            schedule, hints = _fleet_schedule(settings, manifest, jobs, profile, env)
        jobs.sort(key=lambda j: -hints[j].priority)  # every executor submits in this order
    leaves: dict[int, Proof] = {}
    if jobs and hasattr(env, "load_full"):
        with phases("load"):  # an env loaded lazily (from an index) is parsed once, before workers fork
            env.load_full()
    with phases("prove"):
        task = progress.add_task("proving leaves", total=len(jobs)) if progress is not None and jobs else None
        fn = ProveLeaf(env_ref, leaf)
        rejected: list[tuple[LeafJob, Proof]] = []
        placed = {"hints": hints} if hints and getattr(backends.executor, "takes_hints", False) else {}
        for job, result in backends.executor.map(fn, jobs, **placed):
            if isinstance(result, BaseException):
                raise VerificationError(f"shard {job.shard}: leaf prover failed: {result}") from result
            proof = result
            if task is not None:
                progress.advance(task)
            if proof.claim.failures:
                # never banked; the other leaves still run, so one run names every
                # rejected declaration and banks the good leaves for the next run
                rejected.append((job, proof))
                continue
            _check_leaf(proof, job, item_of_block, leaf)
            if store is not None:
                store.put(proof)  # banked at once: an interrupted run resumes from here
            leaves[job.shard] = proof
            stats = proof.stats
            shard_rows[job.shard] = attrs.evolve(
                shard_rows[job.shard],
                seconds=float(stats.get("seconds", 0.0)), work=int(stats.get("work", 0)),
                peak_memory=int(stats.get("peak_memory", 0)), steps=stats.get("steps"),
                proof_size=len(proof.body), subject_root=str(proof.claim.subject_root),
                assumptions_root=str(proof.claim.assumptions_root),
            )
        if rejected:
            raise VerificationError(_rejection_message(rejected, len(leaves), store is not None))

    novel_targets = {t for p in leaves.values() for t in p.subjects}
    with phases("fold"):
        entries = choose_cover(lookup_in(usable.entries), env_targets, novel_targets)
        stored = {e.id: usable.proofs.get(e.id) or store.get(e.id) for e in entries}
        support = [p for e in entries for p in usable.support.get(e.id, ())]
        for p in stored.values():
            check_witnesses(p)
        gap = check_coverage(novel_targets.union(*(p.subjects for p in stored.values())), env_targets)
        if not gap.complete:
            raise VerificationError(f"coverage gap: {len(gap.missing)} env target(s) neither proven nor stored, e.g. {_named(env, gap.missing[0])}")
        arity = settings.arity
        if aggregates and getattr(agg, "arity", arity) < arity:
            warnings.append(f"arity {arity} exceeds what aggregation prover {agg.name} takes; folding with {agg.arity}")
            arity = agg.arity
        ops = plan_fold(manifest.tree, sorted(leaves), list(stored), arity)
        fold = run_fold(
            ops, leaves, stored,
            Aggregate(agg, str(workdir / "agg")) if aggregates else None,
            backends.executor if settings.jobs > 1 else None,
        )

    with phases("verify"):
        if fold.aggregated:
            report = verify_root(
                fold.root, leaf_id=leaf.program_id, agg_id=agg.program_ids[1], backend_check=agg.verify,
                env_root=env_root, env_targets=env_targets, require_unconditional=False,
            )
            if getattr(agg, "attested", False):
                pool = {proof_id(p): p for p in (*leaves.values(), *stored.values(), *support, *fold.aggregates)}
                report = VerifyReport(report.checks + (expand_tree(fold.root, pool.get, leaf, agg).check(),))
        else:
            report = verify_leaf_set(
                list(leaves.values()) + list(stored.values()), leaf_id=leaf.program_id, backend_check=leaf.verify,
                env_root=env_root, env_targets=env_targets, require_unconditional=False,
            )
        cover = check_coverage(fold.discharge.subjects, env_targets)
        if not cover.complete:
            report = VerifyReport(report.checks + (_fail("coverage", f"fold under-covers: {len(cover.missing)} env target(s) missing"),))
    outstanding = tuple((str(a), env.name_of(a)) for a in fold.discharge.assumptions)
    if fold.aggregated and report.ok and not outstanding:
        from .reuse import bank_root

        with phases("bank"):
            bank_root(store, fold.root, fold.aggregates, env_root, stored.values())
    prediction = _compare_prediction(schedule, shard_rows, phases.seconds) if schedule is not None else None
    return RunResult(
        env_path=str(env_path), env_root=env_root, root=fold.root, leaves=tuple(leaves[s] for s in sorted(leaves)),
        stored=tuple(stored.values()), fold=fold, verification=report,
        shards=tuple(shard_rows[s] for s in sorted(shard_rows)), phases=phases.seconds,
        outstanding=outstanding, extra_subjects=cover.extra, warnings=tuple(warnings), blocks=len(items),
        rejected_stored=rejected_stored, support=tuple(support), prediction=prediction,
    )


@attrs.frozen
class _Usable:
    """The stored proofs a run may fold: entries rebuilt from the authenticated proofs
    (never from the index alone), the proofs, each stored aggregate's verified
    descendants, and what was turned away with the reason."""

    entries: tuple = ()
    proofs: dict = attrs.Factory(dict)
    support: dict = attrs.Factory(dict)
    rejected: tuple = ()


def _usable_stored(store, keys, env_targets, leaf, agg) -> _Usable:
    """Reuse by verification, never by trust. For attested (record) backends every stored
    proof that touches this env is read and checked before it may cover anything: a
    leaf by its backend check (record and signature by a trusted key), an aggregate by
    re-deriving its whole tree from the store. Succinct backends are verified by their
    aggregation program (in-circuit) and by the root check."""
    if not (getattr(leaf, "attested", False) or getattr(agg, "attested", False)):
        return _Usable(tuple(store.entries(keys)))

    fetch = fetch_from(store)
    ok, proofs, support, rejected = [], {}, {}, []
    for e in store.entries(keys, among=env_targets):  # an index lookup: unrelated proofs are never read
        try:
            proof = store.get(e.id)
            if proof.kind == "leaf":
                leaf.verify(proof)
            elif agg is None:
                raise VerificationError("an aggregate, and this prover does not aggregate")
            else:
                tree = expand_tree(proof, fetch, leaf, agg)
                if not tree.ok:
                    raise VerificationError(tree.check().detail)
                support[e.id] = tuple(p for pid, p in tree.nodes.items() if pid != e.id)
        except IxError as exc:
            rejected.append((e, str(exc)))
            continue
        proofs[e.id] = proof
        ok.append(attrs.evolve(e, subjects=proof.subjects, assumptions=proof.assumptions))
    return _Usable(tuple(ok), proofs, support, tuple(rejected))


def _rejected_row(entry, reason: str, groups) -> dict:
    """A turned-away stored proof and the shards of this run that now prove its targets."""
    subjects = set(entry.subjects)
    shards = sorted(sid for sid, ws in groups if any(t in subjects for w in ws for t in w.proven_targets))
    return {"proof": str(entry.id), "kind": entry.kind, "reason": reason, "shards": shards}


def _fail(name: str, detail: str):
    from .verify import Check

    return Check(name, False, detail)


def _named(env, addr: Address) -> str:
    name = env.name_of(addr)
    return f"{addr} ({name})" if name else str(addr)


def _rejection_message(rejected: list[tuple[LeafJob, Proof]], banked: int, stored: bool) -> str:
    """One line naming what the kernel rejected, shard by shard."""
    failures = sum(p.claim.failures for _, p in rejected)
    parts = []
    for job, proof in sorted(rejected, key=lambda jp: jp[0].shard):
        names = ", ".join(str(n) for n in proof.stats.get("failed", [])[:5])
        parts.append(f"shard {job.shard}: {names or f'{proof.claim.failures} item(s)'}")
    first_reason = next((str(r) for _, p in rejected for r in p.stats.get("reasons", [])[:1]), "")
    kept = f"{banked} good leaf proof(s) {'banked' if stored else 'proven, no store'}"
    return (
        f"kernel rejected {failures} item(s) in {len(rejected)} shard(s) ({'; '.join(parts)})"
        f"{'; first reason: ' + first_reason if first_reason else ''}; "
        f"rejected leaves are not stored and nothing is folded ({kept})"
    )


def _check_leaf(proof: Proof, job: LeafJob, item_of_block, leaf) -> None:
    """Host checks on a fresh failure-free leaf before it is banked: program id, witness
    roots, subject binding to the shard's proven targets and, for attested backends, the
    record's signature by a trusted key (a dask worker's key must be trusted)."""
    if proof.program_id != leaf.program_id:
        raise VerificationError(f"shard {job.shard}: leaf carries program {proof.program_id.short()}, expected {leaf.program_id.short()}")
    check_witnesses(proof)
    if getattr(leaf, "attested", False):
        try:
            leaf.verify(proof)
        except VerificationError as exc:
            raise VerificationError(f"shard {job.shard}: {exc} (trust the worker's key: `ix keys trust`, or ix.toml trusted_keys)") from None
    cover = sorted({t for b in job.blocks for t in item_of_block[b].proven_targets})
    if list(proof.subjects) != cover:
        raise VerificationError(f"shard {job.shard}: committed subject does not bind the shard's proven targets")


def _profile(env, backends: Backends, novel_blocks: Sequence[Address], settings: PlanSettings, warnings: list):
    """The measured profile when a cost cap needs its weights, else the static one.
    A kernel profile is one more kernel pass over every novel block, as long as proving
    them: on 2 workers it costs what the balance it buys could at best save (demo 20k,
    `--jobs 2`: 6.6 s with a kernel profile, 4.6 s from sizes and references, leaves
    within 6 % of each other). So an uncapped native run plans from the static profile and
    runs the kernel once, in the leaves (which measure the work). A capped run measures,
    since a cap on predicted cost is only as good as its weights, and so does a run for a
    fleet, whose schedule predicts times from the fleet's lines in heartbeats (sizes and
    references predicted a calibrated fleet's makespans up to 23 % off, heartbeats 12 %).
    zk backends always plan from the static profile. A profiler that fails (the kernel profiler stops at a block
    the kernel rejects) only costs plan quality: the run plans from the static profile and
    the leaves give the verdicts."""
    zk = getattr(backends.leaf_prover, "backend", backends.leaf_prover.name) != "native"
    unweighted = settings.max_cost is None and settings.max_ram_gib is None and settings.fleet is None
    if backends.profiler is None or zk or unweighted:
        return env.static_profile()
    try:
        return backends.profiler.profile(env, blocks=list(novel_blocks), jobs=settings.jobs)
    except (InputError, VerificationError) as exc:
        name = getattr(backends.profiler, "name", type(backends.profiler).__name__)
        warnings.append(f"profiler {name} failed ({exc}); planned from the static profile, the leaves decide")
        return env.static_profile()


def default_shard_count(jobs: int, blocks: int) -> int:
    """Shards when no size is given and the cost model cannot derive a cap from RAM (the
    native kernel's): one per parallel job, keeping every worker busy, and at least two so
    that the fold aggregates several leaves; never more than there are blocks."""
    return max(1, min(max(2, jobs), blocks))


def _plan(profile, backends: Backends, settings: PlanSettings, covered_blocks, env=None):
    from .planning import plan

    if backends.partitioner is None:
        raise ConfigError(f"partitioner {backends.partitioner_name!r} is not installed; give --manifest or install it")
    if settings.fleet is not None and settings.shards is None and settings.max_cost is None and settings.max_ram_gib is None:
        from .choose_k import plan_for_fleet

        result, _record = plan_for_fleet(
            profile, backends.partitioner, settings.fleet, arity=settings.arity, eps=settings.eps, seed=settings.seed,
            exclude_blocks=frozenset(covered_blocks), names=env.name_of if env is not None else None, parallelism=settings.jobs,
        )
        return result.manifest, list(result.warnings)
    model = backends.leaf_prover.cost_model()
    shards = settings.shards
    if shards is None and settings.max_cost is None and settings.max_ram_gib is None and model is not None and model.ram is None:
        shards = default_shard_count(settings.jobs, sum(a not in covered_blocks for a in profile.addrs))
    result = plan(
        profile, backends.partitioner, model,
        shards=shards, max_cost=settings.max_cost, max_ram_gib=settings.max_ram_gib,
        eps=settings.eps, seed=settings.seed, mode=settings.mode, exclude_blocks=frozenset(covered_blocks),
        names=env.name_of if env is not None else None, parallelism=settings.jobs, strict_balance=True,
    )
    return result.manifest, list(result.warnings)


def _fleet_schedule(settings: PlanSettings, manifest: ShardManifest, jobs: list[LeafJob], profile, env):
    """The fleet schedule of this run's leaves, and a JobHint per job (priority = the
    reverse of the predicted start order; RAM = the leaf's predicted peak on its class)."""
    from .executors import JobHint
    from .schedule import shard_costs, simulate

    fleet = settings.fleet
    if profile is None and any(set(c.model.coefficients) - {"heartbeats"} for c in fleet.classes):
        profile = env.static_profile()
    sched = simulate(fleet, [j.shard for j in jobs], manifest.tree, shard_costs(manifest, fleet, profile), settings.arity)
    leaf = sched.leaf_of_shard()
    order = sorted(jobs, key=lambda j: (leaf[j.shard].start, -leaf[j.shard].rank, j.shard))
    hints = {j: JobHint(priority=len(order) - i, ram_gib=leaf[j.shard].ram_gib) for i, j in enumerate(order)}
    return sched, hints


def _compare_prediction(schedule, shard_rows: dict, phases: dict) -> dict:
    """Predicted against measured: each proven leaf's seconds, and the whole run (the prove
    and fold phases, which leaves and aggregations fill)."""
    from .schedule import MODEL_NOTE

    rows = []
    for t in schedule.tasks:
        if t.kind != "leaf" or shard_rows[t.shard].status != "proven":
            continue
        measured = shard_rows[t.shard].seconds
        predicted = t.finish - t.start
        rows.append({
            "shard": t.shard, "worker": schedule.workers[t.worker][1], "predicted_s": predicted, "measured_s": measured,
            "error": (predicted - measured) / measured if measured else None,
        })
    measured = phases.get("prove", 0.0) + phases.get("fold", 0.0)
    return {
        "model": MODEL_NOTE,
        "fleet": schedule.fleet.describe(),
        "makespan_predicted_s": schedule.makespan,
        "makespan_measured_s": measured,
        "makespan_error": (schedule.makespan - measured) / measured if measured else None,
        "leaves": rows,
    }
