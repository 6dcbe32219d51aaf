"""Predict a campaign on a fleet: list-schedule its leaves and aggregations.

This is a model, not a measurement: leaf times and RAM come from each worker class's
lines (`ixcore.fleet`), an aggregation's time from its children and the cost under it,
each class's workers start after the run's start-up (base + per unit of the run's cost),
transfers cost nothing. Its error against real runs is in docs/fleet.md.

The fold is the pipeline's (`ixcore.fold.plan_fold` over the manifest tree with the
configured arity), in one of two orders (`FOLDS`):
  waves  what `fold.run_fold` does, and the default: every aggregation waits for all
         leaves, then the aggregations go level by level, each level after the whole
         previous one, a level of 2+ paying the class's `wave_s` (a fresh pool);
  eager  an aggregation starts as soon as its own children are done (what a
         dependency-driven executor could do; in practice never above `waves`).
Each task's priority is its upward rank, the longest remaining path to the root measured
with the fastest class that can run each task; ties go to the longer task (LPT), then to
the lower fold index. Ready tasks leave a heap in that order; each goes to the class whose
earliest-free worker (one heap per class) finishes it first, among the classes whose RAM
holds it (a leaf only where its predicted peak fits). O(T log T + T·C·log W) for T tasks,
C classes and W workers; deterministic. Choosing k is `ixcore.choose_k`; the chart
`ixcore.gantt`.
"""
from __future__ import annotations

import heapq
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np

from .errors import InputError
from .fleet import Fleet
from .fold import FOLDS, NovelLeaf, plan_fold
from .manifest import AggNode, ShardManifest

