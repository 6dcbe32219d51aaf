"""`ix demo-env`: write a generated, deterministic Lean environment (optionally with
declarations a correct kernel must reject)."""
from __future__ import annotations

import click

from ixcore.cli.context import Context, json_option, pass_ctx


@click.command("demo-env")
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--constants", type=click.IntRange(1), default=400, show_default=True, help="Approximate number of constants.")
@click.option("--seed", type=int, default=1, show_default=True, help="Generator seed (same seed, same file).")
@click.option("--corrupt", type=click.IntRange(0), default=0, show_default=True, help="Add K declarations the kernel must reject.")
@json_option
@pass_ctx
def demo_env_command(ctx: Context, out, constants, seed, corrupt):
    """Write a lean4export 3.1 NDJSON demo environment to OUT."""
    from .demo_env import write_demo_env

    rep = write_demo_env(out, constants=constants, seed=seed, corrupt=corrupt)
    data = {
        "path": str(rep.path),
        "seed": rep.seed,
        "constants": rep.constants,
        "declarations": rep.declarations,
        "corrupted": list(rep.corrupted),
        "corrupted_kinds": dict(zip(rep.corrupted, rep.corrupted_kinds)),
    }

    def human():
        ctx.console.print(f"wrote {rep.constants} constants ({rep.declarations} declarations) to {rep.path}")
        if rep.corrupted:
            ctx.console.print(f"{len(rep.corrupted)} corrupted declarations (must be rejected):")
            for name, kind in zip(rep.corrupted, rep.corrupted_kinds):
                click.echo(f"{name}\t{kind}")

    ctx.emit(data, human)
