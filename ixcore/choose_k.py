"""Choose the shard count (or the cap) that minimises a fleet's predicted makespan.

The partitioner is the expensive part (a recursive bisection of 50k blocks into a few
hundred parts takes 10-15 s on a quiet core, several times that on a loaded one), so the
search calls it as rarely as it can:

1. one real partition at the top of the range, hi, scheduled;
2. proxies, no partitioner call: for a candidate k < hi the fine shards, in the DFS order
   of their bisection tree (neighbours share the most nets), are merged into k contiguous
   runs; each is costed as a shard of a balanced k-way partition (Σ/k, or its heaviest
   block if that weighs more: merged runs are only as even as the fine shards), and
   scheduled (`schedule.simulate`). Their ingress is exact for the merged runs, found from
   the fine partition's (shard, producer) pairs alone. A geometric grid of `GRID_POINTS`
   over [lo, hi), then every k between the best grid point's neighbours (`REFINE_POINTS`);
3. the best proxy is partitioned for real only when it beats the real hi by more than
   `PROXY_MARGIN` (the proxies' own error), and so on while calls remain (`EXACT_CALLS`).
   The best real candidate wins.

In cap mode the candidates are caps (each class's, and fractions of the largest), each a
real call. `plan_for_fleet` writes the chosen plan (the chosen k is not partitioned twice:
`MemoPartitioner`).
"""
from __future__ import annotations

import math
import time

import attrs
import numpy as np

from .errors import InputError
from .fleet import Fleet
from .manifest import AggNode, balanced_agg_tree
from .schedule import MODEL_NOTE, schedule_manifest, simulate

#: the search's budget: grid points over [lo, hi], points between the best one's
#: neighbours, and real partitioner calls
GRID_POINTS = 24
REFINE_POINTS = 16
EXACT_CALLS = 2
#: a proxy must beat the best real candidate by this fraction to earn a partitioner call
PROXY_MARGIN = 0.02
#: hi is at most this many shards per worker
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
            (c for c in self.candidates if c.makespan_s is not None and c is not self.best),
            key=lambda c: (c.method != "partitioner", c.makespan_s, c.k),
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


def merge_runs(tree: AggNode, leaf_cost: np.ndarray, k: int) -> tuple[np.ndarray, AggNode]:
    """Merge a fine partition into k groups of near-equal cost, as a balanced k-way
    partition would have: cut the fine shards, in the DFS order of their bisection tree,
    into k contiguous runs at the cost quantiles (a shard goes to the slice where the
    midpoint of its cost falls; a shard heavier than a slice leaves a slice empty, so runs
    are renumbered densely). Returns (group of each fine shard id, a balanced tree over them)."""
    order = np.fromiter(tree.leaves(), dtype=np.int64)
    cost = np.asarray(leaf_cost, dtype=np.float64)[order]
    k = max(1, min(k, len(order)))
    mid = np.cumsum(cost) - cost / 2
    total = float(cost.sum())
    slot = np.minimum((mid / total * k).astype(np.int64), k - 1) if total > 0 else np.arange(len(order)) * k // len(order)
    run = np.unique(slot, return_inverse=True)[1]
    group_of = np.zeros(len(leaf_cost), dtype=np.int64)
    group_of[order] = run
    return group_of, balanced_agg_tree(0, int(run.max()) + 1)


class _Scorer:
    """Costs and predicted schedules of partitions of one profile on one fleet."""

    def __init__(self, profile, fleet: Fleet, arity: int):
        self.profile, self.fleet, self.arity = profile, fleet, arity
        self.block_costs = {cls.model.name: cls.model.step_cost(profile).astype(np.float64) for cls in fleet.classes}

    def ingress(self, parts: np.ndarray, k: int) -> np.ndarray:
        """Bytes each shard imports: its distinct producers in other shards."""
        from .planning import shard_ingress

        shard, block = shard_ingress(self.profile, parts, k)
        return np.bincount(shard, weights=self.profile.sizes[block].astype(np.float64), minlength=k)

    def members(self, parts: np.ndarray, k: int) -> dict[str, np.ndarray]:
        """Each model's member cost per shard."""
        return {name: np.bincount(parts, weights=cost, minlength=k) for name, cost in self.block_costs.items()}

    def score(self, k, cap, members, ingress, tree, method, t) -> Candidate:
        costs = [np.asarray(cls.model.shard_cost(members[cls.model.name], ingress), dtype=np.float64) for cls in self.fleet.classes]
        try:
            sched = simulate(self.fleet, range(len(ingress)), tree, costs, self.arity)
        except InputError as exc:
            return Candidate(k, cap, None, None, None, method, time.perf_counter() - t, why=str(exc).split(" (")[0])
        summ = sched.summary()
        return Candidate(k, cap, sched.makespan, summ["worker_hours"], summ["peak_ram_gib"], method, time.perf_counter() - t)


