"""Turn a profile into a shard manifest: how many shards, which blocks, and the fold tree.

Three ways to size the shards (Ix's `ix shard` precedence: a count wins, else a cap, RAM
overriding cost; with nothing given the cap is this machine's RAM):
- fixed count: one partitioner call with k shards; the tree is its bisection tree.
- cap, `pack` (Ix [411], the default): a fine pre-partition into ~32 pieces per cap gives
  a cut-coherent block order; greedy next-fit then fills shards up to the cap, charging
  live cross-shard ingress. About ⌈total/cap⌉ shards; the tree is balanced over them.
- cap, `iterative` (Ix [PR-int]): grow k and re-partition until the largest predicted
  shard fits, the atomic floor is reached, or 24 rounds pass; keeps the bisection tree.
Blocks in `exclude_blocks` (covered by stored proofs) are left out before any of this; an
edge into an excluded block is an assumption discharged at aggregation, not a cut.
"""
from __future__ import annotations

import math
import os
import time
from typing import Callable, Mapping

import attrs
import numpy as np

from . import __version__
from .address import Address
from .costmodel import CostModel, get_cost_model
from .errors import InputError
from .hypergraph import Hypergraph
from .manifest import AggNode, Leaf, ShardEntry, ShardManifest, balanced_agg_tree
from .merkle import merkle_root
from .partition import PartitionError, PartitionResult
from .profile import Profile

PACK_PIECES_PER_CAP = 32  # Ix's fine pre-partition density for the packing order
#: Our bounds on that pre-partition (Ix has none): a piece of fewer blocks adds nothing to
#: a cut-coherent order, and each piece costs a library bisection call.
PACK_MIN_BLOCKS_PER_PIECE = 16
PACK_MAX_PIECES = 1024
ITERATIVE_MAX_ROUNDS = 24
ATOMIC_FLOOR_SLACK = 1.1  # "more shards won't help" once the largest shard is within 10 % of the largest block
DEFAULT_NATIVE_MODEL = "native"


@attrs.frozen(eq=False)
class Plan:
    """A manifest plus everything that explains it.

    meta: the sidecar record (partitioner name/version/preset, seed, eps, k or cap, cost
        model, mode, tool version). summary: predictions and quality numbers (JSON-ready).
    """

    manifest: ShardManifest
    meta: dict
    summary: dict
    warnings: list = attrs.field(factory=list)
    #: Set when a fixed-count partition misses eps without an atomic-floor reason: the
    #: partitioner broke its contract (a warning in `ix shard`, an error in `ix prove`).
    balance_violation: str | None = None


