"""End-to-end `ix prove` benchmark: `ix prove` against `ix check` of the same env, the
--jobs 2 speedup of the profile and prove phases, a fully reused re-run, cross-env reuse,
and the `native` cost model fitted from proven leaves.

    .venv/bin/python bench/pipeline.py [--constants 2000 20000] [--fit-shards 16] [--out bench/out]

Envs: init-prelude from ../shared (when present) and demo envs from `ix demo-env --seed 1`.
Per case, one after another as fresh processes with the defaults (mtkahypar, native
provers, local executor) and the env-index cache cleared first: `ix check`; `ix prove
--jobs 1` on a fresh store (the first run); a re-run on that store (every leaf reused);
`ix profile --jobs 1` and `--jobs 2` (the profile phase, side by side: a --jobs 1 prove
plans from the static profile and runs no profile pass; the speedup is of the kernel pass
that --jobs divides, `phases.profile` of its JSON, not of the whole command, whose parse
of the env is the same serial work either way); `ix prove --jobs 2` on another
fresh store. Each command's wall and CPU (user + sys of the process and its workers) are
recorded with the 1-minute load average before it: on a shared machine the CPU ratios
are the comparable ones, and parallel speedups are only meaningful at low load. Wall
times include interpreter start, plugin discovery and writing the report. `--fit-shards
K` adds one --jobs 1 run per case with K shards; every proven leaf of these runs is a
point (measured Ix heartbeats -> leaf seconds and peak RSS), fitted as
bench/native_costmodel.py does. Cross-env reuse: the smallest demo env grown by 10 % more
constants, proven on the store of the original (the generator grows a prefix, so the
grown env shares every block of it). Prints markdown for docs/benchmarks.md `## Pipeline`
and writes the raw JSON to OUT/pipeline.json.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from native_costmodel import SCALE, fit

REPO = Path(__file__).resolve().parents[1]
IX = [sys.executable, "-m", "ixcore"]
PHASES = ("load", "store", "profile", "plan", "prove", "fold", "verify")
PRELUDE = REPO.parent / "shared" / "lean-exports" / "nyaya" / "good" / "init-prelude.ndjson"


def timed(argv: list[str]) -> tuple[str, dict]:
    """Run `argv`; its stdout and {wall, cpu, load}: cpu is user + sys of the process and
    every worker it waited for, load the 1-minute load average just before."""
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    run = subprocess.run(argv, check=False, capture_output=True, text=True, cwd=REPO)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if run.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({run.returncode}): {run.stderr.strip()[-800:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return run.stdout, {"wall": wall, "cpu": cpu, "load": load}


def prove(env: Path, store: Path, out: Path, *extra: str) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    stdout, t = timed(IX + ["prove", str(env), "--store", str(store), "--out", str(out), "--json", *extra])
    report = json.loads(stdout)
    assert report["verified"] and report["unconditional"], report
    report["wall_seconds"], report["cpu_seconds"], report["load"] = t["wall"], t["cpu"], t["load"]
    return report


def profile(env: Path, out: Path, jobs: int) -> dict:
    stdout, t = timed(IX + ["profile", str(env), "--out", str(out), "--jobs", str(jobs), "--json"])
    return {**json.loads(stdout), **t}


def case(name: str, env: Path, work: Path, fit_shards: int) -> dict:
    base = work / name
    for d in ("s1", "s2", "sfit", "cache"):
        shutil.rmtree(base / d, ignore_errors=True)
    os.environ["IX_CACHE_DIR"] = str(base / "cache")  # a first run parses; the re-run uses the index
    _, check = timed(IX + ["check", str(env), "--json"])
    one = prove(env, base / "s1", base / "r1", "--jobs", "1")
    again = prove(env, base / "s1", base / "r3", "--jobs", "1")
    prof1 = profile(env, base / "p1.ixprof", 1)
    prof2 = profile(env, base / "p2.ixprof", 2)
    two = prove(env, base / "s2", base / "r2", "--jobs", "2")
    assert one["subject_equals_env_root"] and again["shards_proven"] == 0, again
    out = {"env": name, "path": str(env), "check": check, "jobs1": one, "rerun": again, "profile1": prof1,
           "profile2": prof2, "jobs2": two}
    if fit_shards:
        out["fit_run"] = prove(env, base / "sfit", base / "rfit", "--jobs", "1", "--shards", str(fit_shards))
    return out


def cross_env(small: Path, big: Path, work: Path) -> dict:
    store = work / "cross" / "store"
    shutil.rmtree(store, ignore_errors=True)
    a = prove(small, store, work / "cross" / "ra")
    b = prove(big, store, work / "cross" / "rb")
    return {"a": small.name, "b": big.name, "a_blocks": a["blocks"], "b_blocks": b["blocks"],
            "b_blocks_proven": b["blocks_proven"], "b_shards_proven": b["shards_proven"],
            "b_stored_folded": b["stored_proofs_folded"], "b_wall": b["wall_seconds"],
            "b_subject_equals_env_root": b["subject_equals_env_root"]}


def leaf_points(results: list[dict]) -> list[dict]:
    """One point per proven leaf of the --jobs 1 runs (one leaf at a time, so its time and
    peak RSS are its own)."""
    points = []
    for r in results:
        for run in ("jobs1", "fit_run"):
            for s in r.get(run, {}).get("shards", []):
                if s["status"] == "proven" and s["work"] > 0:
                    points.append({"env": r["env"], "run": run, "blocks": s["blocks"], "ix_heartbeats": s["work"],
                                   "seconds": s["seconds"], "peak_gib": s["peak_memory"] / 2**30})
    return points


def fit_native(points: list[dict]) -> dict | None:
    if len(points) < 3:
        return None
    x = np.array([p["ix_heartbeats"] for p in points], dtype=np.float64) / SCALE
    return {"scale": SCALE, "points": len(points),
            "seconds": fit(x, np.array([p["seconds"] for p in points])),
            "ram_gib": fit(x, np.array([p["peak_gib"] for p in points]))}


def table(results: list[dict]) -> list[str]:
    lines = [
        ("| env | blocks | shards | ix check wall / CPU (s) | ix prove --jobs 1 wall / CPU (s) | prove / check (CPU) "
         "| phases, --jobs 1 (wall s) | reused re-run wall / CPU (s) | re-run / first (CPU) "
         "| profile phase --jobs 2 speedup (wall) | prove phase --jobs 2 speedup (wall) | load (1 min) |"),
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        check, one, two, again = r["check"], r["jobs1"], r["jobs2"], r["rerun"]
        phases = ", ".join(f"{k} {one['phases'][k]:.2f}" for k in PHASES if one["phases"].get(k, 0) >= 0.005)
        p1, p2 = r["profile1"]["phases"]["profile"], r["profile2"]["phases"]["profile"]
        loads = [check["load"], one["load"], again["load"], r["profile1"]["load"], r["profile2"]["load"], two["load"]]
        lines.append(
            f"| {r['env']} | {one['blocks']:,} | {one['shards_proven']} | {check['wall']:.1f} / {check['cpu']:.1f} "
            f"| {one['wall_seconds']:.1f} / {one['cpu_seconds']:.1f} | {one['cpu_seconds'] / check['cpu']:.2f}x | {phases} "
            f"| {again['wall_seconds']:.2f} / {again['cpu_seconds']:.2f} | {100 * again['cpu_seconds'] / one['cpu_seconds']:.1f} % "
            f"| {p1 / p2:.2f}x | {one['phases']['prove'] / two['phases']['prove']:.2f}x "
            f"| {min(loads):.1f}-{max(loads):.1f} |")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--constants", type=int, nargs="*", default=[2000, 20000])
    ap.add_argument("--fit-shards", type=int, default=16)
    ap.add_argument("--no-prelude", action="store_true")
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "out")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    envs = []
    if PRELUDE.exists() and not args.no_prelude:
        envs.append(("init-prelude", PRELUDE))
    demos = []
    for n in sorted(args.constants):
        demo = args.out / f"demo-{n}.ndjson"
        if not demo.exists():
            subprocess.run(IX + ["demo-env", "--constants", str(n), "--seed", "1", str(demo)], check=True, cwd=REPO,
                           capture_output=True)
        demos.append(demo)
        envs.append((f"demo-{n}", demo))
    results = []
    for name, env in envs:
        results.append(case(name, env, args.out, args.fit_shards))
        print(table(results[-1:])[-1], flush=True)
    cross = None
    if demos:
        n = sorted(args.constants)[0]
        grown = args.out / f"demo-{n + n // 10}.ndjson"  # the same generator, 10 % more constants
        if not grown.exists():
            subprocess.run(IX + ["demo-env", "--constants", str(n + n // 10), "--seed", "1", str(grown)], check=True,
                           cwd=REPO, capture_output=True)
        cross = cross_env(demos[0], grown, args.out)
    points = leaf_points(results)
    native = fit_native(points)
    (args.out / "pipeline.json").write_text(json.dumps(
        {"date": time.strftime("%Y-%m-%d"), "results": results, "cross_env": cross, "leaf_points": points,
         "native_fit": native}, indent=1, default=str) + "\n")
    print("\n".join(table(results)))
    if cross:
        print(f"\ncross-env: {cross['b']} on the store of {cross['a']}: {cross['b_blocks_proven']:,} of "
              f"{cross['b_blocks']:,} blocks proven anew ({100 * cross['b_blocks_proven'] / cross['b_blocks']:.1f} %), "
              f"{cross['b_shards_proven']} shard(s), {cross['b_stored_folded']} stored proof(s) folded, {cross['b_wall']:.1f} s")
    if native:
        print("\nnative fit:", json.dumps({k: native[k] for k in ("points", "seconds", "ram_gib")}))


if __name__ == "__main__":
    main()
