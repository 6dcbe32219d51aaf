"""What signed native records and tree re-derivation cost (issue 10).

    .venv/bin/python bench/attestation.py [--base REV] [--constants 20000] [--repeat 3] [--out bench/out]

Per proof: Ed25519 signing (`provers.sign`) and the full record check a verifier or a
reusing `ix prove` runs (`leaf.verify`: canonical form, signature, trusted signer) on the
leaves and the root of a real run, each the median of many calls. End to end: `ix prove
--jobs 2` on a fresh store, the fully reused re-run and `ix verify ROOT --env ENV`, on
init-prelude (../shared) and a demo env, for this tree and for git revision `--base`
(exported to a temp dir and put first on PYTHONPATH, so both use the same venv), runs
alternating, median of `--repeat`. Keys and env-index caches live in temp dirs. Prints
markdown for docs/benchmarks.md and writes OUT/attestation.json.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PRELUDE = REPO.parent / "shared" / "lean-exports" / "nyaya" / "good" / "init-prelude.ndjson"
SOURCES = ("", "plugins/native", "plugins/partitioners")


def export_rev(rev: str, into: Path) -> Path:
    into.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "archive", rev], cwd=REPO, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def ix_env(tree: Path | None, scratch: Path) -> dict:
    env = dict(os.environ, IX_KEY_DIR=str(scratch / "keys"), IX_CACHE_DIR=str(scratch / "cache"))
    if tree is not None:
        env["PYTHONPATH"] = os.pathsep.join(str(tree / s) for s in SOURCES)
    return env


def timed(argv: list[str], env: dict) -> tuple[float, dict]:
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "ixcore", *argv], capture_output=True, text=True, env=env, cwd=REPO,
                         check=False)
    wall = time.perf_counter() - start
    if run.returncode != 0:
        raise SystemExit(f"ix {' '.join(argv)} failed ({run.returncode}): {run.stderr.strip()[-600:]}")
    return wall, json.loads(run.stdout)


def end_to_end(env_path: Path, tree: Path | None, scratch: Path) -> dict:
    env = ix_env(tree, scratch)
    for d in ("store", "r1", "r2"):
        shutil.rmtree(scratch / d, ignore_errors=True)
    first, rep = timed(["prove", str(env_path), "--store", str(scratch / "store"), "--out", str(scratch / "r1"),
                        "--jobs", "2", "--json"], env)
    assert rep["verified"] and rep["unconditional"], rep
    again, rep2 = timed(["prove", str(env_path), "--store", str(scratch / "store"), "--out", str(scratch / "r2"),
                         "--jobs", "2", "--json"], env)
    assert rep2["shards_proven"] == 0, rep2
    verify, vrep = timed(["verify", str(scratch / "r1" / "root.proof"), "--env", str(env_path), "--json"], env)
    assert vrep["ok"], vrep
    return {"prove": first, "rerun": again, "verify": verify, "phases": rep["phases"], "rerun_phases": rep2["phases"],
            "leaves": rep["shards_proven"]}


def per_proof(run: Path, scratch: Path) -> dict:
    """Median seconds to sign and to check one leaf / one aggregate of a real run."""
    os.environ["IX_KEY_DIR"] = str(scratch / "keys")
    from ix_native.kernel_seam import native_leaf_prover
    from ix_native.provers import NativeAggProver, sign
    from ixcore import proofio

    leaf = native_leaf_prover()
    agg = NativeAggProver(leaf)
    proofs = [proofio.loads(f.read_bytes()) for f in (run / "proofs").glob("*.proof")]
    out = {}
    for kind, check in (("leaf", leaf.verify), ("agg", agg.verify)):
        p = max((q for q in proofs if q.kind == kind), key=lambda q: len(q.body) + 32 * len(q.subjects))
        record = json.loads(p.body)
        n = 200
        signs, checks = [], []
        for _ in range(n):
            t = time.perf_counter()
            sign(p, record)
            signs.append(time.perf_counter() - t)
            t = time.perf_counter()
            check(p)
            checks.append(time.perf_counter() - t)
        out[kind] = {"sign_us": statistics.median(signs) * 1e6, "check_us": statistics.median(checks) * 1e6,
                     "subjects": len(p.subjects), "record_bytes": len(p.body)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="HEAD", help="git revision to compare with (the code before)")
    ap.add_argument("--constants", type=int, default=20000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "out")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="ix-attest-"))
    base = export_rev(args.base, work / "base")
    demo = work / f"demo-{args.constants}.ndjson"
    subprocess.run([sys.executable, "-m", "ixcore", "demo-env", "--constants", str(args.constants), "--seed", "1",
                    str(demo)], check=True, capture_output=True, env=ix_env(None, work))
    envs = ([("init-prelude", PRELUDE)] if PRELUDE.is_file() else []) + [(f"demo-{args.constants}", demo)]
    results: dict = {"base": args.base, "load": os.getloadavg(), "envs": {}}
    for name, path in envs:
        rows: dict = {"before": [], "after": []}
        for _ in range(args.repeat):
            for label, tree in (("before", base), ("after", None)):
                rows[label].append(end_to_end(path, tree, work / name / label))
        results["envs"][name] = rows
    results["per_proof"] = per_proof(work / envs[-1][0] / "after" / "r1", work / envs[-1][0] / "after")
    results["load_after"] = os.getloadavg()
    (args.out / "attestation.json").write_text(json.dumps(results, indent=2))
    def med(rows, k):
        return statistics.median(r[k] for r in rows)
    print(f"load before {results['load'][0]:.1f}, after {results['load_after'][0]:.1f}\n")
    print("| env | leaves | prove before (s) | prove after (s) | re-run before | re-run after | verify before | verify after |")
    print("|---|---|---|---|---|---|---|---|")
    for name, rows in results["envs"].items():
        b, a = rows["before"], rows["after"]
        print(f"| {name} | {a[0]['leaves']} | {med(b, 'prove'):.2f} | {med(a, 'prove'):.2f} | {med(b, 'rerun'):.2f} | "
              f"{med(a, 'rerun'):.2f} | {med(b, 'verify'):.2f} | {med(a, 'verify'):.2f} |")
    print("\n| proof | subjects | record bytes | sign (µs) | check (µs) |\n|---|---|---|---|---|")
    for kind, r in results["per_proof"].items():
        print(f"| {kind} | {r['subjects']} | {r['record_bytes']} | {r['sign_us']:.0f} | {r['check_us']:.0f} |")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
