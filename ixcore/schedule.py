"""Predict a campaign on a fleet: list-schedule leaves and aggregations, and choose k.

This is a model, not a measurement: leaf times and RAM come from each worker class's
lines (`ixcore.fleet`), aggregations from its per-child line, transfers cost nothing,
and every worker is free at time 0. Its error against real runs is in docs/benchmarks.md.

Scheduling (`simulate`): the fold is the pipeline's (`ixcore.fold.plan_fold` over the
manifest tree with the configured arity). Each task's priority is its upward rank, the
longest remaining path to the root measured with the fastest class that can run each
task; ties go to the longer task (LPT), then to the lower fold index. A ready queue (heap)
releases a task once its children are placed; the task goes to the class whose
earliest-free worker (one heap per class) finishes it first, among the classes whose RAM
holds it (a leaf only where its predicted peak fits). O(T log T + T·C·log W) for T
tasks, C classes and W workers; deterministic.

Choosing k (`choose_shards`): one fine partition at the top of a bounded range; every k
below it is scored on that partition merged into k balanced runs, the best are
partitioned for real (same hypergraph), and the smallest real predicted makespan wins. In
cap mode the candidates are caps (each class's, and fractions of the largest).
"""
from __future__ import annotations

import heapq
import math
import time
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np

from .errors import InputError
from .fleet import Fleet
from .fold import NovelLeaf, plan_fold
from .manifest import AggNode, ShardManifest

MODEL_NOTE = (
    "predicted by a model: leaf and aggregation times and RAM from each class's lines, "
    "no transfer or start-up time; see docs/fleet.md for its measured error"
)


@attrs.frozen
class Placement:
    """One task of the schedule: a leaf (shard id) or an aggregation (its children, as fold indices)."""

    index: int
    kind: str
    shard: int | None
    children: tuple[int, ...]
    worker: int
    start: float
    finish: float
    ram_gib: float | None
    rank: float
    critical: bool = False


@attrs.frozen(eq=False)
class Schedule:
    """The result of `simulate`: placements in fold order, the worker list, the fleet."""

    fleet: Fleet
    workers: tuple[tuple[int, str], ...]   # (class index, worker name)
    tasks: tuple[Placement, ...]
    makespan: float
    tree_critical_seconds: float           # the longest root path, no contention (a lower bound)

    @property
    def critical_path(self) -> list[Placement]:
        return [t for t in self.tasks if t.critical]

    def leaf_of_shard(self) -> dict[int, Placement]:
        return {t.shard: t for t in self.tasks if t.kind == "leaf" and t.shard is not None}

    def summary(self) -> dict:
        span = self.makespan
        per_worker: list[dict[str, Any]] = []
        by_worker: list[list[Placement]] = [[] for _ in self.workers]
        for t in self.tasks:
            by_worker[t.worker].append(t)
        for (c, name), mine in zip(self.workers, by_worker):
            rams = [t.ram_gib for t in mine if t.ram_gib is not None]
            per_worker.append({
                "worker": name, "class": self.fleet.classes[c].name, "leaves": sum(t.kind == "leaf" for t in mine),
                "aggregations": sum(t.kind == "agg" for t in mine), "busy_s": sum(t.finish - t.start for t in mine),
                "peak_ram_gib": max(rams) if rams else None,
            })
        classes: list[dict[str, Any]] = []
        for c, cls in enumerate(self.fleet.classes):
            rows = [r for r, (wc, _) in zip(per_worker, self.workers) if wc == c]
            busy = sum(r["busy_s"] for r in rows)
            peaks = [r["peak_ram_gib"] for r in rows if r["peak_ram_gib"] is not None]
            classes.append({
                "class": cls.name, "workers": cls.count, "ram_gib": cls.ram_gib,
                "worker_hours": cls.count * span / 3600, "busy_hours": busy / 3600,
                "leaves": sum(r["leaves"] for r in rows), "aggregations": sum(r["aggregations"] for r in rows),
                "peak_ram_gib": max(peaks) if peaks else None,
            })
        busy = sum(r["busy_s"] for r in per_worker)
        held = len(self.workers) * span
        return {
            "model": MODEL_NOTE,
            "makespan_s": span,
            "tree_critical_path_s": self.tree_critical_seconds,
            "leaves": sum(t.kind == "leaf" for t in self.tasks),
            "aggregations": sum(t.kind == "agg" for t in self.tasks),
            "workers": len(self.workers),
            "worker_hours": held / 3600,
            "busy_hours": busy / 3600,
            "idle_fraction": 1 - busy / held if held else 0.0,
            "peak_ram_gib": max((r["peak_ram_gib"] for r in per_worker if r["peak_ram_gib"] is not None), default=None),
            "classes": classes,
            "per_worker": per_worker,
            "critical_path": [_task_json(t, self.workers) for t in self.critical_path],
        }

    def to_json(self) -> dict:
        out = self.summary()
        out["fleet"] = self.fleet.describe()
        out["tasks"] = [_task_json(t, self.workers) for t in self.tasks]
        return out


