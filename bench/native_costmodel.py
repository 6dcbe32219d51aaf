"""Fit the `native` cost model: Ix heartbeats -> leaf seconds and peak RAM.

    .venv/bin/python bench/native_costmodel.py [--out bench/native_costmodel.json]

Each point is one fresh process that reads an NDJSON export and checks a selection of
its declarations with ix's Python kernel, as a native leaf does: every accepted export of
shared/lean-exports whole, plus growing prefixes of init-prelude (the largest one).
Measured: wall seconds of read+check, peak RSS, Σ ix_heartbeats (the profile's
`heartbeats` column). Fitted: least-squares lines in B = heartbeats / 1e6, with R², MAPE
and the worst relative error, printed and written as JSON for docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
EXPORTS = REPO.parent / "shared/lean-exports"
SCALE = 1e6
PRELUDE = "nyaya/good/init-prelude.ndjson"
PREFIXES = (0.005, 0.01, 0.02, 0.03, 0.04)


def measure(path: str, fraction: float) -> dict:
    from ix_native.lean.checker import Kernel
    from ix_native.lean.export import read_export

    start = time.perf_counter()
    export = read_export(path)
    decls = export.decls[: max(1, round(len(export.decls) * fraction))]
    names = {n for d in decls for n in d.names()}
    stats = Kernel().check_selected(export, names)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {
        "file": os.path.relpath(path, EXPORTS),
        "fraction": fraction,
        "checked": len(stats),
        "ok": all(s.ok for s in stats),
        "ix_heartbeats": sum(s.ix_heartbeats for s in stats),
        "lean_heartbeats": sum(s.lean_heartbeats for s in stats),
        "seconds": seconds,
        "peak_gib": peak / 2**30,
    }


def fit(x: np.ndarray, y: np.ndarray) -> dict:
    a = np.vstack([np.ones_like(x), x]).T
    (base, slope), *_ = np.linalg.lstsq(a, y, rcond=None)
    pred = base + slope * x
    rel = np.abs(pred - y) / y
    r2 = 1 - ((y - pred) ** 2).sum() / ((y - y.mean()) ** 2).sum()
    return {"base": float(base), "slope": float(slope), "r2": float(r2), "mape": float(rel.mean()), "max_rel_error": float(rel.max())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(REPO / "bench/native_costmodel.json"))
    ap.add_argument("--point", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.point:
        print(json.dumps(measure(args.point[0], float(args.point[1]))))
        return
    with open(EXPORTS / "MANIFEST.tsv") as f:
        accepted = [r["file"] for r in csv.DictReader(f, delimiter="\t") if r["expected"] == "accept"]
    jobs = [(str(EXPORTS / p), 1.0) for p in accepted if p != PRELUDE] + [(str(EXPORTS / PRELUDE), q) for q in PREFIXES]
    points = []
    for path, fraction in jobs:
        run = subprocess.run([sys.executable, __file__, "--point", path, str(fraction)], capture_output=True, text=True, timeout=3600)
        if run.returncode != 0:
            print(f"skip {path}: {(run.stderr.strip().splitlines() or ['?'])[-1]}", file=sys.stderr)
            continue
        point = json.loads(run.stdout.strip().splitlines()[-1])
        point["load_1min"] = os.getloadavg()[0]
        points.append(point)
        print(f"{point['file']:55} {fraction:5.2f} hb={point['ix_heartbeats']:>10,} t={point['seconds']:7.2f}s rss={point['peak_gib']:.3f}GiB", flush=True)
    x = np.array([p["ix_heartbeats"] for p in points], dtype=np.float64) / SCALE
    result = {
        "scale": SCALE,
        "points": points,
        "seconds": fit(x, np.array([p["seconds"] for p in points])),
        "ram_gib": fit(x, np.array([p["peak_gib"] for p in points])),
    }
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps({k: result[k] for k in ("seconds", "ram_gib")}, indent=1))


if __name__ == "__main__":
    main()