def plan(
    profile: Profile,
    partitioner,
    cost_model: CostModel | None,
    *,
    shards: int | None = None,
    max_cost: float | None = None,
    max_ram_gib: float | None = None,
    eps: float = 0.05,
    seed: int = 42,
    mode: str = "pack",
    exclude_blocks=frozenset(),
    names: Mapping[Address, str] | Callable[[Address], str | None] | None = None,
    parallelism: int = 1,
    strict_balance: bool = False,
) -> Plan:
    """Plan shards for `profile`; see the module docstring for the modes. With
    `strict_balance`, a balance violation (see `Plan.balance_violation`) raises."""
    start = time.perf_counter()
    model = cost_model or get_cost_model(DEFAULT_NATIVE_MODEL)
    if mode not in ("pack", "iterative"):
        raise InputError(f"unknown planning mode {mode!r} (pack or iterative)")
    if shards is not None and shards < 1:
        raise InputError(f"--shards must be at least 1, got {shards}")
    if not 0 <= eps < 1:
        raise InputError(f"--eps must be in [0, 1), got {eps}")
    warnings: list[str] = []
    sizing = "shards" if shards is not None else ("cap" if max_cost is not None or max_ram_gib is not None else "machine RAM")
    if sizing == "machine RAM" and model.ram is None:
        # no RAM line, so no cap can be derived: one shard per core keeps every core busy
        shards, sizing = os.cpu_count() or 1, "one shard per core (the cost model has no RAM model)"
    full_n = profile.n
    if exclude_blocks:
        profile = restrict_profile(profile, np.array([a not in exclude_blocks for a in profile.addrs], dtype=bool))
    n = profile.n
    block_cost = model.step_cost(profile)
    hg = Hypergraph.from_profile(profile, block_cost)
    meta = {
        "partitioner": getattr(partitioner, "name", type(partitioner).__name__),
        "partitioner_version": getattr(partitioner, "version", "-"),
        "deterministic": bool(getattr(partitioner, "deterministic", False)),
        "seed": seed,
        "eps": eps,
        "cost_model": model.name,
        "tool_version": __version__,
        "excluded_blocks": full_n - n,
        "sizing": sizing,
    }
    cap = None
    if n == 0:
        warnings.append(
            "nothing to plan: every block is covered by stored proofs" if full_n else "nothing to plan: the profile has no blocks"
        )
        parts, tree, pmeta = np.zeros(0, dtype=np.int32), Leaf(0), {"k": 1}
        meta.update(mode="shards" if shards else mode, k=1)
    elif shards is not None:
        k = shards
        if k > n and sizing == "shards":
            warnings.append(f"--shards {k} exceeds the {n} blocks to plan; using {n} shards (one block each)")
        k = min(k, n)
        result = partitioner.partition(hg, k, eps, seed)
        parts, tree, pmeta = _checked(result, n)
        meta.update(mode="shards", k=result.k)
    else:
        if max_ram_gib is None and max_cost is not None:
            cap = float(max_cost)
        elif max_ram_gib is not None:
            cap = model.cap_for_ram(max_ram_gib)
        else:
            cap = model.cap_for_ram(machine_ram_gib(), "this machine's RAM (no --max-ram, --max-cost or --shards given):")
        if cap <= model.shard_floor:
            raise InputError(f"cost cap {cap:.4g} does not clear the per-shard floor {model.shard_floor:.4g} of {model.name}")
        if mode == "pack":
            parts, tree, pmeta = pack_to_cap(profile, hg, block_cost, model, cap, partitioner, eps, seed)
        else:
            parts, tree, pmeta = grow_to_cap(profile, hg, block_cost, model, cap, partitioner, eps, seed)
        meta.update(mode=mode, cap=cap, max_ram_gib=max_ram_gib, k=int(parts.max()) + 1 if n else 1)
    for key in ("preset", "tree"):
        if key in pmeta:
            meta[key] = pmeta[key]
    k = meta["k"]
    manifest = build_manifest(profile, parts, k, tree)
    summary = summarize(profile, manifest, parts, block_cost, model, hg, cap=cap, names=names, parallelism=parallelism)
    summary["plan_seconds"] = time.perf_counter() - start
    summary["partitioner"] = {key: v for key, v in pmeta.items() if key not in ("atomic_floor",)}
    warnings += _balance_warnings(pmeta, eps, summary, meta)
    violation = _balance_violation(pmeta, eps, summary, meta) if meta.get("mode") == "shards" and n else None
    if violation and strict_balance:
        raise PartitionError(violation)
    if violation and not any(w.startswith(f"partitioner {meta['partitioner']}: balance") for w in warnings):
        warnings.append(violation)
    return Plan(manifest, meta, summary, warnings, violation)


# --------------------------------------------------------------------------- helpers


def machine_ram_gib() -> float:
    """MemTotal of this machine in GiB (Ix's default cap when no size is given)."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / (1 << 20)
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / (1 << 30)


def restrict_profile(profile: Profile, keep: np.ndarray) -> Profile:
    """The profile of the kept blocks only; edges touching a dropped block are removed."""
    keep = np.asarray(keep, dtype=bool)
    new_id = np.full(profile.n, -1, dtype=np.int64)
    new_id[keep] = np.arange(int(keep.sum()))
    consumers = np.repeat(np.arange(profile.n), np.diff(profile.edge_rows.astype(np.int64)))
    producers = profile.edge_cols.astype(np.int64)
    edge_keep = keep[consumers] & keep[producers]
    rows = np.zeros(int(keep.sum()) + 1, dtype=np.uint64)
    np.cumsum(np.bincount(new_id[consumers[edge_keep]], minlength=int(keep.sum())), out=rows[1:])
    cols = ("heartbeats", "sizes", "const_counts", "subst", "whnf", "def_eq", "nat_arith", "intern")
    return Profile(
        addrs=[a for a, k in zip(profile.addrs, keep) if k],
        edge_rows=rows,
        edge_cols=new_id[producers[edge_keep]],
        extra={key: np.asarray(v)[keep] for key, v in profile.extra.items()},
        version=profile.version,
        **{c: getattr(profile, c)[keep] for c in cols},
    )


def _checked(result: PartitionResult, n: int):
    result.check(n)
    return result.parts, result.tree, dict(result.meta)


def _edges(profile: Profile) -> tuple[np.ndarray, np.ndarray]:
    consumers = np.repeat(np.arange(profile.n, dtype=np.int64), np.diff(profile.edge_rows.astype(np.int64)))
    producers = profile.edge_cols.astype(np.int64)
    keep = consumers != producers
    return consumers[keep], producers[keep]


def _sum_by_shard(parts: np.ndarray, values, k: int) -> np.ndarray:
    out = np.zeros(k, dtype=np.int64)
    np.add.at(out, parts, np.asarray(values, dtype=np.int64))
    return out


def shard_ingress(profile: Profile, parts: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(shard, producer) pairs of cross-shard ingress, sorted by shard then producer id."""
    n = profile.n
    consumers, producers = _edges(profile)
    foreign = parts[consumers] != parts[producers]
    pairs = np.unique(parts[consumers[foreign]].astype(np.int64) * n + producers[foreign])
    return pairs // n if n else pairs, pairs % n if n else pairs