def _task_json(t: Placement, workers) -> dict:
    return {
        "index": t.index, "kind": t.kind, "shard": t.shard, "children": list(t.children),
        "worker": workers[t.worker][1], "start_s": t.start, "finish_s": t.finish,
        "ram_gib": t.ram_gib, "rank_s": t.rank, "critical": t.critical,
    }


# --------------------------------------------------------------------------- costs


def shard_costs(manifest: ShardManifest, fleet: Fleet, profile=None) -> list[np.ndarray]:
    """Per class, each shard's predicted total under the class's cost model. From the
    profile's block columns when given; without one only for heartbeat models (the
    manifest records each shard's heartbeats)."""
    by_model: dict[str, np.ndarray] = {}
    k = len(manifest.shards)
    ingress = np.array([s.cross_ingress for s in manifest.shards], dtype=np.float64)
    member_of = _member_of(manifest, profile) if profile is not None else None
    out = []
    for cls in fleet.classes:
        model = cls.model
        if model.name not in by_model:
            member: np.ndarray
            if member_of is not None:
                mask = member_of >= 0
                member = np.bincount(member_of[mask], weights=model.step_cost(profile)[mask].astype(np.float64), minlength=k)
            elif set(model.coefficients) <= {"heartbeats"}:
                coef = float(model.coefficients.get("heartbeats", 0))
                member = coef * np.array([s.heartbeats for s in manifest.shards], dtype=np.float64)
            else:
                raise InputError(
                    f"cost model {model.name} (class {cls.name}) needs the profile's op counts; give --profile "
                    f"(the manifest records only heartbeats)"
                )
            by_model[model.name] = np.asarray(model.shard_cost(member, ingress), dtype=np.float64)
        out.append(by_model[model.name])
    return out


def _member_of(manifest: ShardManifest, profile) -> np.ndarray:
    """Profile block id -> shard (-1 for blocks no shard lists)."""
    index = profile.index()
    member_of = np.full(profile.n, -1, dtype=np.int64)
    for s in manifest.shards:
        for b in s.blocks:
            i = index.get(b)
            if i is None:
                raise InputError(f"manifest shard {s.id}: block {b} is not in the profile")
            member_of[i] = s.id
    return member_of


# --------------------------------------------------------------------------- simulation


