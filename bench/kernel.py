"""Kernel benchmark: `ix check` side by side with nanoda, and the kernel's own breakdown.

    .venv/bin/python bench/kernel.py [--rounds 3] [--constants 20000,100000] [--chain 100000]
                                     [--baseline REV] [--no-write]

Cases: init-prelude, perf/app-lam and perf/shift-cascade from ../shared/lean-exports (when
present), demo envs of `--constants` constants (`ix demo-env`, seed 1) and a binder chain
of `--chain` nested binders (`demo_env.write_binder_chain`).

Side by side: every round runs, per case, `nanoda_bin config.json < FILE` (when
../shared/anchors/nanoda is present), `ix check FILE` from this tree and, with --baseline,
`ix check FILE` from that git revision (exported to a temporary directory and put first on
PYTHONPATH), in an order rotated from round to round. Each run is a separate process whose
own rusage (os.wait4) gives its wall, CPU and peak RSS. The machine is shared, so a ratio
is the median over rounds of the per-round ratio (both sides measured back to back), not
a ratio of medians. Breakdown: one in-process child per case (parse vs check time,
heartbeats, the child's peak RSS). `ix demo-env` generation is timed per demo size.
Prints markdown and, unless --no-write, replaces the `## Kernel benchmark` section of
docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("IX_SHARED_DIR", REPO.parent / "shared"))
NANODA = SHARED / "anchors" / "nanoda"
IX = str(Path(sys.executable).with_name("ix"))
SECTION = "## Kernel benchmark"
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
    print(json.dumps({
        "declarations": len(exp.decls),
        "constants": sum(len(d.names()) for d in exp.decls),
        "rejected": sum(not s.ok for s in stats),
        "parse_seconds": t1 - t0,
        "check_seconds": t2 - t1,
        "ix_heartbeats": sum(s.ix_heartbeats for s in stats),
        "lean_heartbeats": sum(s.lean_heartbeats for s in stats),
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }), flush=True)
    os._exit(0)  # the breakdown is printed; freeing the graph is not part of it


def run(cmd, stdin_path=None, env=None, timeout=900.0, mem_gib=8.0) -> dict:
    """Run one process; its own wall time, CPU time and peak RSS (os.wait4), exit code and
    stdout. A process still running after `timeout` seconds is killed."""
    import resource

    def limit():
        cap = int(mem_gib * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    with open(stdin_path or os.devnull, "rb") as stdin, tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        # preexec_fn is safe here: this process starts no thread before the child exists
        proc = subprocess.Popen(cmd, stdin=stdin, stdout=out, stderr=subprocess.DEVNULL, env=env,
                                preexec_fn=limit)  # noqa: PLW1509
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode(errors="replace")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_mib": usage.ru_maxrss / 1024,
            "rc": proc.returncode, "stdout": text, "timed_out": wall >= timeout}


def ix_verdict(res: dict) -> str:
    if res["timed_out"]:
        return "timeout"
    try:
        return json.loads(res["stdout"])["results"][0]["verdict"]
    except (ValueError, KeyError, IndexError):
        return f"exit {res['rc']}"


def nanoda_verdict(res: dict) -> str:
    return "timeout" if res["timed_out"] else {0: "accept", 101: "reject", 1: "reject", 2: "declined"}.get(
        res["rc"], f"exit {res['rc']}")


def export_baseline(rev: str, into: Path) -> dict:
    """The environment that runs `ix` from git revision `rev` (exported into `into`)."""
    into.mkdir(parents=True)
    data = subprocess.run(["git", "-C", str(REPO), "archive", rev], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=data, check=True)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(into / "plugins" / "native"), str(into)])
    return env


def side_by_side(cases, rounds, baseline_env, timeout, mem_gib, slow, log) -> list[dict]:
    """Per case: per-round results of each contender, in rotated order."""
    contenders = []
    if (NANODA / "nanoda_bin").is_file():
        contenders.append(("nanoda", lambda p: run([str(NANODA / "nanoda_bin"), str(NANODA / "config.json")],
                                                      stdin_path=p, timeout=timeout, mem_gib=mem_gib)))
    contenders.append(("ix", lambda p: run([IX, "--json", "check", str(p)], timeout=timeout, mem_gib=mem_gib)))
    if baseline_env is not None:
        contenders.append(("before", lambda p: run([IX, "--json", "check", str(p)], env=baseline_env,
                                                   timeout=timeout, mem_gib=mem_gib)))
    rows = []
    for label, path, skip in cases:
        per = {name: [] for name, _ in contenders}
        for r in range(rounds):
            order = contenders[r % len(contenders):] + contenders[:r % len(contenders)]
            for name, go in order:
                if name in skip or (per[name] and per[name][0]["wall"] > slow):
                    continue  # a run slower than `slow` seconds is not repeated
                res = go(path)
                res["verdict"] = nanoda_verdict(res) if name == "nanoda" else ix_verdict(res)
                per[name].append(res)
                log(f"{label} round {r + 1} {name}: {res['wall']:.2f} s wall, {res['cpu']:.2f} s cpu, "
                    f"{res['rss_mib']:.0f} MiB, {res['verdict']}")
        rows.append({"case": label, "path": path, "runs": per})
    return rows


def _median(xs):
    return statistics.median(xs) if xs else None


def _ratio(runs, a, b, key="wall"):
    """Median over rounds of a/b, both measured in the same round."""
    pairs = [x[key] / y[key] for x, y in zip(runs.get(a, []), runs.get(b, [])) if y[key] > 0]
    return _median(pairs)


def _fmt(x, spec=".2f", suffix=""):
    return "—" if x is None else f"{x:{spec}}{suffix}"


def _fmt_ratio(x):
    return "—" if x is None else f"{x:.1f}x" if x >= 1 else f"{x:.3f}x"


def side_table(rows, constants_of) -> str:
    lines = [("| env | constants | nanoda s | ix before s | ix s | ix / nanoda | ix / nanoda (CPU) | before / nanoda | "
              "ix / before | ix peak RSS MiB | ix KB/constant | nanoda MiB | verdicts (nanoda / ix / before) |"),
             "|" + "---|" * 13]
    for r in rows:
        runs = r["runs"]
        med = {k: _median([x["wall"] for x in v]) for k, v in runs.items()}
        rss = _median([x["rss_mib"] for x in runs.get("ix", [])])
        n = constants_of.get(r["case"])
        kb = rss * 1024 / n if rss and n and n >= 1000 else None
        verdicts = " / ".join(",".join(sorted({x["verdict"] for x in runs[k]})) if runs.get(k) else "—"
                              for k in ("nanoda", "ix", "before"))
        lines.append(
            f"| {r['case']} | {_fmt(n, ',')} | {_fmt(med.get('nanoda'))} | {_fmt(med.get('before'))} | "
            f"{_fmt(med.get('ix'))} | {_fmt_ratio(_ratio(runs, 'ix', 'nanoda'))} | "
            f"{_fmt_ratio(_ratio(runs, 'ix', 'nanoda', 'cpu'))} | {_fmt_ratio(_ratio(runs, 'before', 'nanoda'))} | "
            f"{_fmt_ratio(_ratio(runs, 'ix', 'before'))} | {_fmt(rss, '.0f')} | {_fmt(kb, '.1f')} | "
            f"{_fmt(_median([x['rss_mib'] for x in runs.get('nanoda', [])]), '.0f')} | {verdicts} |")
    return "\n".join(lines)


def detail_table(rows) -> str:
    head = ("| env | declarations | constants | rejected | parse s | check s | constants/s | Ix heartbeats | "
            "Lean heartbeats | peak RSS MiB |\n|" + "---|" * 10)
    lines = [head]
    for case, d in rows:
        if "error" in d:
            lines.append(f"| {case} | did not finish: {d['error']} |" + " |" * 8)
            continue
        cps = d["constants"] / d["check_seconds"] if d["check_seconds"] else 0.0
        lines.append(f"| {case} | {d['declarations']:,} | {d['constants']:,} | {d['rejected']} | "
                     f"{d['parse_seconds']:.2f} | {d['check_seconds']:.2f} | {cps:,.0f} | {d['ix_heartbeats']:,} | "
                     f"{d['lean_heartbeats']:,} | {d['peak_rss_mib']:.0f} |")
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


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--constants", default="20000,100000", help="demo env sizes, comma-separated")
    ap.add_argument("--chain", type=int, default=100_000, help="binder chain depth (0: none)")
    ap.add_argument("--baseline-chain", type=int, default=25_000,
                    help="chain depth for the baseline (a quadratic baseline cannot do the full one)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--baseline", help="git revision to measure as 'before' in the same run")
    ap.add_argument("--slow", type=float, default=40.0,
                    help="a contender whose first run of a case took longer is not repeated on it")
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds per process")
    ap.add_argument("--mem-gib", type=float, default=8.0, help="address-space cap per process")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child)
        return

    def log(msg):
        print(f"[{time.strftime('%H:%M:%S')} load {_load()}] {msg}", file=sys.stderr, flush=True)

    load_start, date = _load(), time.strftime("%Y-%m-%d %H:%M %Z")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        cases = [(name, SHARED / "lean-exports" / rel, set()) for name, rel in SHARED_CASES
                 if (SHARED / "lean-exports" / rel).is_file()]
        gen = []
        for n in (int(x) for x in args.constants.split(",") if x):
            out = tmp / f"demo{n}.ndjson"
            res = run([IX, "--json", "demo-env", str(out), "--constants", str(n), "--seed", str(args.seed)],
                      timeout=args.timeout, mem_gib=args.mem_gib)
            gen.append((n, res["wall"], res["cpu"], res["rss_mib"]))
            log(f"demo-env {n}: {res['wall']:.2f} s")
            cases.append((f"demo-env {n:,} (seed {args.seed})", out, set()))
        from ix_native.demo_env import write_binder_chain

        if args.baseline_chain and args.baseline and args.baseline_chain != args.chain:
            cases.append((f"binder chain {args.baseline_chain:,}",
                          write_binder_chain(tmp / "chain_small.ndjson", args.baseline_chain), set()))
        if args.chain:
            skip = {"before"} if args.baseline and args.baseline_chain != args.chain else set()
            cases.append((f"binder chain {args.chain:,}", write_binder_chain(tmp / "chain.ndjson", args.chain), skip))
        baseline_env = export_baseline(args.baseline, tmp / "baseline") if args.baseline else None
        details = []
        for label, path, _ in cases:
            res = run([sys.executable, __file__, "--child", str(path)], timeout=args.timeout, mem_gib=args.mem_gib)
            try:
                details.append((label, json.loads(res["stdout"])))
            except ValueError:
                details.append((label, {"error": "timed out" if res["timed_out"] else f"exit {res['rc']}"}))
        constants_of = {label: d["constants"] for label, d in details if "constants" in d}
        rows = side_by_side(cases, args.rounds, baseline_env, args.timeout, args.mem_gib, args.slow, log)
    load_end = _load()
    base = f" and `ix check` at {args.baseline} (\"before\")" if args.baseline else ""
    body = "\n".join([
        SECTION,
        "",
        (f"`bench/kernel.py`, {date}; machine: {os.cpu_count()} cores, {platform.python_implementation()} "
         f"{platform.python_version()}, {platform.machine()}, shared with other jobs: load average "
         f"{load_start} at the start, {load_end} at the end (1, 5, 15 min)."),
        "",
        (f"`ix check FILE` against `nanoda_bin config.json < FILE` (../shared/anchors/nanoda){base}: "
         f"{args.rounds} rounds, contenders in an order rotated per round, one process per run (wall time; "
         "peak RSS of that process). Times are medians over rounds; each ratio is the median of the per-round "
         "ratios (wall, and user+sys CPU, which waiting for a core on the shared machine does not inflate); a "
         f"contender whose first run took over {args.slow:.0f} s ran once. A `ix check` run includes interpreter "
         "start-up, imports and parsing."),
        "",
        side_table(rows, constants_of),
        "",
        ("Breakdown (this tree; one in-process child per env: parse, then check every declaration in file "
         "order with fresh caches per declaration):"),
        "",
        detail_table(details),
        "",
        "`ix demo-env` (this tree): " + "; ".join(f"{n:,} constants in {w:.2f} s wall, {c:.2f} s CPU ({m:.0f} MiB)"
                                                  for n, w, c, m in gen) + ".",
    ])
    print(body)
    if not args.no_write:
        write_section(body)


if __name__ == "__main__":
    main()
