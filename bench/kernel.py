"""Kernel benchmark: check whole environments with the Python Lean kernel.

    .venv/bin/python bench/kernel.py [--constants 20000] [--seed 1] [--no-write]

Cases: init-prelude, perf/app-lam and perf/shift-cascade from ../shared/lean-exports (when
present) and a demo env of `--constants` constants from `ix demo-env`. Each case runs in its own child process
(parse + check every declaration in file order, fresh caches per declaration), so the
peak RSS (the child's own `ru_maxrss`) is that case's alone. Prints a markdown table and, unless --no-write,
replaces the `## Kernel benchmark` section of docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("IX_SHARED_DIR", REPO.parent / "shared"))
SECTION = "## Kernel benchmark"
DATE = "2026-11-24"
#: Exports of ../shared/lean-exports measured when present: a real prelude, and the two
#: performance-shape tests (a heavily shared binder DAG, a long let cascade).
SHARED_CASES = (
    ("init-prelude (nyaya)", "nyaya/good/init-prelude.ndjson"),
    ("perf/app-lam (nyaya)", "nyaya/good/perf/app-lam.ndjson"),
    ("perf/shift-cascade (nyaya)", "nyaya/good/perf/shift-cascade.ndjson"),
)


def child(path: str) -> None:
    """Parse and check one export; print a JSON summary on stdout."""
    import resource

    from ix_native.lean.checker import Kernel
    from ix_native.lean.export import read_export

    t0 = time.perf_counter()
    exp = read_export(path)
    t1 = time.perf_counter()
    stats = Kernel().check_all(exp, stop_on_error=False)
    t2 = time.perf_counter()
    constants = sum(len(d.names()) for d in exp.decls)
    print(json.dumps({
        "declarations": len(exp.decls),
        "constants": constants,
        "rejected": sum(not s.ok for s in stats),
        "parse_seconds": t1 - t0,
        "check_seconds": t2 - t1,
        "ix_heartbeats": sum(s.ix_heartbeats for s in stats),
        "lean_heartbeats": sum(s.lean_heartbeats for s in stats),
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


def run_case(name: str, path: Path, timeout: float, mem_gib: float) -> dict:
    """Run one case in a child limited to `timeout` seconds and `mem_gib` of address space."""
    import resource

    def limit():
        cap = int(mem_gib * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, "--child", str(path)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=limit)
    try:
        out, err = proc.communicate(timeout=timeout)
        status_note = ""
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        status_note = f"timed out after {timeout:.0f} s"
    wall = time.perf_counter() - start
    row = {"case": name, "file": str(path), "wall_seconds": wall, "bytes": path.stat().st_size}
    if status_note or proc.returncode != 0:
        last = (err.strip().splitlines() or ["?"])[-1][:160]
        row["status"] = status_note or f"exit {proc.returncode}: {last}"
        return row
    row.update(json.loads(out), status="ok")
    row["constants_per_second"] = row["constants"] / row["check_seconds"] if row["check_seconds"] else 0.0
    return row


def table(rows: list[dict]) -> str:
    head = ("| env | file size | declarations | constants | rejected | parse s | check s | constants/s | "
            "Ix heartbeats | Lean heartbeats | wall s | peak RSS MiB |\n|" + "---|" * 12)
    lines = [head]
    for r in rows:
        size = f"{r['bytes'] / 1e6:.1f} MB"
        if r["status"] != "ok":
            lines.append(f"| {r['case']} | {size} | did not finish: {r['status']} | | | | | | | | "
                         f"{r['wall_seconds']:.0f} | |")
            continue
        lines.append(
            f"| {r['case']} | {size} | {r['declarations']:,} | {r['constants']:,} | {r['rejected']} | "
            f"{r['parse_seconds']:.2f} | {r['check_seconds']:.2f} | {r['constants_per_second']:,.0f} | "
            f"{r['ix_heartbeats']:,} | {r['lean_heartbeats']:,} | {r['wall_seconds']:.2f} | {r['peak_rss_mib']:.0f} |")
    return "\n".join(lines)


def write_section(body: str) -> None:
    doc = REPO / "docs" / "benchmarks.md"
    text = doc.read_text() if doc.exists() else "# Benchmarks\n"
    start = text.find(SECTION)
    if start < 0:
        text = text.rstrip("\n") + "\n\n" + body + "\n"
    else:
        end = text.find("\n## ", start + len(SECTION))
        text = text[:start] + body + ("\n" + text[end:] if end >= 0 else "\n")
    doc.write_text(text)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--constants", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds per case")
    ap.add_argument("--mem-gib", type=float, default=8.0, help="address-space cap per case")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child)
        return
    rows = []
    for name, rel in SHARED_CASES:
        path = SHARED / "lean-exports" / rel
        if path.is_file():
            rows.append(run_case(name, path, args.timeout, args.mem_gib))
    with tempfile.TemporaryDirectory() as tmp:
        from ix_native.demo_env import write_demo_env

        demo = Path(tmp) / "demo.ndjson"
        t0 = time.perf_counter()
        rep = write_demo_env(demo, constants=args.constants, seed=args.seed)
        gen = time.perf_counter() - t0
        rows.append(run_case(f"demo-env {args.constants:,} (seed {args.seed})", demo, args.timeout, args.mem_gib))
    body = "\n".join([
        SECTION,
        "",
        f"`bench/kernel.py`, {DATE}; machine: {os.cpu_count()} cores, "
        f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}. "
        "Each environment is parsed and every declaration checked in file order with fresh caches per "
        "declaration (one process per row; peak RSS of that process). constants/s counts constants "
        "(types, constructors and recursors count one each) over check time.",
        "",
        table(rows),
        "",
        f"Generating the demo env ({rep.constants:,} constants, {rep.declarations:,} declarations) took {gen:.2f} s.",
    ] + ([
        "",
        f"A row that did not finish hit this run's per-case limits (--timeout {args.timeout:.0f} s, "
        f"--mem-gib {args.mem_gib:g}); its wall time is when it stopped.",
    ] if any(r["status"] != "ok" for r in rows) else []))
    print(body)
    if not args.no_write:
        write_section(body)


if __name__ == "__main__":
    main()
