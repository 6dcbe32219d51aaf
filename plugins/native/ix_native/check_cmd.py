"""`ix check`: run the Python Lean kernel over lean4export NDJSON files and report verdicts.

Each file is checked declaration by declaration in file order (the first rejection rejects
the file, as the official checker does). `--keep-going` checks every declaration anyway and
lists each rejected one, e.g. to confirm that `ix demo-env --corrupt K` plants exactly K. With `--expect MANIFEST.tsv` (columns `file` and
`expected`, paths relative to the manifest) the verdicts are compared instead.

Exit codes: without `--expect`, 0 only when every file is accepted and 1 when any is
rejected (a malformed file is rejected); with it, 1 on any verdict that differs from the
manifest or any manifest row that matches no checked file; 2 whenever an input cannot
be read (missing, not a regular file, an I/O error), after every other file is checked.
"""
from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import click

from ixcore.cli.context import json_option, pass_ctx
from ixcore.errors import InputError, VerificationError
from ixcore.safeio import read_text


def check_file(path: str, keep_going: bool = False) -> dict:
    """Check one export; a dict with verdict, reason, heartbeats, declarations and seconds
    (and, with keep_going, every rejected declaration with its reason)."""
    from .lean.checker import Kernel
    from .lean.export import ExportError, ExportUnreadable, read_export

    t0 = time.perf_counter()
    try:
        exp = read_export(path)  # pauses the cyclic collector itself while it parses
    except ExportUnreadable as exc:
        return {"file": path, "verdict": "unreadable", "reason": str(exc), "declarations": 0,
                "lean_heartbeats": 0, "ix_heartbeats": 0, "seconds": round(time.perf_counter() - t0, 3)}
    except ExportError as exc:
        return {"file": path, "verdict": "reject", "reason": f"parse error: {exc}", "declarations": 0,
                "lean_heartbeats": 0, "ix_heartbeats": 0, "seconds": round(time.perf_counter() - t0, 3)}
    stats = Kernel().check_all(exp, stop_on_error=not keep_going)
    bad = next((s for s in stats if not s.ok), None)
    rejected = [{"name": str(s.name), "reason": s.reason} for s in stats if not s.ok] if keep_going else None
    return {
        "file": path,
        "verdict": "accept" if bad is None else "reject",
        "reason": "" if bad is None else bad.reason,
        "declarations": len(stats),
        "lean_heartbeats": sum(s.lean_heartbeats for s in stats),
        "ix_heartbeats": sum(s.ix_heartbeats for s in stats),
        "seconds": round(time.perf_counter() - t0, 3),
        **({"rejected_declarations": rejected} if keep_going else {}),
    }


def _collect(paths) -> list:
    files = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            files.extend(sorted(str(f) for f in p.rglob("*.ndjson")))
        elif p.is_file():
            files.append(str(p))
        elif p.exists():
            raise InputError(f"{p}: not a regular file or a directory")
        else:
            raise InputError(f"{p}: no such file or directory")
    return files


def _read_manifest(path: Path) -> dict:
    try:
        rows = list(csv.DictReader(io.StringIO(read_text(path, "table"), newline=""), delimiter="\t"))
    except csv.Error as exc:
        raise InputError(f"{path}: not a TSV manifest ({exc})") from None
    out = {}
    for i, row in enumerate(rows, 2):
        if not row.get("file") or not row.get("expected"):
            raise InputError(f"{path}:{i}: manifest row needs 'file' and 'expected' columns")
        exp = row["expected"].rstrip("?")
        exp = "reject" if exp.startswith("reject") else exp
        out[str((path.parent / row["file"]).resolve())] = exp
    return out