def simulate(
    fleet: Fleet,
    leaf_ids: Sequence[int],
    tree: AggNode | None,
    costs: Sequence[np.ndarray],
    arity: int,
    *,
    describe_shard=None,
) -> Schedule:
    """List-schedule the fold of `leaf_ids` (shards with blocks) on `fleet`.

    costs[c][shard]: the shard's predicted total under class c's model. A shard no class
    can hold raises InputError naming it (and `describe_shard(shard)`, e.g. its heaviest
    block)."""
    leaf_ids = sorted(leaf_ids)
    if not leaf_ids:
        raise InputError("nothing to schedule: the manifest has no shard with blocks")
    ops = plan_fold(tree, leaf_ids, [], arity)
    n_ops, n_cls = len(ops), len(fleet.classes)
    dur = np.full((n_ops, n_cls), np.inf)
    ram = np.full((n_ops, n_cls), np.nan)
    children: list[tuple[int, ...]] = []
    shard_of = np.full(n_ops, -1, dtype=np.int64)
    leaf_ops: list[int] = []
    for i, op in enumerate(ops):
        if isinstance(op, NovelLeaf):
            leaf_ops.append(i)
            shard_of[i] = op.shard
    leaf_shards = shard_of[leaf_ops]
    for c, cls in enumerate(fleet.classes):
        cost = np.asarray(costs[c], dtype=np.float64)[leaf_shards]
        secs = cls.leaf_seconds(cost)
        rams = cls.leaf_ram(cost)
        fits = cls.fits(cost)
        dur[leaf_ops, c] = np.where(fits, secs, np.inf)
        if rams is not None:
            ram[leaf_ops, c] = rams
    parent = np.full(n_ops, -1, dtype=np.int64)
    for i, op in enumerate(ops):
        kids = tuple(getattr(op, "children", ()))
        children.append(kids)
        if kids:
            parent[list(kids)] = i
            for c, cls in enumerate(fleet.classes):
                dur[i, c] = cls.agg_seconds(len(kids))
                if cls.ram is not None:  # an aggregation holds the prover's base (validated to fit)
                    ram[i, c] = cls.ram.base
    best = dur.min(axis=1)
    unfit = np.flatnonzero(~np.isfinite(best))
    if len(unfit):
        s = int(shard_of[unfit[0]])
        need: dict[str, float] = {}
        for c, cls in enumerate(fleet.classes):
            peak = cls.leaf_ram(costs[c][s] * cls.model.headroom)
            if peak is not None:  # a class without a RAM line holds every shard
                need[cls.name] = float(peak)
        what = f" ({describe_shard(s)})" if describe_shard else ""
        raise InputError(
            f"shard {s}{what} fits no worker class: predicted RAM "
            + ", ".join(f"{v:.1f} GiB on {n} ({_cls(fleet, n).usable_gib:.1f} usable)" for n, v in need.items())
            + f" (at the model's headroom); {len(unfit)} such shard(s): more shards, or a larger class"
        )
    rank = np.zeros(n_ops)
    for i in range(n_ops - 1, -1, -1):  # post-order: a parent comes after its children
        rank[i] = best[i] + (rank[parent[i]] if parent[i] >= 0 else 0.0)

    workers: list[tuple[int, str]] = []
    free: list[list[tuple[float, int]]] = []
    for c, cls in enumerate(fleet.classes):
        heap = []
        for j in range(cls.count):
            heap.append((0.0, len(workers)))
            workers.append((c, f"{cls.name}-{j}"))
        free.append(heap)  # already a heap: equal times, ascending ids
    ram_order = sorted(range(n_cls), key=lambda c: (fleet.classes[c].ram_gib, c))
    pending = [len(k) for k in children]
    ready_at = np.zeros(n_ops)
    last_child = np.full(n_ops, -1, dtype=np.int64)
    queue = [(-rank[i], -best[i], i) for i in leaf_ops]
    heapq.heapify(queue)
    start = np.zeros(n_ops)
    finish = np.zeros(n_ops)
    worker_of = np.zeros(n_ops, dtype=np.int64)
    prev_on_worker = np.full(n_ops, -1, dtype=np.int64)
    last_task = [-1] * len(workers)
    while queue:
        _, _, i = heapq.heappop(queue)
        ready = ready_at[i]
        choice: tuple[float, int, int, float] | None = None
        for c in ram_order:  # ties: the smallest machine that does it as fast
            if not np.isfinite(dur[i, c]):
                continue
            avail, w = free[c][0]
            end = max(ready, avail) + dur[i, c]
            if choice is None or end < choice[0]:
                choice = (end, c, w, max(ready, avail))
        # every task has a class with a finite duration: the unfit check above raised otherwise
        assert choice is not None
        end, c, w, begin = choice
        heapq.heapreplace(free[c], (end, w))
        start[i], finish[i], worker_of[i] = begin, end, w
        prev_on_worker[i] = last_task[w]
        last_task[w] = i
        p = parent[i]
        if p >= 0:
            if end >= ready_at[p]:
                ready_at[p], last_child[p] = end, i
            pending[p] -= 1
            if pending[p] == 0:
                heapq.heappush(queue, (-rank[p], -best[p], p))
    # the chain that sets the makespan: from the root back through whichever of
    # "a child finished" or "the worker became free" set each start
    critical = np.zeros(n_ops, dtype=bool)
    i = n_ops - 1
    while i >= 0:
        critical[i] = True
        kid, prev = last_child[i], prev_on_worker[i]
        if kid >= 0 and finish[kid] >= start[i] - 1e-9:
            i = int(kid)
        elif prev >= 0 and finish[prev] >= start[i] - 1e-9:
            i = int(prev)
        else:
            break
    tasks = tuple(
        Placement(
            index=i, kind="leaf" if shard_of[i] >= 0 else "agg", shard=int(shard_of[i]) if shard_of[i] >= 0 else None,
            children=children[i], worker=int(worker_of[i]), start=float(start[i]), finish=float(finish[i]),
            ram_gib=None if np.isnan(ram[i, workers[worker_of[i]][0]]) else float(ram[i, workers[worker_of[i]][0]]),
            rank=float(rank[i]), critical=bool(critical[i]),
        )
        for i in range(n_ops)
    )
    return Schedule(fleet, tuple(workers), tasks, float(finish.max()), float(rank.max()))


