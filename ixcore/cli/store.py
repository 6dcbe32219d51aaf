"""`ix store ls|verify|gc|rebuild`: inspect and maintain a proof store."""
from __future__ import annotations

import click

from .context import Context, json_option, pass_ctx


def _open(ctx: Context, path: str | None, *, read_only: bool):
    """Reading commands open the store read-only: they work on a mounted, read-only
    cache and never create a store at a mistyped path."""
    opts = dict(ctx.config.get("store_options", {}))
    if path:
        opts["path"] = path
    opts["read_only"] = read_only
    return ctx.host.create("store", ctx.config["store"], opts)


store_path_option = click.option("--store", "store_path", help="Store directory (default: config store_options.path).")


@click.group("store")
def store_group():
    """Inspect and maintain the proof store."""


@store_group.command("ls")
@store_path_option
@json_option
@pass_ctx
def store_ls(ctx: Context, store_path):
    """List stored proofs: id, backend, kind, program, kernel, cover and assumption sizes."""
    store = _open(ctx, store_path, read_only=True)
    rows = [
        {
            "id": str(e.id), "backend": e.key.backend, "kind": e.kind, "program_id": str(e.key.program_id),
            "kernel_version": e.key.kernel_version, "subjects": len(e.subjects), "assumptions": len(e.assumptions),
            "size": e.size,
        }
        for e in store.entries()
    ]

    def human():
        from rich.table import Table

        table = Table(title=f"proof store {store.root}")
        for col in ("id", "backend", "kind", "program", "kernel", "cover", "assumes", "bytes"):
            table.add_column(col)
        for r in rows:
            table.add_row(r["id"][:16], r["backend"], r["kind"], r["program_id"][:12], r["kernel_version"],
                          str(r["subjects"]), str(r["assumptions"]), str(r["size"]))
        ctx.console.print(table)
        ctx.console.print(f"{len(rows)} proof(s), {len(store.covered())} covered target(s)")

    ctx.emit({"store": str(store.root), "proofs": rows}, human)


@store_group.command("verify")
@store_path_option
@json_option
@pass_ctx
def store_verify(ctx: Context, store_path):
    """Re-check every file: checksum, id, witness roots, failures, index agreement."""
    check = _open(ctx, store_path, read_only=True).verify()

    def human():
        for p in check.problems:
            ctx.console.print(f"[red]problem[/] {p}")
        ctx.console.print(f"{check.checked} proof file(s) checked: " + ("[green]ok[/]" if check.ok else f"[red]{len(check.problems)} problem(s)[/]"))

    ctx.emit({"checked": check.checked, "ok": check.ok, "problems": list(check.problems)}, human)
    return 0 if check.ok else 1


@store_group.command("gc")
@store_path_option
@click.option("--prune-stale", is_flag=True, help="Also delete proofs whose program id or kernel is not the configured provers'.")
@json_option
@pass_ctx
def store_gc(ctx: Context, store_path, prune_stale):
    """Remove temp leftovers of killed writers, quarantine corrupt files, rebuild the index."""
    import attrs

    store = _open(ctx, store_path, read_only=False)
    live = None
    if prune_stale:
        from ..pipeline import store_keys

        cfg = ctx.config
        leaf = ctx.host.create("leaf_prover", cfg["leaf_prover"], cfg.plugin_options(cfg["leaf_prover"]))
        agg = None
        if "aggregate" in getattr(leaf, "capabilities", ()):
            agg = ctx.host.create("agg_prover", cfg["agg_prover"], cfg.plugin_options(cfg["agg_prover"]))
        live = store_keys(leaf, agg)
    report = attrs.asdict(store.gc(live))
    ctx.emit(report, lambda: ctx.console.print(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in report.items())))


@store_group.command("rebuild")
@store_path_option
@json_option
@pass_ctx
def store_rebuild(ctx: Context, store_path):
    """Rebuild the SQLite index from the proof files (the files are the truth)."""
    n = _open(ctx, store_path, read_only=False).rebuild_index()
    ctx.emit({"proofs": n}, lambda: ctx.console.print(f"index rebuilt: {n} proof(s)"))


COMMANDS = [store_group]
