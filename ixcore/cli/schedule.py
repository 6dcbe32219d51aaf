"""`ix schedule MANIFEST --fleet F`: predict a campaign on a fleet; `ix fleet`: check a
fleet file, fit a class's speed from measured runs.

Both print predictions of a model (ixcore.schedule), not measurements.
"""
from __future__ import annotations

from pathlib import Path

import click

from ..errors import InputError
from ..fold import FOLDS  # not ..schedule: every `ix prove` imports this module, few need numpy
from .context import Context, json_option, pass_ctx


def resolve_fleet(ctx: Context, path: Path | None):
    """--fleet FILE, else [fleet] of ix.toml, else None (without importing the fleet
    model and its numpy, as most runs have no fleet)."""
    if path is None and not ctx.config.get("fleet"):
        return None
    from ..fleet import fleet_from_config, load_fleet

    return load_fleet(path) if path is not None else fleet_from_config(ctx.config)


def _hours(seconds: float) -> str:
    if seconds >= 7200:
        return f"{seconds / 3600:.2f} h"
    if seconds >= 120:
        return f"{seconds / 60:.1f} min"
    return f"{seconds:.2f} s"


@click.command("schedule")
@click.argument("manifest", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--fleet", "fleet_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Fleet file (default: [fleet] in ix.toml).")
@click.option("--profile", "profile_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Profile or environment for the shards' op counts (default: the sidecar's source).")
@click.option("--arity", type=int, help="Children per aggregation (default: config prove.arity).")
@click.option("--png", "png", type=click.Path(dir_okay=False, path_type=Path), help="Write a Gantt chart here.")
@click.option("--fold", "fold", type=click.Choice(FOLDS), default=FOLDS[0], show_default=True,
              help="waves: aggregations level by level after every leaf, as ix prove runs them; "
                   "eager: each as soon as its children are done (what a dependency-driven executor could reach).")
@json_option
@pass_ctx
def schedule_command(ctx: Context, manifest, fleet_path, profile_path, arity, png, fold):
    """Predict MANIFEST's makespan, worker-hours and peak RAM on a fleet (a model, not a run)."""
    from ..formats.ixes import read_ixes, read_ixes_meta
    from ..gantt import plot_gantt
    from ..schedule import MODEL_NOTE, schedule_manifest
    from .shard import load_profile

    fleet = resolve_fleet(ctx, fleet_path)
    if fleet is None:
        raise InputError("ix schedule needs a fleet: --fleet FILE or [fleet] in ix.toml")
    parsed = read_ixes(manifest)
    arity = int(arity or ctx.config.get("prove.arity", 4))
    if arity < 2:
        raise InputError(f"--arity must be at least 2, got {arity}")
    profile, profile_source = None, None
    if profile_path is None:
        source = (read_ixes_meta(manifest) or {}).get("source")
        if isinstance(source, str) and Path(source).is_file():
            profile_path = Path(source)
    if profile_path is not None:
        profile, _env = load_profile(ctx, profile_path)
        profile_source = str(profile_path)
    sched = schedule_manifest(parsed, fleet, arity, profile, fold=fold)
    data = sched.summary()
    data.update(manifest=str(manifest), profile=profile_source, arity=arity, fleet=fleet.describe(), model=MODEL_NOTE)
    if png is not None:
        plot_gantt(sched, png, title=f"{manifest.name} on {fleet.workers} workers ({Path(fleet.source).name})")
        data["png"] = str(png)
    if ctx.as_json:
        data["tasks"] = sched.to_json()["tasks"]
    ctx.emit(data, lambda: _render(ctx, data))


def _render(ctx: Context, d: dict) -> None:
    from rich.table import Table

    c = ctx.console
    c.print(f"[bold]{d['manifest']}[/]: {d['leaves']} leaves, {d['aggregations']} aggregations (arity {d['arity']}) "
            f"on {d['workers']} workers — [italic]{d['model']}[/]")
    c.print(f"  predicted makespan   {_hours(d['makespan_s'])} (root path alone: {_hours(d['tree_critical_path_s'])})")
    c.print(f"  worker-hours         {d['worker_hours']:.2f} held, {d['busy_hours']:.2f} busy; idle {d['idle_fraction']:.1%}")
    peak = d["peak_ram_gib"]
    c.print(f"  peak RAM             {'-' if peak is None else f'{peak:.1f} GiB'} (one leaf, predicted)")
    table = Table(title="per class")
    for col in ("class", "workers", "RAM GiB", "leaves", "aggregations", "worker-h", "busy h", "peak RAM GiB"):
        table.add_column(col)
    for r in d["classes"]:
        table.add_row(r["class"], str(r["workers"]), f"{r['ram_gib']:g}", str(r["leaves"]), str(r["aggregations"]),
                      f"{r['worker_hours']:.2f}", f"{r['busy_hours']:.2f}", "-" if r["peak_ram_gib"] is None else f"{r['peak_ram_gib']:.1f}")
    c.print(table)
    workers = Table(title="per worker")
    for col in ("worker", "leaves", "aggregations", "busy", "peak RAM GiB"):
        workers.add_column(col)
    for r in d["per_worker"]:
        workers.add_row(r["worker"], str(r["leaves"]), str(r["aggregations"]), _hours(r["busy_s"]),
                        "-" if r["peak_ram_gib"] is None else f"{r['peak_ram_gib']:.1f}")
    c.print(workers)
    path = d["critical_path"]
    names = [f"s{t['shard']}" if t["kind"] == "leaf" else f"A{t['index']}" for t in path]
    c.print(f"  critical path ({len(path)} tasks): {' → '.join(names[:12])}{' → …' if len(names) > 12 else ''}")
    if d.get("png"):
        c.print(f"  Gantt chart: {d['png']}")


@click.group("fleet")
def fleet_group():
    """Check a fleet file or fit a worker class's speed from measured runs."""


@fleet_group.command("check")
@click.argument("fleet_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
@pass_ctx
def fleet_check(ctx: Context, fleet_path):
    """Validate FLEET_PATH and show each class's lines and cap."""
    from ..fleet import load_fleet

    fleet = load_fleet(fleet_path)
    data = fleet.describe()
    for row, cls in zip(data["classes"], fleet.classes):
        row["cap"] = cls.cap() if cls.ram is not None else None

    def human():
        for r in data["classes"]:
            ram, t = r["ram"], r["time"]
            ram_line = "none" if ram is None else "{:g} + {:g}·B GiB".format(ram["base"], ram["slope"])
            cap = "-" if r["cap"] is None else "{:.4g}".format(r["cap"])
            ctx.console.print(
                f"{r['name']}: {r['count']} x {r['ram_gib']:g} GiB, {r['cost_model']}; leaf {t['base']:g} + {t['slope']:g}·B s; "
                f"RAM {ram_line}; aggregation {r['agg_base_s']:g} s + {r['agg_per_child_s']:g} s/child + {r['agg_per_unit_s']:g}·B s; "
                f"start-up {r['start_base_s']:g} + {r['start_per_unit_s']:g}·B s, wave {r['wave_s']:g} s; cap {cap} ({r['source']})"
            )

    ctx.emit(data, human)


@fleet_group.command("fit")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--cost-model", "cost_model", default="native", show_default=True, help="The class's cost model.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Workers that ran the reports (ix prove --jobs): fits start-up and aggregation too.")
@json_option
@pass_ctx
def fleet_fit(ctx: Context, files, cost_model, workers):
    """Fit a class's time lines from run reports (native) or ix calibrate outputs (zisk)."""
    from ..costmodel import get_cost_model
    from ..fleet_calibration import calibrate

    fit = calibrate(get_cost_model(cost_model), list(files), workers=workers)
    data = dict(fit.describe(), cost_model=cost_model, files=[str(f) for f in files])

    def human():
        t = fit.time
        ctx.console.print(f"{cost_model}: leaf seconds = {t.base:.4g} + {t.slope:.4g}·B over {data['leaves']} leaves, MAPE {fit.mape:.1%}")
        lines = [f"time_base_s = {t.base:.6g}", f"time_per_unit_s = {t.slope:.6g}"]
        lines += [f"{k} = {v:.6g}" for k, v in fit.run.items()]
        ctx.console.print("for the class in the fleet file:\n  " + "\n  ".join(lines))

    ctx.emit(data, human)


COMMANDS = [schedule_command, fleet_group]
