"""What every partitioner returns, and the machinery the library-backed ones share.

- `PartitionResult`: block -> shard plus the aggregation tree.
- Balance weights: vertex weights capped at a fixed point so one atomic block cannot make
  the balance constraint infeasible (the cap turns such a block into exactly one ideal
  shard; the overshoot is reported as the atomic floor, never hidden).
- int32 scaling: KaHyPar and Mt-KaHyPar keep weights in C `int`; an overflowing *sum*
  silently corrupts KaHyPar's result and is rejected by Mt-KaHyPar.
- `partition_with_tree`: what a library worker runs, one of two true bisection trees:
  `kway-quotient` (one direct k-way call, then `tree_over_parts` bisects the quotient
  hypergraph of the parts by count) or `bisection` (`recursive_bisection`).
- `recursive_bisection`: the explicit bisection tree. Each node calls a 2-way bisector with
  per-side maximum weights derived so that eps bounds the FINAL shards: a node with k'
  leaves and weight W' gets the adaptive imbalance ((1+eps)·(W/k)·k'/W')^(1/ceil(log2 k'))
  − 1, which leaves every subtree enough slack for its own levels.
- `verify_and_repair`: the final check; overloaded shards shed their lightest blocks to
  the lightest shards, so a returned partition meets eps unless granularity forbids it,
  which is then stated in `meta["balance"]`.
- `run_isolated`: runs a function in a forked child process with a timeout. The native
  libraries hold the GIL for the whole call, so a thread could neither time them out nor
  keep the CLI responsive.
"""
from __future__ import annotations

import math
import os
import pickle
import signal
import sys
import tempfile
import time
from typing import Any, Callable

import attrs
import numpy as np

from .errors import IxError
from .hypergraph import Hypergraph
from .manifest import AggNode, Internal, Leaf

#: Scaled weight sums stay below this (half of int32's range, so sums of two sides and
#: library-internal slack cannot overflow).
INT32_BUDGET = 1 << 30


class PartitionError(IxError):
    """A partitioner failed, timed out or returned an invalid partition."""

    exit_code = 2


def _parts(a) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.int32)


@attrs.frozen(eq=False)
class PartitionResult:
    """parts[block id] = shard in [0, k); `tree` has exactly the leaves 0..k-1.

    meta: partitioner name/version/preset/seed/eps/seconds plus balance facts
    (`imbalance`, `balance`, `atomic_floor` vertex ids, `repaired_moves`).
    """

    parts: np.ndarray = attrs.field(converter=_parts)
    k: int
    tree: AggNode
    meta: dict = attrs.field(factory=dict)

    def check(self, n: int) -> None:
        """Raise PartitionError unless this is a well-formed k-way assignment of n blocks."""
        if len(self.parts) != n:
            raise PartitionError(f"partition has {len(self.parts)} entries for {n} blocks")
        if n and (self.parts.min() < 0 or self.parts.max() >= self.k):
            raise PartitionError(f"partition uses shard ids outside [0, {self.k})")
        leaves = sorted(self.tree.leaves())
        if leaves != list(range(self.k)):
            raise PartitionError(f"aggregation tree leaves {leaves[:8]}... are not the shard ids 0..{self.k - 1}")
        if n >= self.k and len(np.unique(self.parts)) != self.k:
            raise PartitionError(f"partition leaves some of its {self.k} shards empty")


def trivial_result(n: int, meta: dict) -> PartitionResult:
    """Everything in shard 0 (k = 1, or at most one block)."""
    return PartitionResult(np.zeros(n, dtype=np.int32), 1, Leaf(0), dict(meta, k=1))


# --------------------------------------------------------------------------- weights


def balance_weights(weights, k: int) -> tuple[np.ndarray, float]:
    """Weights capped at c with c = Σ min(w, c) / k (the fixed point), and c.

    With the cap, every capped vertex weighs exactly one ideal shard, so a feasible
    balanced partition exists; without it one huge block makes eps unsatisfiable for
    every bisection above it. Returns float64 weights; all-zero input becomes all ones.
    """
    w = np.asarray(weights, dtype=np.float64)
    if len(w) == 0:
        return w, 0.0
    if not w.any():
        w = np.ones_like(w)
    total = float(w.sum())
    if k <= 1:
        return w, total
    desc = np.sort(w)[::-1]
    prefix = 0.0
    for j in range(k):
        cap = (total - prefix) / (k - j)
        if j >= len(desc) or desc[j] <= cap:
            return np.minimum(w, cap), cap
        prefix += desc[j]
    return np.minimum(w, cap), cap  # pragma: no cover - the loop returns by j = k-1


