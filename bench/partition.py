"""Partition benchmark: time, peak RSS, km1 and final imbalance per partitioner.

    .venv/bin/python bench/partition.py [--sizes 5000,50000,640000] [--out bench/partition.json]

Inputs: synthetic Ix-like profiles (module-local DAG, import edges, Zipf hubs,
heavy-tailed weights, ids = ranks of blake3 addresses, as the generator in
shared/golden/ix/README.md describes) and the golden profiles of shared/golden/ix.
Each case runs in its own process so peak RSS (process plus partitioner worker) is its own.
Vertex weights are the zisk-411 block cost, the weight Ix's own partitioner used in
ANCHOR.md, so km1 and imbalance compare directly with Ix's numbers.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO.parent / "shared/golden/ix"
CACHE = Path(tempfile.gettempdir()) / "ix-bench-profiles"


# --------------------------------------------------------------------------- synthetic profiles


def synthetic_profile(n: int, seed: int = 411):
    """An Ix-like profile of n blocks (deterministic for n and seed)."""
    import blake3

    from ixcore.profile import Profile

    rng = np.random.default_rng(seed)
    module_sizes = np.maximum(1, rng.lognormal(np.log(40), 0.8, n).astype(np.int64))
    module = np.repeat(np.arange(len(module_sizes)), module_sizes)[:n]
    module_start = np.searchsorted(module, np.arange(module[-1] + 1))
    module_len = np.diff(np.append(module_start, n))

    hb = rng.lognormal(np.log(200), 1.5, n)
    unchecked = rng.random(n) < 0.03
    hb[unchecked] = 0
    heavy = n // 2 + int(rng.integers(0, n // 2)) if n >= 50 else None
    if heavy is not None:
        hb[heavy] = 5 * hb.max()
    size = np.maximum(40, rng.lognormal(np.log(400), 1.0, n)).astype(np.int64)
    subst = hb * rng.lognormal(np.log(20), 0.7, n)

    j = np.arange(n)
    # local: ⌊Exp(2.5)⌋ picks at distance ⌊Exp(8)⌋+1, same module only
    local_count = np.floor(rng.exponential(2.5, n)).astype(np.int64)
    lc = np.repeat(j, local_count)
    lp = lc - 1 - np.floor(rng.exponential(8, len(lc))).astype(np.int64)
    keep = (lp >= 0) & (module[np.maximum(lp, 0)] == module[lc])
    pairs = [(lc[keep], lp[keep])]
    # imports: each module imports an earlier module at distance Exp(6)+1; 40 % of blocks take 1-2 blocks of it
    imported = module[j] - 1 - np.floor(rng.exponential(6, n)).astype(np.int64)
    takes = (rng.random(n) < 0.4) & (imported >= 0)
    ic = np.repeat(j[takes], rng.integers(1, 3, int(takes.sum())))
    im = imported[ic]
    ip = module_start[im] + (rng.random(len(ic)) * module_len[im]).astype(np.int64)
    pairs.append((ic, ip))
    # hubs: ⌊Exp(1.2)⌋ picks among 1 % of blocks from the first 30 %, Zipf(1.1) popularity
    hubs = np.sort(rng.choice(max(1, int(0.3 * n)), max(1, n // 100), replace=False))
    popularity = 1.0 / np.arange(1, len(hubs) + 1) ** 1.1
    hub_count = np.floor(rng.exponential(1.2, n)).astype(np.int64)
    hc = np.repeat(j, hub_count)
    hp = hubs[rng.choice(len(hubs), len(hc), p=popularity / popularity.sum())]
    keep = hp < hc
    pairs.append((hc[keep], hp[keep]))

    consumers = np.concatenate([c for c, _ in pairs])
    producers = np.concatenate([p for _, p in pairs])
    keep = ~unchecked[consumers] & (consumers != producers)
    consumers, producers = consumers[keep], producers[keep]

    addrs = [blake3.blake3(f"ixbench-synth|n{n}|{seed}|{i}".encode()).digest() for i in range(n)]
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(np.array(addrs, dtype="S32"), kind="stable")] = np.arange(n)
    cons, prod = rank[consumers], rank[producers]
    pair = np.unique(cons * n + prod)
    cons, prod = pair // n, pair % n
    rows = np.zeros(n + 1, dtype=np.uint64)
    np.cumsum(np.bincount(cons, minlength=n), out=rows[1:])
    order = np.argsort(rank)  # declaration index of each block id

    def by_id(a):
        return np.asarray(a)[order]

    whnf = hb * rng.uniform(0.5, 2, n)
    def_eq = hb * rng.uniform(0.2, 1, n)
    intern = subst * rng.uniform(1, 3, n)
    nat = np.where(rng.random(n) < 0.05, hb * rng.uniform(0, 5, n), 0)
    return Profile(
        addrs=[addrs[i] for i in order],
        heartbeats=by_id(hb.astype(np.uint64)),
        sizes=by_id(size),
        const_counts=by_id(np.where(rng.random(n) < 0.9, 1, rng.integers(2, 9, n))),
        edge_rows=rows,
        edge_cols=prod,
        subst=by_id(subst.astype(np.uint64)),
        whnf=by_id(whnf.astype(np.uint64)),
        def_eq=by_id(def_eq.astype(np.uint64)),
        nat_arith=by_id(nat.astype(np.uint64)),
        intern=by_id(intern.astype(np.uint64)),
        version=2,
    )


def profile_path(name: str) -> Path:
    """A golden profile path, or a cached synthetic one (written on first use)."""
    if not name.startswith("synthetic-"):
        return GOLDEN / "profiles" / name
    from ixcore.formats.ixprof import write_ixprof

    n = int(name.split("-")[1])
    path = CACHE / f"{name}.ixprof"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        write_ixprof(synthetic_profile(n), path)
    return path


# --------------------------------------------------------------------------- one case


def run_case(spec: dict) -> dict:
    from ixcore.costmodel import get_cost_model
    from ixcore.formats.ixprof import read_ixprof
    from ixcore.hypergraph import Hypergraph
    from ixcore.partition import level_km1
    from ixcore.planning import plan
    from ixcore.plugins import PluginHost

    profile = read_ixprof(profile_path(spec["profile"]))
    model = get_cost_model(spec.get("cost_model", "zisk-411"))
    partitioner = PluginHost().create("partitioner", spec["partitioner"], spec.get("options", {}))
    start = time.perf_counter()
    if spec.get("direct_partition"):  # the partitioner call alone, as ANCHOR.md times it
        hg = Hypergraph.from_profile(profile, model.step_cost(profile))
        t0 = time.perf_counter()
        result = partitioner.partition(hg, spec["k"], spec["eps"], 42)
        seconds = time.perf_counter() - t0
        out = {"shards": result.k, "km1": hg.km1(result.parts), "imbalance": hg.imbalance(result.parts, result.k), "seconds": seconds,
               "level_km1": level_km1(hg, result.parts, result.tree), "tree": result.meta.get("tree")}
    else:
        kwargs = {"shards": spec.get("k"), "max_cost": spec.get("max_cost"), "mode": spec.get("mode", "pack"), "eps": spec["eps"]}
        result = plan(profile, partitioner, model, **kwargs)
        s = result.summary
        out = {
            "shards": s["shards"],
            "km1": s["km1"],
            "imbalance": s["imbalance"],
            "max_predicted": s["predicted_cost"]["max"],
            "seconds": time.perf_counter() - start,
        }
    peak_kib = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return dict(spec, **out, peak_rss_mib=peak_kib / 1024, blocks=profile.n, edges=profile.num_edges, load_1min=os.getloadavg()[0])


def cases(sizes: list[int], with_kahypar: bool) -> list[dict]:
    out = []
    eps = 0.05
    profiles = ["synth_n5000.v1.ixprof", "synth_n50000.v1.ixprof"] + [f"synthetic-{n}" for n in sizes]
    for prof in profiles:
        big = prof.endswith("640000")
        for k in (8, 32):
            out.append({"profile": prof, "partitioner": "range", "k": k, "eps": eps, "direct_partition": True})
            out.append({"profile": prof, "partitioner": "mtkahypar", "k": k, "eps": eps, "direct_partition": True})
            out.append({"profile": prof, "partitioner": "mtkahypar", "options": {"tree": "bisection"}, "k": k, "eps": eps, "direct_partition": True})
            out.append({"profile": prof, "partitioner": "mtkahypar", "options": {"preset": "default"}, "k": k, "eps": eps, "direct_partition": True})
            if with_kahypar and not big:
                out.append({"profile": prof, "partitioner": "kahypar", "options": {"tree": "bisection"}, "k": k, "eps": eps, "direct_partition": True})
        if big:
            out.append({"profile": prof, "partitioner": "mtkahypar", "k": 32, "eps": eps, "label": "full plan"})
    # cap mode: Ix's capq4/capq16 caps on the 50k golden profile, packing vs iterative growth
    index = json.loads((GOLDEN / "index.json").read_text())
    for case in index["cases"]:
        if case["gen"] == "411" and case["profile"].endswith("/synth_n50000.v1.ixprof") and case["label"] in ("capq4", "capq16"):
            cap = int(case["args"][case["args"].index("--max-cycles") + 1])
            for mode in ("pack", "iterative"):
                out.append({"profile": Path(case["profile"]).name, "partitioner": "mtkahypar", "max_cost": cap, "mode": mode, "eps": eps,
                            "label": f"{case['label']} {mode}", "ix": {"shards": case["num_shards"], "km1": case["km1"]}})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="5000,50000,640000")
    ap.add_argument("--no-kahypar", action="store_true")
    ap.add_argument("--out", default=str(REPO / "bench/partition.json"))
    ap.add_argument("--only", default="", help="run only cases whose profile/label/partitioner contains this")
    ap.add_argument("--case", help=argparse.SUPPRESS)
    ap.add_argument("--generate", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.case:
        print(json.dumps(run_case(json.loads(args.case))))
        return
    if args.generate:
        profile_path(args.generate)
        return
    sizes = [int(s) for s in args.sizes.split(",") if s]
    for n in sizes if not args.only else []:  # generated once, outside the timed cases, in a child: Linux keeps a
        # process's peak RSS across fork+exec, so the driver must stay small
        subprocess.run([sys.executable, __file__, "--generate", f"synthetic-{n}"], check=True)
    rows = []
    for spec in cases(sizes, not args.no_kahypar):
        if args.only and args.only not in json.dumps(spec):
            continue
        run = subprocess.run([sys.executable, __file__, "--case", json.dumps(spec)], capture_output=True, text=True, timeout=1800)
        if run.returncode != 0:
            row = dict(spec, error=(run.stderr.strip().splitlines() or ["?"])[-1])
        else:
            row = json.loads(run.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(_line(row), flush=True)
        Path(args.out).write_text(json.dumps(rows, indent=1) + "\n")


def _line(r: dict) -> str:
    who = r["partitioner"] + "".join(f"[{v}]" for v in r.get("options", {}).values())
    what = f"k={r['k']}" if r.get("k") else r.get("label", "")
    if "error" in r:
        return f"{r['profile']:28} {who:22} {what:18} ERROR {r['error']}"
    return (f"{r['profile']:28} {who:22} {what:18} shards={r['shards']:4} km1={r['km1']:>12,} imb={r['imbalance']:.3f} "
            f"t={r['seconds']:.2f}s rss={r['peak_rss_mib']:.0f}MiB load={r['load_1min']:.1f}"
            + (f" levels={r['level_km1']}" if r.get("level_km1") else ""))


if __name__ == "__main__":
    main()