def build_manifest(profile: Profile, parts: np.ndarray, k: int, tree: AggNode) -> ShardManifest:
    """Ix's `ShardManifest::build`: members in id order, foreign producers of members in
    other shards (distinct, id order), their byte total and canonical merkle root."""
    parts = np.asarray(parts, dtype=np.int64)
    heartbeats = _sum_by_shard(parts, profile.heartbeats, k)
    own_size = _sum_by_shard(parts, profile.sizes, k)
    ing_shard, ing_block = shard_ingress(profile, parts, k)
    cross = _sum_by_shard(ing_shard, profile.sizes[ing_block], k)
    member_order = np.argsort(parts, kind="stable")
    member_bounds = np.searchsorted(parts[member_order], np.arange(k + 1))
    foreign_bounds = np.searchsorted(ing_shard, np.arange(k + 1))
    addrs = profile.addrs
    entries = []
    for s in range(k):
        members = [addrs[i] for i in member_order[member_bounds[s] : member_bounds[s + 1]]]
        foreign = [addrs[i] for i in ing_block[foreign_bounds[s] : foreign_bounds[s + 1]]]
        entries.append(
            ShardEntry(
                id=s,
                heartbeats=int(heartbeats[s]),
                own_size=int(own_size[s]),
                cross_ingress=int(cross[s]),
                asm_root=merkle_root(foreign) if foreign else None,
                blocks=members,
                foreign=foreign,
            )
        )
    return ShardManifest(total_cross_ingress=int(cross.sum()), shards=entries, tree=tree)


# --------------------------------------------------------------------------- cap modes