def int32_weights(weights, budget: int = INT32_BUDGET) -> np.ndarray:
    """Positive int64 weights whose sum is at most budget + n (each fits int32)."""
    w = np.asarray(weights, dtype=np.float64)
    total = float(w.sum())
    factor = min(1.0, budget / total) if total > 0 else 1.0
    return np.maximum(1, np.rint(w * factor)).astype(np.int64)


def library_nets(hg: Hypergraph, budget: int = INT32_BUDGET) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ptr, pins, weights) with zero-weight nets dropped (they cannot change km1) and the
    weights scaled into int32 when their sum would overflow the library's objective."""
    keep = hg.net_weights > 0
    sizes = np.diff(hg.ptr)[keep]
    ptr = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=ptr[1:])
    pins = hg.pins[np.repeat(keep, np.diff(hg.ptr))]
    weights = hg.net_weights[keep]
    if weights.sum() > budget:
        weights = int32_weights(weights, budget)
    return ptr, pins, weights


# --------------------------------------------------------------------------- bisection

#: bisect(sub_hypergraph_with_int_weights, max_left, max_right, seed) -> side (0/1 per vertex)
Bisector = Callable[[Hypergraph, int, int, int], np.ndarray]


def level_eps(eps: float, ideal: float, k_sub: int, w_sub: float) -> float:
    """Adaptive per-level imbalance: what a node with k_sub leaves and weight w_sub may use
    so that, if every level below does the same, its leaves end at most (1+eps)·ideal."""
    if k_sub <= 1 or w_sub <= 0:
        return eps
    levels = math.ceil(math.log2(k_sub))
    room = (1.0 + eps) * ideal * k_sub / w_sub
    return max(room ** (1.0 / levels) - 1.0, 0.0)


def side_limits(w_sub: float, k_left: int, k_right: int, e: float) -> tuple[int, int]:
    """Integer maximum weights of the two sides: (1+e) times their proportional share,
    and never together less than w_sub (else no bisection would be feasible)."""
    share_left = w_sub * k_left / (k_left + k_right)
    max_left = max(int(math.floor((1 + e) * share_left)), int(math.ceil(share_left)))
    max_right = max(int(math.floor((1 + e) * (w_sub - share_left))), int(math.ceil(w_sub - max_left)))
    return max_left, max_right


def greedy_bisect(hg: Hypergraph, max_left: int, max_right: int, seed: int) -> np.ndarray:
    """Weight-only split for degenerate inputs (no nets, or the library gave up): heaviest
    first into whichever side has more room left relative to its maximum."""
    w = np.asarray(hg.vertex_weights, dtype=np.float64)
    side = np.zeros(hg.n, dtype=np.int8)
    load = [0.0, 0.0]
    caps = [float(max_left), float(max_right)]
    for v in np.argsort(-w, kind="stable"):
        s = 0 if caps[0] - load[0] >= caps[1] - load[1] else 1
        side[v] = s
        load[s] += w[v]
    return side


#: Nodes with at most this many vertices are bisected by enumeration instead of the
#: library (the quotient hypergraph's lower levels: 2^12 sides in milliseconds, optimal).
EXACT_BISECTION_MAX = 12


def exact_bisect(hg: Hypergraph, max_left: int, max_right: int, seed: int) -> np.ndarray | None:
    """The minimum-cut bisection of a tiny hypergraph within the side limits, found by
    trying every side assignment (the first minimum wins, so it is deterministic); None
    when no assignment fits the limits."""
    n = hg.n
    w = np.asarray(hg.vertex_weights, dtype=np.int64)
    sides = np.arange(1 << n, dtype=np.int64)  # bit v set: vertex v goes right
    bits = (sides[:, None] >> np.arange(n)) & 1
    right = bits @ w
    fits = (w.sum() - right <= max_left) & (right <= max_right)
    if not fits.any():
        return None
    sides, bits = sides[fits], bits[fits]
    masks = np.bitwise_or.reduceat(np.left_shift(1, hg.pins), hg.ptr[:-1]) if hg.num_nets else np.zeros(0, dtype=np.int64)
    on_right = sides[:, None] & masks[None, :]
    cut = (on_right != 0) & (on_right != masks[None, :])
    best = int(np.argmin(cut.astype(np.int64) @ hg.net_weights))
    return bits[best].astype(np.int8)