def _cls(fleet: Fleet, name: str):
    return next(c for c in fleet.classes if c.name == name)


def schedule_manifest(manifest: ShardManifest, fleet: Fleet, arity: int, profile=None) -> Schedule:
    """`simulate` a manifest (costs from the profile, else the manifest's heartbeats)."""
    costs = shard_costs(manifest, fleet, profile)
    heavy = _heaviest_block_namer(manifest, fleet, profile)
    return simulate(fleet, [s.id for s in manifest.shards if s.blocks], manifest.tree, costs, arity, describe_shard=heavy)


def _heaviest_block_namer(manifest: ShardManifest, fleet: Fleet, profile):
    def describe(shard: int) -> str:
        entry = manifest.shards[shard]
        if profile is None:
            return f"{len(entry.blocks)} blocks, first {entry.blocks[0]}"
        index = profile.index()
        model = fleet.largest().model
        cost = model.step_cost(profile)
        ids = [index[b] for b in entry.blocks]
        top = max(ids, key=lambda i: float(cost[i]))
        alone = float(model.shard_cost(float(cost[top]), 0))
        return f"{len(ids)} blocks; heaviest block {profile.addrs[top]}, {alone:.4g} {model.unit} alone"

    return describe


# --------------------------------------------------------------------------- choosing k

#: The search's budget. Every k in [lo, hi] (at most PROXY_POINTS of them, geometric
#: beyond that) is scored on ONE fine partition merged into k balanced runs (no
#: partitioner call); the EXACT_CALLS best are partitioned for real, the best real one wins.
PROXY_POINTS = 128
EXACT_CALLS = 2
#: hi is at most this many shards per worker (a bound on the fine partition's k)
MAX_SHARDS_PER_WORKER = 512