MODEL_NOTE = (
    "predicted by a model: leaf, aggregation and start-up times and RAM from each class's lines, "
    "no transfer time; see docs/fleet.md for its measured error"
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
    tree_critical_seconds: float           # start-up + the longest root path, no contention (a lower bound)
    fold: str = "waves"                    # the fold order simulated (FOLDS)

    @property
    def critical_path(self) -> list[Placement]:
        """The chain that sets the makespan, in time order."""
        return sorted((t for t in self.tasks if t.critical), key=lambda t: (t.start, t.index))

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
            "fold": self.fold,
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


#: fold orders the simulator knows (module docstring); the first is what the pipeline does


def simulate(
    fleet: Fleet,
    leaf_ids: Sequence[int],
    tree: AggNode | None,
    costs: Sequence[np.ndarray],
    arity: int,
    *,
    describe_shard=None,
    fold: str = "waves",
) -> Schedule:
    """List-schedule the fold of `leaf_ids` (shards with blocks) on `fleet`.

    costs[c][shard]: the shard's predicted total under class c's model. A shard no class
    can hold raises InputError naming it (and `describe_shard(shard)`, e.g. its heaviest
    block). `fold`: one of FOLDS."""
    if fold not in FOLDS:
        raise InputError(f"unknown fold order {fold!r}; known: {', '.join(FOLDS)}")
    leaf_ids = sorted(leaf_ids)
    if not leaf_ids:
        raise InputError("nothing to schedule: the manifest has no shard with blocks")
    ops = plan_fold(tree, leaf_ids, [], arity)
    n_ops, n_cls = len(ops), len(fleet.classes)
    dur = np.full((n_ops, n_cls), np.inf)
    ram = np.full((n_ops, n_cls), np.nan)
    under = np.zeros((n_ops, n_cls))          # cost of the leaves under each op, per class
    children: list[tuple[int, ...]] = []
    shard_of = np.full(n_ops, -1, dtype=np.int64)
    depth = np.zeros(n_ops, dtype=np.int64)   # 0 for leaves; an aggregation: 1 + its deepest child
    parent = np.full(n_ops, -1, dtype=np.int64)
    leaf_ops: list[int] = []
    for i, op in enumerate(ops):
        kids = tuple(getattr(op, "children", ()))
        children.append(kids)
        if isinstance(op, NovelLeaf):
            leaf_ops.append(i)
            shard_of[i] = op.shard
        elif kids:
            parent[list(kids)] = i
            depth[i] = 1 + depth[list(kids)].max()
    leaf_shards = shard_of[leaf_ops]
    starts = np.zeros(n_cls)
    for c, cls in enumerate(fleet.classes):
        cost = np.asarray(costs[c], dtype=np.float64)[leaf_shards]
        fits = cls.fits(cost)
        dur[leaf_ops, c] = np.where(fits, cls.leaf_seconds(cost), np.inf)
        rams = cls.leaf_ram(cost)
        if rams is not None:
            ram[leaf_ops, c] = rams
        under[leaf_ops, c] = cost
        starts[c] = cls.start_seconds(float(cost.sum()))
    for i in range(n_ops):  # post-order: children come first
        if children[i]:
            under[i] = under[list(children[i])].sum(axis=0)
            for c, cls in enumerate(fleet.classes):
                dur[i, c] = cls.agg_seconds(len(children[i]), under[i, c])
                if cls.ram is not None:  # an aggregation holds the prover's base (validated to fit)
                    ram[i, c] = cls.ram.base
    best = dur.min(axis=1)
    unfit = np.flatnonzero(~np.isfinite(best))
    if len(unfit):
        _raise_unfit(fleet, costs, int(shard_of[unfit[0]]), len(unfit), describe_shard)
    rank = np.zeros(n_ops)
    for i in range(n_ops - 1, -1, -1):  # reverse post-order: a parent before its children
        rank[i] = best[i] + (rank[parent[i]] if parent[i] >= 0 else 0.0)

    workers: list[tuple[int, str]] = []
    free: list[list[tuple[float, int]]] = []
    for c, cls in enumerate(fleet.classes):
        heap = []
        for j in range(cls.count):
            heap.append((float(starts[c]), len(workers)))
            workers.append((c, f"{cls.name}-{j}"))
        free.append(heap)  # already a heap: equal times, ascending ids
    ram_order = sorted(range(n_cls), key=lambda c: (fleet.classes[c].ram_gib, c))
    wave_s = max(cls.wave_s for cls in fleet.classes)
    start = np.zeros(n_ops)
    finish = np.zeros(n_ops)
    ready_at = np.zeros(n_ops)
    gate = np.full(n_ops, -1, dtype=np.int64)  # the task whose finish made this one ready
    worker_of = np.zeros(n_ops, dtype=np.int64)
    prev_on_worker = np.full(n_ops, -1, dtype=np.int64)
    last_task = [-1] * len(workers)

    def place(i: int) -> float:
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
        return end

    if fold == "eager":
        pending = [len(k) for k in children]
        queue = [(-rank[i], -best[i], i) for i in leaf_ops]
        heapq.heapify(queue)
        while queue:
            i = heapq.heappop(queue)[2]
            end = place(i)
            p = parent[i]
            if p >= 0:
                if end >= ready_at[p]:
                    ready_at[p], gate[p] = end, i
                pending[p] -= 1
                if pending[p] == 0:
                    heapq.heappush(queue, (-rank[p], -best[p], p))
    else:
        levels = [np.flatnonzero(depth == d) for d in range(int(depth.max()) + 1)]
        barrier, last = 0.0, -1
        for d, level in enumerate(levels):
            if d and len(level) >= 2:
                barrier += wave_s
            ready_at[level], gate[level] = barrier, last
            for j in sorted(level.tolist(), key=lambda j: (-rank[j], -best[j], j)):
                place(j)
            last = int(level[np.argmax(finish[level])])
            barrier = float(finish[last])
    # the chain that sets the makespan: from the root back through whichever of
    # "what it waited for finished" or "the worker became free" set each start
    critical = np.zeros(n_ops, dtype=bool)
    slack = wave_s if fold == "waves" else 0.0
    i = n_ops - 1
    while i >= 0:
        critical[i] = True
        before, prev = gate[i], prev_on_worker[i]
        if before >= 0 and finish[before] >= start[i] - slack - 1e-9:
            i = int(before)
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
    return Schedule(fleet, tuple(workers), tasks, float(finish.max()), float(rank.max() + starts.min()), fold)


def _raise_unfit(fleet: Fleet, costs, s: int, count: int, describe_shard) -> None:
    need: dict[str, float] = {}
    for c, cls in enumerate(fleet.classes):
        peak = cls.leaf_ram(costs[c][s] * cls.model.headroom)
        if peak is not None:  # a class without a RAM line holds every shard
            need[cls.name] = float(peak)
    what = f" ({describe_shard(s)})" if describe_shard else ""
    raise InputError(
        f"shard {s}{what} fits no worker class: predicted RAM "
        + ", ".join(f"{v:.1f} GiB on {n} ({_cls(fleet, n).usable_gib:.1f} usable)" for n, v in need.items())
        + f" (at the model's headroom); {count} such shard(s): more shards, or a larger class"
    )


def _cls(fleet: Fleet, name: str):
    return next(c for c in fleet.classes if c.name == name)


def schedule_manifest(manifest: ShardManifest, fleet: Fleet, arity: int, profile=None, fold: str = "waves") -> Schedule:
    """`simulate` a manifest (costs from the profile, else the manifest's heartbeats)."""
    costs = shard_costs(manifest, fleet, profile)
    heavy = _heaviest_block_namer(manifest, fleet, profile)
    return simulate(fleet, [s.id for s in manifest.shards if s.blocks], manifest.tree, costs, arity, describe_shard=heavy,
                    fold=fold)


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