def recursive_bisection(hg: Hypergraph, k: int, eps: float, bisect: Bisector, seed: int) -> tuple[np.ndarray, AggNode, dict]:
    """Partition hg (integer vertex weights) into k shards by explicit 2-way splits.

    The left child of a node with k' leaves gets floor(k'/2) of them and a target weight
    in that proportion; leaf ids are contiguous in DFS order (as Ix's `rec_bisect`), so
    the returned tree is the bisection tree itself. A node with exactly one vertex per
    leaf is bisected by vertex count (weights cannot be balanced any further there, but
    the split still follows the nets). Each child is induced from its parent, so the
    Python work is O(pins · depth), not O(pins · nodes). Returns (parts, tree, stats).
    """
    weights = np.asarray(hg.vertex_weights, dtype=np.int64)
    parts = np.zeros(hg.n, dtype=np.int32)
    ideal = float(weights.sum()) / k
    stats = {"bisections": 0, "greedy_bisections": 0, "side_overflows": 0, "library_errors": []}

    def solve(sub: Hypergraph, vertices: np.ndarray, k_sub: int, base: int) -> AggNode:
        if k_sub == 1:
            parts[vertices] = base
            return Leaf(base)
        k_left = k_sub // 2
        k_right = k_sub - k_left
        one_per_leaf = len(vertices) <= k_sub  # never fewer: k <= n upstream, _ensure_counts below
        w = np.ones(len(vertices), dtype=np.int64) if one_per_leaf else weights[vertices]
        w_sub = float(w.sum())
        e = 0.0 if one_per_leaf else level_eps(eps, ideal, k_sub, w_sub)
        max_left, max_right = side_limits(w_sub, k_left, k_right, e)
        sub = sub.with_weights(w) if one_per_leaf else sub
        side = None
        if sub.num_nets and len(vertices) <= EXACT_BISECTION_MAX:
            side = exact_bisect(sub, max_left, max_right, seed)
        elif sub.num_nets:
            try:
                side = bisect(sub, max_left, max_right, seed)
            except ValueError as exc:  # the libraries' input/parameter errors are ValueErrors
                stats["library_errors"].append(str(exc).splitlines()[0][:200])
        if side is None:
            side = greedy_bisect(sub, max_left, max_right, seed)
            stats["greedy_bisections"] += 1
        side = np.asarray(side, dtype=np.int8)
        stats["bisections"] += 1
        left_w = int(w[side == 0].sum())
        if left_w > max_left or w_sub - left_w > max_right:
            stats["side_overflows"] += 1
        side = _ensure_counts(side, w, k_left, k_right)
        left_local, right_local = np.flatnonzero(side == 0), np.flatnonzero(side == 1)
        left = solve(sub.induce(left_local), vertices[left_local], k_left, base)
        right = solve(sub.induce(right_local), vertices[right_local], k_right, base + k_left)
        return Internal(left, right)

    tree = solve(hg.with_weights(weights), np.arange(hg.n, dtype=np.int64), k, 0)
    return parts, tree, stats


def tree_over_parts(hg: Hypergraph, parts, k: int, bisect: Bisector, seed: int) -> tuple[np.ndarray, AggNode, dict]:
    """A true bisection tree over the parts of a finished k-way partition.

    The quotient hypergraph (one vertex per part, each cut net on the parts it spans) is
    recursively bisected by part count, ⌊k'/2⌋ | ⌈k'/2⌉ as in `recursive_bisection`, so
    every internal node is the union of shards that share the most net weight: the cut
    at each tree level is what the aggregation at that level has to discharge. Parts are
    renumbered so that leaf ids are contiguous in DFS order. Balance and km1 are those of
    the k-way partition (a renumbering changes neither). Returns (parts, tree, stats).
    """
    leaf_of_part, tree, stats = recursive_bisection(hg.quotient(parts, k), k, 0.0, bisect, seed)
    return leaf_of_part[np.asarray(parts, dtype=np.int64)], tree, stats


#: How the library partitioners get their tree (`[plugins.<name>] tree = ...`).
TREE_METHODS = ("kway-quotient", "bisection")

#: kway(hypergraph_with_int_weights, k, eps, seed) -> part per vertex in [0, k)
KWay = Callable[[Hypergraph, int, float, int], np.ndarray]