@attrs.frozen
class Candidate:
    k: int
    cap: float | None
    makespan_s: float | None      # None: some shard fits no class
    worker_hours: float | None
    peak_ram_gib: float | None
    method: str                   # "partitioner" (a real call) or "merged-runs" (the proxy)
    seconds: float
    why: str = ""

    def to_json(self) -> dict:
        return attrs.asdict(self)


@attrs.frozen
class Choice:
    best: Candidate
    candidates: tuple[Candidate, ...]
    search: str                   # "shards" or "cap"
    seconds: float
    partitioner_calls: int

    def record(self, fleet: Fleet, runners_up: int = 5) -> dict:
        """The sidecar's `fleet` entry."""
        ok = sorted(
            (c for c in self.candidates if c.makespan_s is not None and c.method == "partitioner" and c is not self.best),
            key=lambda c: (c.makespan_s, c.k),
        )
        return {
            "fleet": fleet.describe(),
            "search": self.search,
            "chosen_k": self.best.k,
            "chosen_cap": self.best.cap,
            "predicted_makespan_s": self.best.makespan_s,
            "predicted_worker_hours": self.best.worker_hours,
            "runners_up": [c.to_json() for c in ok[:runners_up]],
            "evaluated": len(self.candidates),
            "partitioner_calls": self.partitioner_calls,
            "search_seconds": self.seconds,
            "model": MODEL_NOTE,
        }


def atomic_floor_check(profile, fleet: Fleet, names=None) -> None:
    """A block that alone (floor included) fits no class can never be scheduled: say which."""
    worst = None
    for cls in fleet.classes:
        cost = cls.model.step_cost(profile)
        if not len(cost):
            return
        top = int(np.argmax(cost))
        alone = cls.model.shard_cost(float(cost[top]), 0)
        peak = cls.leaf_ram(alone * cls.model.headroom)
        if peak is None or cls.fits(alone):  # without a RAM line every block fits
            return
        if worst is None or cls.usable_gib > worst[2].usable_gib:  # name the largest class
            worst = (top, float(peak), cls)
    if worst is None:  # a fleet without classes: nothing to name
        return
    top, ram, cls = worst
    name = (names(profile.addrs[top]) if callable(names) else names.get(profile.addrs[top])) if names else None
    raise InputError(
        f"block {profile.addrs[top]}{f' ({name})' if name else ''} alone needs {ram:.1f} GiB on {cls.name} "
        f"({cls.usable_gib:.1f} usable; RAM at the model's headroom), more than any worker class holds "
        f"(the atomic floor); add a larger class"
    )


def search_range(profile, fleet: Fleet) -> tuple[int, int]:
    """[lo, hi]. lo: the fewest shards the largest class holds (Σ cost over its cap, Ix's
    rule). hi: enough shards for the smallest class to take them too (Σ cost over its
    cap), at least max(2·lo, lo + 8, 4·workers), at most 512 per worker and the block count."""
    total = float(np.sum(fleet.largest().model.step_cost(profile), dtype=np.float64))

    def fewest(cls) -> int:
        room = cls.cap() - cls.model.shard_floor
        return max(1, math.ceil(total / room)) if math.isfinite(room) and room > 0 else 1

    lo = fewest(fleet.largest())
    fill = max(fewest(cls) for cls in fleet.classes)
    hi = min(max(2 * lo, lo + 8, 4 * fleet.workers, fill), max(lo, MAX_SHARDS_PER_WORKER * fleet.workers))
    return max(1, min(lo, profile.n)), max(1, min(hi, profile.n))


