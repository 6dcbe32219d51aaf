"""`ix compare RUN_A RUN_B`: two `ix prove` runs side by side, shard by shard.

Reads each run's report.json (a run directory or the file itself), matches shards by id
and shows whether both runs claim the same thing for it, and the cost of each: steps,
prove seconds, proof size, peak memory, with totals. A shard reused from the store
compares by its subject root (the root of its targets, which its stored leaf proof
committed); assumption roots are compared where both runs proved the shard. A value a
backend did not measure is unknown, never 0, and so is any total it enters.
`--png` draws the same as bars.
"""
from __future__ import annotations

import json
from pathlib import Path

import attrs
import click

from ..errors import InputError
from ..safeio import read_text
from .context import Context, json_option, pass_ctx

METRICS = ("steps", "seconds", "proof_size", "peak_memory")


@attrs.frozen
class RunReport:
    path: Path
    shards: dict  # shard id -> row dict

    @classmethod
    def read(cls, given: Path) -> RunReport:
        path = given / "report.json" if given.is_dir() else given
        if not path.exists():
            raise InputError(f"{path}: no run report here (give an `ix prove --out` directory or its report.json)")
        try:
            data = json.loads(read_text(path, "report"))
        except (ValueError, RecursionError) as exc:
            raise InputError(f"{path}: not a JSON run report: {exc}") from None
        rows = data.get("shards") if isinstance(data, dict) else None
        if not isinstance(rows, list):
            raise InputError(f"{path}: run report has no 'shards' list")
        shards = {}
        for i, row in enumerate(rows):
            if not isinstance(row, dict) or not isinstance(row.get("shard"), int):
                raise InputError(f"{path}: shards[{i}] has no integer 'shard' id")
            shards[row["shard"]] = row
        return cls(path, shards)


def _num(row: dict | None, key: str):
    value = (row or {}).get(key)
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _claims_equal(ra: dict | None, rb: dict | None) -> bool | None:
    """None when a shard is in one run only or a run does not say what it claimed."""
    if ra is None or rb is None or not ra.get("subject_root") or not rb.get("subject_root"):
        return None
    if ra["subject_root"] != rb["subject_root"]:
        return False
    asm = (ra.get("assumptions_root"), rb.get("assumptions_root"))
    return asm[0] == asm[1] if all(asm) else True


def compare_runs(a: RunReport, b: RunReport) -> dict:
    rows: list[dict] = []
    totals: dict[str, list[float | None]] = {m: [0, 0] for m in METRICS}
    for sid in sorted(set(a.shards) | set(b.shards)):
        ra, rb = a.shards.get(sid), b.shards.get(sid)
        row = {"shard": sid, "claim_equal": _claims_equal(ra, rb), "status": [(ra or {}).get("status"), (rb or {}).get("status")]}
        for m in METRICS:
            pair = [_num(ra, m), _num(rb, m)]
            row[m] = pair
            for i, v in enumerate(pair):
                total = totals[m][i]
                totals[m][i] = None if v is None or total is None else total + v
        rows.append(row)
    compared = [r["claim_equal"] for r in rows if r["claim_equal"] is not None]
    return {
        "a": str(a.path),
        "b": str(b.path),
        "shards": rows,
        "totals": totals,
        "shards_only_in_one_run": [r["shard"] for r in rows if None in (a.shards.get(r["shard"]), b.shards.get(r["shard"]))],
        "all_claims_equal": bool(compared) and all(compared) and len(compared) == len(rows),
    }


def _fmt(value, metric: str) -> str:
    if value is None:
        return "unknown"
    if metric == "seconds":
        return f"{value:.3f}"
    if metric in ("proof_size", "peak_memory"):
        return _bytes(value)
    return f"{value:,}"


def _bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    ids = [r["shard"] for r in result["shards"]]
    x = np.arange(len(ids))
    fig, axes = plt.subplots(1, len(METRICS), figsize=(4 * len(METRICS), 3.6), dpi=100)
    for ax, m in zip(axes, METRICS):
        for i, (label, shift) in enumerate((("A", -0.2), ("B", 0.2))):
            ax.bar(x + shift, [r[m][i] or 0 for r in result["shards"]], width=0.4, label=label)
        ax.set_title(m.replace("_", " "))
        ax.set_xticks(x, [str(i) for i in ids])
        ax.set_xlabel("shard")
    axes[0].legend()
    fig.suptitle(f"A = {result['a']}\nB = {result['b']}", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


@click.command("compare")
@click.argument("run_a", type=click.Path(exists=True, path_type=Path))
@click.argument("run_b", type=click.Path(exists=True, path_type=Path))
@click.option("--png", type=click.Path(dir_okay=False, path_type=Path), help="Also draw per-shard bars to this PNG.")
@json_option
@pass_ctx
def compare_command(ctx: Context, run_a: Path, run_b: Path, png: Path | None):
    """Compare two `ix prove` runs (e.g. zisk vs sp1 on one manifest) shard by shard."""
    a, b = RunReport.read(run_a), RunReport.read(run_b)
    result = compare_runs(a, b)
    if png is not None:
        plot(result, png)
        result["png"] = str(png)

    def human():
        from rich.table import Table

        table = Table(title=f"A = {a.path}   B = {b.path}")
        table.add_column("shard", justify="right")
        table.add_column("claim")
        for m in METRICS:
            table.add_column(f"{m.replace('_', ' ')} A / B", justify="right")
        for r in result["shards"]:
            only_one = r["shard"] in result["shards_only_in_one_run"]
            same = {True: "[green]equal[/]", False: "[red]DIFFER[/]", None: "[yellow]one run[/]" if only_one else "[yellow]unknown[/]"}[r["claim_equal"]]
            cells = [["reused" if r["status"][i] == "reused" else _fmt(r[m][i], m) for i in (0, 1)] for m in METRICS]
            table.add_row(str(r["shard"]), same, *(f"{a} / {b}" for a, b in cells))
        t = result["totals"]
        table.add_row("total", "all equal" if result["all_claims_equal"] else "-", *(f"{_fmt(t[m][0], m)} / {_fmt(t[m][1], m)}" for m in METRICS))
        ctx.console.print(table)
        if png is not None:
            ctx.console.print(f"plot: {png}")

    ctx.emit(result, human)


COMMANDS = [compare_command]