def partition_with_tree(hg: Hypergraph, k: int, eps: float, seed: int, *, method: str, bisect: Bisector, kway: KWay) -> tuple[np.ndarray, AggNode, dict]:
    """What a library worker runs: `bisection` is `recursive_bisection`; `kway-quotient`
    is one direct k-way call (eps on the final shards directly) followed by
    `tree_over_parts`. A k-way call the library rejects falls back to bisection."""
    if method not in TREE_METHODS:
        raise ValueError(f"unknown tree method {method!r} (known: {', '.join(TREE_METHODS)})")
    if method == "kway-quotient":
        try:
            parts = np.asarray(kway(hg, k, eps, seed), dtype=np.int64)
        except ValueError as exc:
            error = str(exc).splitlines()[0][:200]
        else:
            parts = _fill_empty_parts(parts, k, np.asarray(hg.vertex_weights, dtype=np.int64))
            parts, tree, stats = tree_over_parts(hg, parts, k, bisect, seed)
            return parts, tree, dict(stats, tree="kway-quotient")
        parts, tree, stats = recursive_bisection(hg, k, eps, bisect, seed)
        return parts, tree, dict(stats, tree="bisection", library_errors=[error] + stats["library_errors"])
    parts, tree, stats = recursive_bisection(hg, k, eps, bisect, seed)
    return parts, tree, dict(stats, tree="bisection")


def _fill_empty_parts(parts: np.ndarray, k: int, w: np.ndarray) -> np.ndarray:
    """Give every empty part the lightest vertex of the part with the most vertices (a
    k-way result may leave a part empty when k is close to n; a shard must not be)."""
    parts = parts.copy()
    counts = np.bincount(parts, minlength=k)
    for empty in np.flatnonzero(counts == 0):
        donor = int(np.argmax(counts))
        members = np.flatnonzero(parts == donor)
        v = members[np.argmin(w[members])]
        parts[v] = empty
        counts[donor] -= 1
        counts[empty] += 1
    return parts


def level_km1(hg: Hypergraph, parts, tree: AggNode) -> list[int]:
    """km1 of the grouping of shards at each depth of the tree, from the root (0) down to
    the shards themselves: the bytes that aggregation at that depth discharges across its
    cuts. A leaf above the deepest level stays its own group below it."""
    parts = np.asarray(parts, dtype=np.int64)
    group = np.zeros(tree.num_leaves, dtype=np.int64)
    frontier: list[AggNode] = [tree]
    out = []
    while True:
        for g, node in enumerate(frontier):
            group[list(node.leaves())] = g
        out.append(hg.km1(group[parts]))
        if all(isinstance(node, Leaf) for node in frontier):
            return out
        frontier = [c for node in frontier for c in ((node.left, node.right) if isinstance(node, Internal) else (node,))]


def _ensure_counts(side: np.ndarray, w: np.ndarray, k_left: int, k_right: int) -> np.ndarray:
    """Move lightest vertices so each side has at least as many vertices as leaves."""
    side = side.copy()
    for need_side, need in ((0, k_left), (1, k_right)):
        short = need - int((side == need_side).sum())
        if short > 0:
            donors = np.flatnonzero(side != need_side)
            side[donors[np.argsort(w[donors], kind="stable")[:short]]] = need_side
    return side


# --------------------------------------------------------------------------- checking


def verify_and_repair(parts: np.ndarray, k: int, eps: float, bw: np.ndarray) -> tuple[np.ndarray, dict]:
    """Make every shard's balance weight at most (1+eps)·mean if moves can do it.

    Overloaded shards give their lightest vertices to the currently lightest shard while
    that keeps the receiver within the bound (km1 is not considered: this is a last
    resort after the library missed its targets). Returns (parts, facts).
    """
    parts = np.asarray(parts, dtype=np.int32).copy()
    bound = (1.0 + eps) * float(bw.sum()) / k
    loads = np.bincount(parts, weights=bw, minlength=k)
    counts = np.bincount(parts, minlength=k)
    moves = 0
    for s in np.flatnonzero(loads > bound * (1 + 1e-12)):
        members = np.flatnonzero(parts == s)
        for v in members[np.argsort(bw[members], kind="stable")]:
            if loads[s] <= bound or counts[s] <= 1:
                break
            t = int(np.argmin(loads))
            if loads[t] + bw[v] > bound:
                break
            parts[v] = t
            counts[s] -= 1
            counts[t] += 1
            loads[s] -= bw[v]
            loads[t] += bw[v]
            moves += 1
    met = bool(loads.max() <= bound * (1 + 1e-9))
    return parts, {
        "repaired_moves": moves,
        "balance": "met" if met else "infeasible at this granularity",
        "imbalance_balance_weights": float(loads.max() / (loads.sum() / k)) if loads.sum() else 1.0,
    }


