"""`ix inspect FILE`: say what a file is and summarize it (profiles, manifests, proofs,
environments of any installed format). The dispatch table is `ixcore.formats.sniff`."""
from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import InputError
from .context import Context, json_option, pass_ctx


@click.command("inspect")
@click.argument("path", type=click.Path())
@json_option
@pass_ctx
def inspect_command(ctx: Context, path: str):
    """Summarize PATH: .ixprof (blocks, edges, Ix heartbeats, top blocks), .ixes (shards,
    ingress, tree, sidecar), proofs, an environment of any installed format, or an
    `ix prove` run directory (its report and root proof)."""
    from ..formats.sniff import inspect_file

    if Path(path).is_dir():
        summary = inspect_run(Path(path), ctx)
    else:
        summary = inspect_file(path, ctx.host, ctx.config)
    ctx.emit(summary, lambda: render(ctx.console, summary))


def inspect_run(run: Path, ctx: Context) -> dict:
    """A run directory as `ix prove --out` wrote it: the verdict and counts of its
    report.json, and the root proof's summary (as `ix inspect root.proof` gives it)."""
    from ..formats.sniff import inspect_file

    report_path = run / "report.json"
    if not report_path.is_file():
        raise InputError(f"{run}: a directory without report.json (not an `ix prove --out` run)")
    try:
        report = json.loads(report_path.read_text())
        shards = report["shards"]
    except (ValueError, UnicodeDecodeError, KeyError, TypeError) as exc:
        raise InputError(f"{report_path}: not a run report ({type(exc).__name__}: {exc})") from None
    keys = ("env", "env_root", "verified", "unconditional", "aggregated", "shards_proven", "shards_reused",
            "blocks", "blocks_proven", "stored_proofs_folded", "aggregations")
    summary: dict = {"type": "run", "path": str(run), **{k: report.get(k) for k in keys}}
    summary["shards"] = [{k: s.get(k) for k in ("shard", "status", "blocks", "seconds", "peak_memory", "subject_root")}
                         for s in shards if isinstance(s, dict)]
    if (run / "root.proof").is_file():
        summary["root_proof"] = {k: v for k, v in inspect_file(str(run / "root.proof"), ctx.host, ctx.config).items()
                                 if not isinstance(v, (list, dict))}
    return summary


def render(console, summary: dict) -> None:
    """Scalars as a key/value table, each list of records as its own table, nested
    records as indented key/value tables: any inspector's summary renders without
    format-specific code here."""
    from rich.table import Table

    scalars = Table(title=str(summary.get("type", "file")), show_header=False)
    scalars.add_column("field", style="bold")
    scalars.add_column("value")
    nested = []
    for key, value in summary.items():
        if key == "type":
            continue
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            nested.append((key, value))
        elif isinstance(value, dict):
            nested.append((key, [value]))
        else:
            scalars.add_row(key, _cell(value))
    console.print(scalars)
    for key, rows in nested:
        table = Table(title=key)
        columns = list(dict.fromkeys(c for row in rows for c in row))
        for column in columns:
            table.add_column(column, no_wrap=True, overflow="ellipsis")
        for row in rows:
            table.add_row(*(_cell(row.get(c)) for c in columns))
        console.print(table)


def _cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "-"
    if isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value):
        return value[:12] + "…"
    return str(value)


COMMANDS = [inspect_command]