class MemoPartitioner:
    """A partitioner that remembers its results by (hypergraph content, k, eps, seed), so
    the plan written after a search does not partition the chosen k a second time."""

    def __init__(self, inner):
        self.inner = inner
        self.name = getattr(inner, "name", type(inner).__name__)
        self.version = getattr(inner, "version", "-")
        self.deterministic = bool(getattr(inner, "deterministic", False))
        self._memo: dict = {}

    def partition(self, hg, k, eps, seed):
        import hashlib

        h = hashlib.blake2b(digest_size=16)
        for a in (hg.vertex_weights, hg.ptr, hg.pins, hg.net_weights):
            h.update(np.ascontiguousarray(a).tobytes())
        key = (h.hexdigest(), int(k), float(eps), int(seed))
        if key not in self._memo or not self.deterministic:
            self._memo[key] = self.inner.partition(hg, k, eps, seed)
        return self._memo[key]


def choose_shards(
    profile, partitioner, fleet: Fleet, *, arity: int, eps: float = 0.05, seed: int = 42,
    mode: str = "shards", names=None, k_range: tuple[int, int] | None = None, exact_calls: int = EXACT_CALLS,
) -> Choice:
    """The shard count (mode "shards") or cap (mode "pack"/"iterative": each class's cap and
    fractions of the largest) with the smallest predicted makespan; one hypergraph for all."""
    from .hypergraph import Hypergraph
    from .planning import grow_to_cap, pack_to_cap, shard_ingress

    t0 = time.perf_counter()
    if profile.n == 0:
        raise InputError("nothing to plan: the profile has no blocks")
    atomic_floor_check(profile, fleet, names)
    n = profile.n
    primary = fleet.largest().model
    weights = primary.step_cost(profile)
    hg = Hypergraph.from_profile(profile, weights)
    block_costs: dict[str, np.ndarray] = {}
    for cls in fleet.classes:
        block_costs.setdefault(cls.model.name, cls.model.step_cost(profile).astype(np.float64))
    calls = 0

    def score(parts, tree, k, cap, method, t, balanced=False) -> Candidate:
        """balanced: a proxy stands for a balanced k-way partition, whose shards all weigh
        about Σ/k; its runs inherit the fine shards' granularity, so each is raised to Σ/k
        (a run holding a heavy atomic block keeps its larger cost)."""
        parts = np.asarray(parts, dtype=np.int64)
        kk = int(parts.max()) + 1
        ing_shard, ing_block = shard_ingress(profile, parts, kk)
        ingress = np.bincount(ing_shard, weights=profile.sizes[ing_block].astype(np.float64), minlength=kk)
        costs = []
        for cls in fleet.classes:
            member = np.bincount(parts, weights=block_costs[cls.model.name], minlength=kk)
            if balanced:
                member = np.maximum(member, member.sum() / kk)
            costs.append(np.asarray(cls.model.shard_cost(member, ingress)))
        try:
            sched = simulate(fleet, np.unique(parts).tolist(), tree, costs, arity)
        except InputError as exc:
            return Candidate(k, cap, None, None, None, method, time.perf_counter() - t, why=str(exc).split(" (")[0])
        summ = sched.summary()
        return Candidate(k, cap, sched.makespan, summ["worker_hours"], summ["peak_ram_gib"], method, time.perf_counter() - t)

    def exact(k: int):
        nonlocal calls
        t = time.perf_counter()
        result = partitioner.partition(hg, k, eps, seed)
        calls += 1
        result.check(n)
        return result, score(result.parts, result.tree, int(result.k), None, "partitioner", t)

    candidates: list[Candidate] = []
    if mode in ("pack", "iterative"):
        caps = sorted({cls.cap() for cls in fleet.classes if math.isfinite(cls.cap())}, reverse=True)
        if not caps:
            raise InputError("a cap search needs classes with a RAM line (give ram_base_gib and ram_per_unit_gib)")
        grid = sorted(set(caps) | {caps[0] / f for f in (1.5, 2, 3, 4)}, reverse=True)
        fn = pack_to_cap if mode == "pack" else grow_to_cap
        for cap in (c for c in grid if c > primary.shard_floor):
            t = time.perf_counter()
            parts, tree, _ = fn(profile, hg, weights, primary, cap, partitioner, eps, seed)
            calls += 1
            candidates.append(score(parts, tree, int(np.max(parts)) + 1, cap, "partitioner", t))
        search = "cap"
    else:
        lo, hi = k_range or search_range(profile, fleet)
        lo, hi = max(1, min(lo, n)), max(1, min(hi, n))
        fine, fine_score = exact(hi)
        candidates.append(fine_score)
        if hi - lo + 1 <= PROXY_POINTS:
            ks = list(range(lo, hi))
        else:
            ks = sorted({int(v) for v in np.rint(np.geomspace(lo, hi, PROXY_POINTS))} - {hi})
        fine_parts = np.asarray(fine.parts, dtype=np.int64)
        leaf_cost = np.bincount(fine_parts, weights=block_costs[primary.name], minlength=int(fine.k))
        proxies = []
        for k in ks:
            t = time.perf_counter()
            group_of, tree = merge_runs(fine.tree, leaf_cost, k)
            proxies.append(score(group_of[fine_parts], tree, int(group_of.max()) + 1, None, "merged-runs", t, balanced=True))
        candidates += proxies
        ranked = sorted((c for c in proxies if c.makespan_s is not None), key=lambda c: (c.makespan_s, c.k))
        for c in ranked[: max(0, exact_calls - 1)]:
            candidates.append(exact(c.k)[1])
        search = "shards"
    feasible = [c for c in candidates if c.makespan_s is not None and c.method == "partitioner"]
    if not feasible:
        why = next((c.why for c in candidates if c.why), "")
        raise InputError(f"no evaluated {'cap' if mode != 'shards' else 'shard count'} fits the fleet ({why}); add a larger class")
    best = min(feasible, key=lambda c: (c.makespan_s, c.k))
    return Choice(best, tuple(candidates), search, time.perf_counter() - t0, calls)


