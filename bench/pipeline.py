"""End-to-end pipeline benchmark: time per phase, --jobs 2 vs --jobs 1, fully reused re-run.

    .venv/bin/python bench/pipeline.py [--constants 20000] [--shards 8] [--out bench/out]

Envs: init-prelude from ../shared (when present) and a demo env from `ix demo-env`.
Each case runs `ix prove --json` in a fresh store with --jobs 1, again with --jobs 2
(another fresh store), then re-runs on the --jobs 2 store (everything reused). Prints a
markdown table for docs/benchmarks.md `## Pipeline` and writes the raw JSON.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
IX = [sys.executable, "-m", "ixcore"]


def prove(env: Path, store: Path, out: Path, jobs: int, shards: int) -> dict:
    argv = IX + ["prove", str(env), "--store", str(store), "--out", str(out), "--jobs", str(jobs),
                 "--shards", str(shards), "--json"]
    start = time.perf_counter()
    run = subprocess.run(argv, capture_output=True, text=True, cwd=REPO)
    wall = time.perf_counter() - start
    if run.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({run.returncode}): {run.stderr.strip()[-800:]}")
    report = json.loads(run.stdout)
    report["wall_seconds"] = wall
    return report


def case(name: str, env: Path, work: Path, shards: int) -> dict:
    for d in ("s1", "s2"):
        shutil.rmtree(work / name / d, ignore_errors=True)
    one = prove(env, work / name / "s1", work / name / "r1", 1, shards)
    two = prove(env, work / name / "s2", work / name / "r2", 2, shards)
    again = prove(env, work / name / "s2", work / name / "r3", 2, shards)
    assert one["verified"] and one["unconditional"] and one["subject_equals_env_root"], one
    assert again["shards_proven"] == 0, again
    return {"env": name, "jobs1": one, "jobs2": two, "rerun": again}


def row(r: dict) -> str:
    p = r["jobs1"]["phases"]
    phases = ", ".join(f"{k} {v:.2f}" for k, v in p.items())
    w1, w2, w3 = (r[k]["wall_seconds"] for k in ("jobs1", "jobs2", "rerun"))
    return (f"| {r['env']} | {r['jobs1']['shards_proven']} | {phases} | {w1:.1f} | {w2:.1f} | {w1 / w2:.2f}x "
            f"| {w3:.2f} | {100 * w3 / w1:.1f} % |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--constants", type=int, default=20000)
    ap.add_argument("--shards", type=int, default=8)
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "out")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    envs = []
    prelude = REPO.parent / "shared" / "lean-exports" / "nyaya" / "good" / "init-prelude.ndjson"
    if prelude.exists():
        envs.append(("init-prelude", prelude))
    demo = args.out / f"demo-{args.constants}.ndjson"
    if not demo.exists():
        subprocess.run(IX + ["demo-env", "--constants", str(args.constants), "--seed", "1", str(demo)], check=True, cwd=REPO)
    envs.append((f"demo-{args.constants}", demo))
    results = [case(name, env, args.out, args.shards) for name, env in envs]
    (args.out / "pipeline.json").write_text(json.dumps(results, indent=2, default=str))
    print("| env | shards | phases, --jobs 1 (s) | --jobs 1 (s) | --jobs 2 (s) | speedup | reused re-run (s) | re-run / first |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        print(row(r))


if __name__ == "__main__":
    main()