def pack_to_cap(profile, hg, block_cost, model: CostModel, cap: float, partitioner, eps, seed):
    """Ix [411] `partition_for_cycle_cap`: cut-coherent order, then greedy next-fit with
    live cross-ingress. Returns (parts, balanced tree, facts)."""
    n = profile.n
    step_cap = max(1.0, cap - model.shard_floor)
    total = float(np.sum(block_cost, dtype=np.float64))
    n_fine_ix = int(min(max(total * PACK_PIECES_PER_CAP // step_cap, 1), n))
    n_fine = min(n_fine_ix, max(1, n // PACK_MIN_BLOCKS_PER_PIECE), PACK_MAX_PIECES)
    facts: dict = {"n_fine": n_fine, "n_fine_ix": n_fine_ix}
    if n_fine >= 2:
        pieces, piece_tree, pmeta = _checked(partitioner.partition(hg, n_fine, eps, seed), n)
        rank = np.empty(n_fine, dtype=np.int64)
        rank[list(piece_tree.leaves())] = np.arange(n_fine)
        order = np.lexsort((np.arange(n), rank[pieces]))
        facts.update({key: pmeta[key] for key in ("preset", "tree") if key in pmeta})
        facts["pre_partition_seconds"] = pmeta.get("seconds")
    else:
        order = np.arange(n)
    parts, packed = greedy_pack(profile, block_cost, model, cap, order)
    facts.update(packed)
    return parts, balanced_agg_tree(0, int(parts.max()) + 1), facts


def greedy_pack(profile: Profile, block_cost, model: CostModel, cap: float, order) -> tuple[np.ndarray, dict]:
    """Next-fit in `order`: close a shard when adding the block would push the predicted
    total (floor + members + per-byte · live foreign bytes) over the cap."""
    n = profile.n
    rows = profile.edge_rows.astype(np.int64).tolist()
    cols = profile.edge_cols.tolist()
    size = profile.sizes.astype(np.int64).tolist()
    cost = block_cost.tolist()
    floor, per_byte = model.shard_floor, model.per_ingress_byte
    member_of = [-1] * n
    foreign_of = [-1] * n
    parts = np.zeros(n, dtype=np.int32)
    cur, count, member_cost, foreign_bytes = 0, 0, 0, 0
    over_cap: list[int] = []
    for b in (int(x) for x in order):
        producers = [p for p in cols[rows[b] : rows[b + 1]] if p != b]
        added = sum(size[p] for p in producers if member_of[p] != cur and foreign_of[p] != cur)
        removed = size[b] if foreign_of[b] == cur else 0
        tentative = floor + member_cost + cost[b] + per_byte * (foreign_bytes + added - removed)
        if count and tentative > cap:
            cur, count, member_cost, foreign_bytes = cur + 1, 0, 0, 0
            added, removed = sum(size[p] for p in producers), 0
        if foreign_of[b] == cur:
            foreign_of[b] = -1
            foreign_bytes -= size[b]
        member_of[b] = cur
        parts[b] = cur
        count += 1
        member_cost += cost[b]
        for p in producers:
            if member_of[p] != cur and foreign_of[p] != cur:
                foreign_of[p] = cur
                foreign_bytes += size[p]
        if count == 1 and floor + member_cost + per_byte * foreign_bytes > cap:
            over_cap.append(b)
    return parts, {"over_cap_blocks": over_cap, "infeasible_atomic_floor": bool(over_cap)}


def grow_to_cap(profile, hg, block_cost, model: CostModel, cap: float, partitioner, eps, seed):
    """Ix [PR-int]: start at ⌊total/cap⌋ shards and grow k, re-partitioning from scratch,
    until the largest predicted shard fits the cap or cannot shrink further."""
    n = profile.n
    total = float(np.sum(block_cost, dtype=np.float64))
    largest = float(np.max(block_cost)) if n else 0.0
    k = int(min(max(total // cap, 1), n))
    rounds = 0
    while True:
        parts, tree, pmeta = _checked(partitioner.partition(hg, k, eps, seed), n)
        k = int(parts.max()) + 1
        predicted = predicted_costs(profile, parts, k, block_cost, model)
        worst_members = float(np.max(_sum_by_shard(parts, block_cost, k)))
        rounds += 1
        if (
            predicted.max() <= cap
            or k >= n
            or worst_members <= ATOMIC_FLOOR_SLACK * largest
            or rounds >= ITERATIVE_MAX_ROUNDS
        ):
            break
        k = min(n, max(k + 1, math.ceil(k * float(predicted.max()) / cap)))
    pmeta = dict(pmeta, rounds=rounds, infeasible_atomic_floor=bool(predicted.max() > cap))
    return parts, tree, pmeta


def predicted_costs(profile: Profile, parts: np.ndarray, k: int, block_cost, model: CostModel) -> np.ndarray:
    parts = np.asarray(parts, dtype=np.int64)
    ing_shard, ing_block = shard_ingress(profile, parts, k)
    member = np.bincount(parts, weights=np.asarray(block_cost, dtype=np.float64), minlength=k)
    ingress = np.bincount(ing_shard, weights=profile.sizes[ing_block].astype(np.float64), minlength=k)
    return model.shard_cost(member, ingress)


# --------------------------------------------------------------------------- summary


def _stats(values) -> dict | None:
    if values is None or len(values) == 0:
        return None
    v = np.asarray(values, dtype=np.float64)
    return {"min": float(v.min()), "mean": float(v.mean()), "max": float(v.max())}


def _name_of(names, addr: Address) -> str | None:
    if names is None:
        return None
    return names(addr) if callable(names) else names.get(addr)


def summarize(profile, manifest: ShardManifest, parts, block_cost, model: CostModel, hg: Hypergraph, *, cap, names, parallelism) -> dict:
    k = len(manifest.shards)
    n = profile.n
    member = np.bincount(np.asarray(parts, dtype=np.int64), weights=np.asarray(block_cost, dtype=np.float64), minlength=k)
    ingress = np.array([s.cross_ingress for s in manifest.shards], dtype=np.float64)
    predicted = model.shard_cost(member, ingress) if k else np.zeros(0)
    ram = model.ram_gib(predicted)
    secs = model.seconds(predicted)
    busy = [s for s in range(k) if manifest.shards[s].blocks]
    floor_blocks = []
    if n:
        largest = int(np.argmax(block_cost))
        own = np.asarray(block_cost, dtype=np.float64) + model.shard_floor
        over = np.flatnonzero(own > cap) if cap is not None else np.zeros(0, dtype=np.int64)
        for b in sorted(set(over.tolist()) | {largest}, key=lambda i: -float(block_cost[i]))[:20]:
            floor_blocks.append(
                {
                    "address": str(profile.addrs[b]),
                    "name": _name_of(names, profile.addrs[b]),
                    "cost": float(block_cost[b]),
                    "over_cap": bool(cap is not None and own[b] > cap),
                }
            )
    out = {
        "blocks": n,
        "delta_edges": profile.num_edges,
        "nets": hg.num_nets,
        "shards": k,
        "empty_shards": k - len(busy),
        "km1": manifest.total_cross_ingress,
        "max_shard_cross_ingress": int(ingress.max()) if k else 0,
        "cost_unit": model.unit,
        "predicted_cost": _stats(predicted),
        "predicted_ram_gib": _stats(ram) if ram is not None else None,
        "predicted_seconds": _stats(secs) if secs is not None else None,
        "imbalance": float(member.max() / (member.sum() / k)) if k and member.sum() else 1.0,
        "imbalance_predicted": float(predicted.max() / predicted.mean()) if k and predicted.mean() else 1.0,
        "cap": cap,
        "largest_block_cost": float(np.max(block_cost)) if n else 0.0,
        "atomic_floor": {
            "reached": bool(k > 1 and n and member.max() <= ATOMIC_FLOOR_SLACK * float(np.max(block_cost)))
            or bool(cap is not None and any(b["over_cap"] for b in floor_blocks)),
            "blocks": floor_blocks,
        },
        "per_shard": [
            {
                "id": s,
                "blocks": len(manifest.shards[s].blocks),
                "cost": float(predicted[s]),
                "ram_gib": float(ram[s]) if ram is not None else None,
                "seconds": float(secs[s]) if secs is not None else None,
                "cross_ingress": manifest.shards[s].cross_ingress,
            }
            for s in range(k)
        ],
    }
    if secs is not None and len(busy):
        t = np.asarray(secs)[busy]
        p = max(1, int(parallelism))
        out["wall_seconds_estimate"] = {"provers": p, "seconds": float(max(t.sum() / p, t.max())), "sequential": float(t.sum())}
    return out


def _balance_violation(pmeta: dict, eps: float, summary: dict, meta: dict) -> str | None:
    """The host's own balance check: largest/mean shard cost above 1+eps is the
    partitioner's fault unless an atomic floor (a block too heavy to balance) explains it."""
    if summary["imbalance"] <= 1 + eps + 1e-9 or summary["atomic_floor"]["reached"] or pmeta.get("atomic_floor"):
        return None
    return (f"partitioner {meta['partitioner']} missed eps: largest/mean shard {summary['imbalance']:.3f} > "
            f"1+eps {1 + eps:.3f} and it reports no atomic floor")


def _balance_warnings(pmeta: dict, eps: float, summary: dict, meta: dict) -> list[str]:
    out = []
    balance = pmeta.get("balance")
    if balance and balance != "met":
        out.append(
            f"partitioner {meta['partitioner']}: balance {balance} (largest/mean {summary['imbalance']:.3f} > 1+eps {1 + eps:.3f})"
        )
    floor = summary["atomic_floor"]
    if floor["reached"]:
        heavy = floor["blocks"][0] if floor["blocks"] else None
        who = f"{heavy['name'] or heavy['address'][:16]} ({heavy['cost']:.4g} {summary['cost_unit']})" if heavy else "?"
        over = [b for b in floor["blocks"] if b["over_cap"]]
        if over:
            out.append(f"atomic floor: {len(over)} block(s) alone exceed the cap, largest {who}; they get shards of their own")
        else:
            out.append(f"atomic floor: the largest shard is within 10% of the largest block {who}; more shards won't help")
    if pmeta.get("infeasible_atomic_floor") and not any("atomic floor" in w for w in out):
        out.append("atomic floor: some shard still exceeds the cap")
    return out