def merge_runs(tree: AggNode, leaf_cost: np.ndarray, k: int) -> tuple[np.ndarray, AggNode]:
    """Merge a fine partition into k groups of near-equal cost, as a balanced k-way
    partition would have: cut the fine shards, in the DFS order of their bisection tree
    (neighbours share the most nets), into k contiguous runs at the cost quantiles.
    Returns (group of each fine shard id, a balanced tree over the groups)."""
    from .manifest import balanced_agg_tree

    order = np.fromiter(tree.leaves(), dtype=np.int64)
    cost = np.asarray(leaf_cost, dtype=np.float64)[order]
    k = max(1, min(k, len(order)))
    # the run of a fine shard: the slice (of k equal ones) where the midpoint of its cost
    # falls; a shard heavier than a slice leaves a slice empty, so runs are renumbered densely
    mid = np.cumsum(cost) - cost / 2
    total = float(cost.sum())
    slot = np.minimum((mid / total * k).astype(np.int64), k - 1) if total > 0 else np.arange(len(order)) * k // len(order)
    _, run = np.unique(slot, return_inverse=True)
    used = int(run.max()) + 1
    group_of = np.zeros(len(leaf_cost), dtype=np.int64)
    group_of[order] = run
    return group_of, balanced_agg_tree(0, used)


# --------------------------------------------------------------------------- Gantt chart


