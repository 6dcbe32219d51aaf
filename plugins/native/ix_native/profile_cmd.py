"""`ix profile ENV --out FILE`: per-block kernel work and delta edges as `.ixprof` v2."""
from __future__ import annotations

import time
from pathlib import Path

import click

from ixcore.cli import exit_without_teardown
from ixcore.cli.context import Context, json_option, pass_ctx


@click.command("profile")
@click.argument("env_path", metavar="ENV", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help=".ixprof file to write.")
@click.option("--jobs", type=click.IntRange(1), default=1, show_default=True, help="Worker processes.")
@click.option("--format", "format_name", default="auto", show_default=True, help="Env format (default: sniff).")
@json_option
@pass_ctx
def profile_command(ctx: Context, env_path: Path, out: Path, jobs: int, format_name: str):
    """Check every block of ENV with the kernel and write its work profile to --out."""
    from ixcore.cli.prove import resolve_env_format
    from ixcore.formats.ixprof import write_ixprof

    t0 = time.perf_counter()
    fmt = resolve_env_format(ctx, env_path, format_name)
    profiler = ctx.host.create("profiler", "kernel", ctx.config.plugin_options("kernel"))
    ctx.require_format("profiler", "kernel", profiler, fmt.name, env_path,
                       "ix shard and ix prove use a static profile of it directly")
    env = fmt.load(env_path)
    env.load_full()  # parsed here, not inside the timed kernel pass
    n = len(env.work_items())
    t1 = time.perf_counter()
    with ctx.progress() as bar:
        task = bar.add_task("profiling blocks", total=n)
        prof = profiler.profile(env, jobs=jobs, progress=lambda k: bar.advance(task, k))
    t2 = time.perf_counter()
    write_ixprof(prof, out)
    seconds = time.perf_counter() - t0
    data = {
        "env": str(env_path),
        "out": str(out),
        "blocks": prof.n,
        "edges": prof.num_edges,
        "heartbeats": int(prof.heartbeats.sum()),
        "lean_heartbeats": int(prof.extra["lean_heartbeats"].sum()),
        "bytes": int(prof.sizes.sum()),
        "jobs": jobs,
        "seconds": round(seconds, 3),
        "phases": {"load": round(t1 - t0, 3), "profile": round(t2 - t1, 3)},  # the kernel pass alone: what --jobs divides
    }

    def human():
        ctx.console.print(
            f"profiled {prof.n} blocks ({data['heartbeats']} Ix heartbeats, {data['lean_heartbeats']} Lean heartbeats, "
            f"{prof.num_edges} delta edges, "
            f"{data['bytes']} bytes) in {seconds:.2f}s -> {out}")

    ctx.emit(data, human)
    exit_without_teardown(0)  # the parsed env goes with the process, not object by object