def choose_shards(
    profile, partitioner, fleet: Fleet, *, arity: int, eps: float = 0.05, seed: int = 42,
    mode: str = "shards", names=None, k_range: tuple[int, int] | None = None, exact_calls: int = EXACT_CALLS,
) -> Choice:
    """The shard count (mode "shards") or cap (mode "pack"/"iterative") with the smallest
    predicted makespan; one hypergraph for every partitioner call (module docstring)."""
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
    scorer = _Scorer(profile, fleet, arity)
    calls = 0
    candidates: list[Candidate] = []

    def real(parts, tree, k, cap, t) -> tuple[Candidate, np.ndarray]:
        parts = np.asarray(parts, dtype=np.int64)
        kk = int(parts.max()) + 1
        ingress = scorer.ingress(parts, kk)
        return scorer.score(k, cap, scorer.members(parts, kk), ingress, tree, "partitioner", t), ingress

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
            candidates.append(real(parts, tree, int(np.max(parts)) + 1, cap, t)[0])
        search = "cap"
    else:
        lo, hi = k_range or search_range(profile, fleet)
        lo, hi = max(1, min(lo, n)), max(1, min(hi, n))
        exact: dict[int, Candidate] = {}

        def call(k: int):
            nonlocal calls
            t = time.perf_counter()
            result = partitioner.partition(hg, k, eps, seed)
            calls += 1
            result.check(n)
            exact[k] = real(result.parts, result.tree, int(result.k), None, t)[0]
            return result

        fine = call(hi)
        fine_parts = np.asarray(fine.parts, dtype=np.int64)
        kf = int(fine_parts.max()) + 1
        pair_shard, pair_block = shard_ingress(profile, fine_parts, kf)
        leaf_cost = np.bincount(fine_parts, weights=scorer.block_costs[primary.name], minlength=kf)
        fine_tree = fine.tree if fine.tree is not None else balanced_agg_tree(0, kf)

        def balanced(parts: np.ndarray, k: int) -> dict[str, np.ndarray]:
            """Each shard of a balanced k-way partition: Σ/k, or its heaviest block when
            that alone weighs more (the atomic floor a partitioner cannot split)."""
            out = {}
            for name, cost in scorer.block_costs.items():
                heaviest = np.zeros(k)
                np.maximum.at(heaviest, parts, cost)
                out[name] = np.maximum(heaviest, cost.sum() / k)
            return out

        def proxy(k: int) -> Candidate:
            t = time.perf_counter()
            group_of, tree = merge_runs(fine_tree, leaf_cost, k)
            used = int(group_of.max()) + 1
            g = group_of[pair_shard]
            keep = g != group_of[fine_parts[pair_block]]
            pairs = np.unique(g[keep] * n + pair_block[keep])
            ingress = np.bincount(pairs // n, weights=profile.sizes[pairs % n].astype(np.float64), minlength=used)
            return scorer.score(k, None, balanced(group_of[fine_parts], used), ingress, tree, "merged-runs", t)

        def ranked(pool) -> list[Candidate]:
            return sorted((c for c in pool if c.makespan_s is not None), key=lambda c: (c.makespan_s, c.k))

        scores: dict[int, Candidate] = {}
        if hi > lo:
            ks = sorted({int(v) for v in np.rint(np.geomspace(lo, hi - 1, min(GRID_POINTS, hi - lo)))})
            scores.update((g, proxy(g)) for g in ks)
            top = ranked(scores.values())
            if top:  # refine between the best grid point's neighbours
                at = ks.index(top[0].k)
                left, right = ks[max(0, at - 1)], ks[min(len(ks) - 1, at + 1)]
                between = np.unique(np.rint(np.linspace(left, right, min(REFINE_POINTS, right - left + 1))))
                scores.update((g, proxy(g)) for g in map(int, between) if g not in scores)
        for c in ranked(scores.values()):
            best_real = ranked(exact.values())
            if calls >= max(1, exact_calls) or c.k in exact:
                break
            if best_real and float(c.makespan_s or 0) >= float(best_real[0].makespan_s or 0) * (1 - PROXY_MARGIN):
                break
            call(c.k)
        candidates = list(scores.values()) + list(exact.values())
        search = "shards"
    feasible = [c for c in candidates if c.makespan_s is not None and c.method == "partitioner"]
    if not feasible:
        why = next((c.why for c in candidates if c.why), "")
        raise InputError(f"no evaluated {'cap' if mode != 'shards' else 'shard count'} fits the fleet ({why}); add a larger class")
    best = min(feasible, key=lambda c: (c.makespan_s, c.k))
    return Choice(best, tuple(candidates), search, time.perf_counter() - t0, calls)


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
        fold=sched.fold,
    )
    return result, record