@click.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--expect", "manifest", type=click.Path(path_type=Path), help="MANIFEST.tsv with expected verdicts.")
@click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(1), help="Files checked in parallel.")
@click.option("--keep-going", is_flag=True, help="Check every declaration and list each rejected one.")
@json_option
@pass_ctx
def check_command(ctx, paths, manifest, jobs, keep_going):
    """Type-check lean4export NDJSON files (directories are walked for *.ndjson)."""
    from .sniff import looks_like_export

    files = _collect(paths)
    for f in files:
        # an export is recognised without loading every env format (numpy and all, a
        # fixed cost larger than checking a small file); only the rest are asked
        fmt = "ndjson" if looks_like_export(f) else ctx.sniff_format(f)
        if fmt not in (None, "ndjson"):
            raise InputError(f"{f}: env format {fmt}; ix check reads lean4export NDJSON "
                             f"(for {fmt}: ix inspect, or ix prove with a leaf prover that reads it)")
    expected = _read_manifest(manifest) if manifest else {}
    results = []
    with ctx.progress() as progress:
        task = progress.add_task("checking", total=len(files))
        if jobs == 1:
            for f in files:
                results.append(check_file(f, keep_going))
                progress.advance(task)
        else:
            from concurrent.futures import ProcessPoolExecutor

            with ProcessPoolExecutor(jobs) as pool:
                for r in pool.map(check_file, files, [keep_going] * len(files)):
                    results.append(r)
                    progress.advance(task)
    mismatches = []
    checked = set()
    for r in results:
        key = str(Path(r["file"]).resolve())
        checked.add(key)
        exp = expected.get(key)
        r["expected"] = exp
        if exp is not None and exp != "either" and exp != r["verdict"] and r["verdict"] != "unreadable":
            mismatches.append(r)
    unmatched = sorted(set(expected) - checked)
    unreadable = [r for r in results if r["verdict"] == "unreadable"]
    summary = {
        "files": len(results),
        "accepted": sum(r["verdict"] == "accept" for r in results),
        "rejected": sum(r["verdict"] == "reject" for r in results),
        "unreadable": [r["file"] for r in unreadable],
        "with_expectation": sum(r["expected"] is not None for r in results),
        "mismatches": [r["file"] for r in mismatches],
        "unmatched_manifest_rows": unmatched,
    }

    def human():
        from rich.table import Table

        table = Table("file", "verdict", "expected", "Lean heartbeats", "s", "reason")
        for r in results:
            style = "red" if r in mismatches else None
            table.add_row(r["file"], r["verdict"], r["expected"] or "-", str(r["lean_heartbeats"]),
                          f"{r['seconds']:.2f}", r["reason"][:100], style=style)
        ctx.console.print(table)
        for r in results:
            for d in r.get("rejected_declarations") or ():
                ctx.console.print(f"  {Path(r['file']).name}: rejected {d['name']}: {d['reason'][:120]}")
        for f in unmatched:
            ctx.console.print(f"  [red]manifest row matches no checked file[/]: {f}")
        ctx.console.print(f"{summary['files']} files: {summary['accepted']} accepted, {summary['rejected']} rejected"
                          + (f", {len(unreadable)} unreadable" if unreadable else "")
                          + (f"; {len(mismatches)} mismatches against {manifest}" if manifest else ""))

    ctx.emit({"results": results, "summary": summary}, human)
    if unreadable:
        first = unreadable[0]["reason"]
        raise InputError(f"{len(unreadable)} file(s) could not be read, e.g. {first}")
    if manifest and (mismatches or unmatched):
        raise VerificationError(
            f"{len(mismatches)} verdict(s) differ from {manifest}"
            + (f"; {len(unmatched)} manifest row(s) match no checked file, e.g. {unmatched[0]}" if unmatched else "")
        )
    if not manifest and summary["rejected"]:
        first = next(r for r in results if r["verdict"] == "reject")
        raise VerificationError(f"{summary['rejected']} of {len(results)} file(s) rejected, e.g. {first['file']}: {first['reason'][:200]}")
    from ixcore.cli import exit_without_teardown

    exit_without_teardown(0)
