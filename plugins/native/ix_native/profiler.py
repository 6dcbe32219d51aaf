"""The `kernel` profiler: per-block work and delta edges measured by the Python Lean kernel.

Every selected block is checked with fresh reduction caches (one `TypeChecker` per
declaration, as the official `add_decl` and Ix's isolate mode do) against an environment
holding everything before it, the rest admitted unchecked. Per block it records the
Ix-way heartbeats, Ix's op counters, the serialized size, the member count, the delta
edges (delta-unfolded definitions and theorems mapped to their blocks, self-edges
dropped) and `extra["lean_heartbeats"]` (the C++ kernel's count).

`jobs > 1` checks chunks of blocks in a pool of processes forked after the export is
parsed, so they share it instead of each parsing it again. Each chunk's kernel walks the
file only up to the chunk's last block (admitting the declarations before it, checking
its own), never the rest of the file, which cannot change the verdicts before it. Counts
depend only on the declaration checked, so the profile is the same for any `jobs`.
"""
from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import TYPE_CHECKING

import attrs

from ixcore.errors import InputError
from ixcore.executors.local import frozen_for_fork

if TYPE_CHECKING:
    from ixcore.profile import Profile

#: per-declaration counters summed into a block: Stats field -> Profile column
COUNTERS = {
    "ix_heartbeats": "heartbeats",
    "subst_nodes": "subst",
    "whnf_calls": "whnf",
    "def_eq_calls": "def_eq",
    "nat_arith": "nat_arith",
    "intern_nodes": "intern",
    "lean_heartbeats": "lean_heartbeats",
}


@attrs.frozen
class DeclWork:
    """What a worker reports for one checked declaration (picklable: names as strings)."""

    ok: bool
    reason: str
    counters: tuple  # values in COUNTERS order
    delta_unfolds: tuple


@attrs.frozen
class _Prefix:
    """The declarations a chunk's kernel walks: the file up to the chunk's last block
    (what comes after cannot change the verdicts before it, and is not admitted)."""

    decls: list


def _check(export, positions: list[int]) -> list[DeclWork]:
    """Check the declarations at `positions` (file order), admitting the others before them."""
    from .lean.checker import Kernel

    decls = [export.decls[p] for p in positions]
    prefix = _Prefix(export.decls[: positions[-1] + 1]) if positions else export
    stats = Kernel().check_selected(prefix, {n for d in decls for n in d.names()})
    if [st.name for st in stats] != [d.name for d in decls]:
        raise RuntimeError("kernel checked a different set of declarations than selected")
    return [DeclWork(st.ok, st.reason, tuple(getattr(st, k) for k in COUNTERS), tuple(str(n) for n in st.delta_unfolds))
            for st in stats]


#: the export the pool's forked workers inherit (set only while a pool is open)
_WORKER_EXPORT = None


def _worker_check(positions: list[int]) -> list[DeclWork]:
    return _check(_WORKER_EXPORT, positions)


def _chunks(xs: list, jobs: int) -> list[list]:
    """About four chunks per worker for load balance, contiguous in file order."""
    count = max(1, min(len(xs), jobs * 4))
    size = -(-len(xs) // count)
    return [xs[i : i + size] for i in range(0, len(xs), size)]


class KernelProfiler:
    """`profile(env, blocks=None, jobs=1, progress=None) -> Profile` for a NativeEnv.

    `progress`, when given, is called with the number of blocks just finished.
    """

    name = "kernel"
    env_formats = frozenset({"ndjson"})

    def __init__(self, jobs: int | None = None):
        self.default_jobs = jobs

    def profile(self, env, blocks=None, jobs=1, progress=None) -> Profile:
        jobs = int(self.default_jobs or jobs or 1)
        selected = sorted({env.block_index(b) for b in blocks} if blocks is not None else range(len(env.blocks)))
        pos = {id(d): k for k, d in enumerate(env.export.decls)}
        decl_pos = {i: sorted(pos[id(d)] for d in env.blocks[i].decls) for i in selected}
        block_at = {p: i for i, ps in decl_pos.items() for p in ps}
        results: dict[int, DeclWork] = {}
        if jobs <= 1 or len(selected) < 2:
            positions = sorted(block_at)
            results.update(zip(positions, _check(env.export, positions)))
            if progress is not None:
                progress(len(selected))
        else:
            by_line = sorted(selected, key=lambda i: decl_pos[i][0])
            global _WORKER_EXPORT
            _WORKER_EXPORT = env.export
            try:
                with frozen_for_fork(), ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork")) as pool:
                    futs = {}
                    for chunk in _chunks(by_line, jobs):
                        positions = sorted(p for i in chunk for p in decl_pos[i])
                        futs[pool.submit(_worker_check, positions)] = (positions, len(chunk))
                    for fut in as_completed(futs):
                        positions, nblocks = futs[fut]
                        results.update(zip(positions, fut.result()))
                        if progress is not None:
                            progress(nblocks)
            finally:
                _WORKER_EXPORT = None
        return self._assemble(env, selected, block_at, results)

    def _assemble(self, env, selected, block_at, results) -> Profile:
        rows: dict = {}
        edges: dict = {}
        lean_hb: dict = {}
        for i in selected:
            a = env.block_address_at(i)
            rows[a] = {"size": env.block_size(a), "const_count": len(env.blocks[i].members)}
            edges[a] = set()
            lean_hb[a] = 0
        for p in sorted(results):
            w = results[p]
            i = block_at[p]
            if not w.ok:
                b = env.blocks[i]
                raise InputError(f"{env.path}:{env.export.decls[p].line}: the kernel rejects block {b.name}: {w.reason}")
            a = env.block_address_at(i)
            row = rows[a]
            for col, v in zip(COUNTERS.values(), w.counters):
                if col == "lean_heartbeats":
                    lean_hb[a] += v
                else:
                    row[col] = row.get(col, 0) + v
            for n in w.delta_unfolds:
                producer = env.block_of_name(n)
                if producer is not None and producer != a:
                    edges[a].add(producer)
        for producers in edges.values():
            for p in producers:
                if p not in rows:
                    rows[p] = {"size": env.block_size(p), "const_count": 0}
                    lean_hb[p] = 0
        from ixcore.profile import Profile  # numpy: imported by a run that profiles, not by every prove

        return Profile.build(rows, edges, extra={"lean_heartbeats": lean_hb})