def plot_gantt(schedule: Schedule, path, *, title: str = "") -> None:
    """One row per worker; leaves and aggregations in two colours, the critical path as a
    red strip under its tasks; task labels where the bar is wide enough to hold them."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    rows = len(schedule.workers)
    span = schedule.makespan or 1.0
    unit, scale = ("h", 3600.0) if span > 7200 else (("min", 60.0) if span > 300 else ("s", 1.0))
    fig, ax = plt.subplots(figsize=(11, max(3.0, 0.28 * rows + 1.6)), dpi=110)
    colour = {"leaf": "#4c72b0", "agg": "#dd8452"}
    crowded = len(schedule.tasks) > 40 * rows  # separators between bars would wash the colours out
    by_row: dict[tuple[str, int], list] = {}
    for t in schedule.tasks:
        by_row.setdefault((t.kind, t.worker), []).append((t.start / scale, (t.finish - t.start) / scale))
    for (kind, w), bars in sorted(by_row.items()):
        ax.broken_barh(bars, (w - 0.4, 0.8), facecolors=colour[kind], edgecolors="white", linewidth=0 if crowded else 0.4)
    # the critical path: a red strip under each of its tasks, so it stays visible however many bars there are
    crit: dict[int, list] = {}
    for t in schedule.critical_path:
        crit.setdefault(t.worker, []).append((t.start / scale, max((t.finish - t.start) / scale, span / scale * 0.002)))
    for w, bars in crit.items():
        ax.broken_barh(bars, (w + 0.22, 0.18), facecolors="#c00000", linewidth=0)
    if rows <= 40:
        for t in schedule.tasks:
            width = (t.finish - t.start) / scale
            if width >= 0.045 * span / scale:
                label = f"s{t.shard}" if t.kind == "leaf" else f"A{t.index}"
                ax.text(t.start / scale + width / 2, t.worker, label, ha="center", va="center", fontsize=7, color="white")
    ax.set_yticks(range(rows))
    ax.set_yticklabels([name for _, name in schedule.workers], fontsize=8 if rows <= 40 else 5)
    ax.invert_yaxis()
    ax.set_xlim(0, span / scale * 1.01)
    ax.set_xlabel(f"predicted time ({unit}; a model, not a measurement)")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(
        handles=[Patch(color=colour["leaf"], label="leaf proof"), Patch(color=colour["agg"], label="aggregation"),
                 Patch(color="#c00000", label="critical path")],
        loc="upper left", bbox_to_anchor=(1.005, 1.0), fontsize=8, framealpha=0.9,
    )
    summ = schedule.summary()
    ax.set_title(
        (title + "\n" if title else "")
        + f"makespan {span / scale:.3g} {unit}, {summ['leaves']} leaves + {summ['aggregations']} aggregations "
        f"on {rows} workers, idle {summ['idle_fraction']:.0%}",
        fontsize=10,
    )
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


# --------------------------------------------------------------------------- planning with a fleet


def plan_for_fleet(profile, partitioner, fleet: Fleet, *, arity: int, eps: float = 0.05, seed: int = 42,
                   mode: str = "shards", exclude_blocks=frozenset(), names=None, parallelism: int = 1):
    """`planning.plan` with the shard count (or cap) that minimises the predicted makespan.

    Returns (plan, record): record is the sidecar's `fleet` entry, its makespan that of the
    manifest actually written (re-scheduled from it), its runners-up from the search."""
    from .planning import plan, restrict_profile

    part = partitioner if isinstance(partitioner, MemoPartitioner) else MemoPartitioner(partitioner)
    searched = profile
    if exclude_blocks:
        searched = restrict_profile(profile, np.array([a not in exclude_blocks for a in profile.addrs], dtype=bool))
    choice = choose_shards(searched, part, fleet, arity=arity, eps=eps, seed=seed, mode=mode, names=names)
    model = fleet.largest().model
    sizing = {"shards": choice.best.k} if choice.search == "shards" else {"max_cost": choice.best.cap, "mode": mode}
    result = plan(profile, part, model, eps=eps, seed=seed, exclude_blocks=exclude_blocks, names=names,
                  parallelism=parallelism, **sizing)
    sched = schedule_manifest(result.manifest, fleet, arity, searched)
    record = choice.record(fleet)
    summ = sched.summary()
    record.update(
        predicted_makespan_s=sched.makespan, predicted_worker_hours=summ["worker_hours"],
        predicted_idle_fraction=summ["idle_fraction"], predicted_peak_ram_gib=summ["peak_ram_gib"], arity=arity,
    )
    return result, record