def partition_by_bisection(hg: Hypergraph, k: int, eps: float, seed: int, *, run: Callable[[dict], tuple], meta: dict) -> PartitionResult:
    """The common path of the library partitioners.

    Caps, scales and strips the inputs, hands them to `run(job)` (which returns
    `(parts, tree, stats)`, typically from a subprocess running `recursive_bisection`),
    then verifies and repairs balance in real weights and fills `meta`.
    """
    start = time.perf_counter()
    n = hg.n
    meta = dict(meta, seed=seed, eps=eps)
    if k <= 1 or n <= 1:
        return trivial_result(n, dict(meta, seconds=0.0, imbalance=1.0, balance="met"))
    k = min(k, n)
    bw, cap = balance_weights(hg.vertex_weights, k)
    ptr, pins, net_w = library_nets(hg)
    job = {"ptr": ptr, "pins": pins, "net_weights": net_w, "vertex_weights": int32_weights(bw), "k": k, "eps": eps, "seed": seed}
    parts, tree, stats = run(job)
    parts, facts = verify_and_repair(parts, k, eps, bw)
    w = np.asarray(hg.vertex_weights, dtype=np.float64)
    floor = np.flatnonzero(w > (1.0 + eps) * cap) if cap > 0 else np.zeros(0, dtype=np.int64)
    result = PartitionResult(
        parts,
        k,
        tree,
        dict(
            meta,
            k=k,
            seconds=time.perf_counter() - start,
            imbalance=hg.imbalance(parts, k),
            atomic_floor=[int(v) for v in floor],
            **stats,
            **facts,
        ),
    )
    result.check(n)
    return result


# --------------------------------------------------------------------------- subprocess


def run_isolated(target: str, kwargs: dict, *, timeout_s: float, label: str) -> Any:
    """Call `module:function(**kwargs)` in a forked child process and return its result.

    A fork, not a fresh interpreter: the child inherits the parent's imports (numpy,
    ixcore) instead of paying ~0.25 s of start-up for each call, and the arguments
    without a pickle round trip. The result travels through a pickle file and the child's
    stdout goes to /dev/null, so a library that writes to stdout cannot corrupt it. The
    child leads its own process group: on timeout the group is killed and PartitionError
    says so; a child that fails reports the last line of its stderr.
    """
    with tempfile.TemporaryDirectory(prefix="ix-part-") as tmp:
        out, err = os.path.join(tmp, "out.pkl"), os.path.join(tmp, "stderr")
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _child(target, kwargs, out, err)  # never returns
        status = _wait(pid, timeout_s)
        if status is None:
            raise PartitionError(f"{label}: no result within {timeout_s:g} s (raise [partition] timeout_s)")
        if status != 0 or not os.path.exists(out):
            with open(err, "rb") as fh:
                lines = [ln for ln in fh.read().decode(errors="replace").splitlines() if ln.strip()]
            why = lines[-1] if lines else f"exit status {status}"
            raise PartitionError(f"{label} failed in its worker process: {why}")
        with open(out, "rb") as f:
            return pickle.load(f)


def _wait(pid: int, timeout_s: float) -> int | None:
    """The child's exit status, or None after killing its process group at the timeout."""
    deadline = time.monotonic() + timeout_s
    pause = 0.0005
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() >= deadline:
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:  # killed before it made its group
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return None
        time.sleep(pause)
        pause = min(pause * 2, 0.02)


def _child(target: str, kwargs: dict, out_path: str, err_path: str) -> None:
    """The forked child: run the target, write its result, leave by os._exit (never the
    parent's exit handlers or buffered output)."""
    code = 1
    try:
        os.setsid()
        err = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(err, 2)
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        import importlib

        module, _, name = target.partition(":")
        result = getattr(importlib.import_module(module), name)(**kwargs)
        with open(out_path + ".tmp", "wb") as f:
            pickle.dump(result, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(out_path + ".tmp", out_path)
        code = 0
    except BaseException:  # noqa: BLE001 - reported to the parent through stderr
        import traceback

        os.write(2, traceback.format_exc().encode(errors="replace"))
    finally:
        os._exit(code)
