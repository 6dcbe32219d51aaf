"""`ix inspect FILE`: say what a file is and summarize it (profiles, manifests, proofs,
environments of any installed format). The dispatch table is `ixcore.formats.sniff`."""
from __future__ import annotations

import click

from .context import Context, json_option, pass_ctx


@click.command("inspect")
@click.argument("path", type=click.Path(dir_okay=False))
@json_option
@pass_ctx
def inspect_command(ctx: Context, path: str):
    """Summarize FILE: .ixprof (blocks, edges, heartbeats, top blocks), .ixes (shards,
    ingress, tree, sidecar), proofs, or an environment of any installed format."""
    from ..formats.sniff import inspect_file

    summary = inspect_file(path, ctx.host, ctx.config)
    ctx.emit(summary, lambda: render(ctx.console, summary))


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
