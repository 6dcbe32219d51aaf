"""`ix shard INPUT --out M.ixes` plans shards; `ix shard compare` races partitioners.

INPUT is a `.ixprof` profile (read directly) or an environment in any installed format
(its static profile: reference edges, no kernel run). Sizing precedence follows Ix:
--shards, else a cap (--max-ram overrides --max-cost), else this machine's RAM.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import click

from ..errors import ConfigError, IxError
from .context import Context, complete_backend, json_option, pass_ctx


class _DefaultPlanGroup(click.Group):
    """`ix shard X ...` means `ix shard plan X ...` unless X names a subcommand."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["plan", *args]
        return super().parse_args(ctx, args)


@click.group("shard", cls=_DefaultPlanGroup)
def shard_group():
    """Plan shards for a profile or environment, or compare partitioners on one.

    `ix shard INPUT --out M.ixes ...` is short for `ix shard plan INPUT --out M.ixes ...`."""


def _sizing_options(f):
    for option in reversed(
        [
            click.option("--shards", type=int, help="Fixed shard count."),
            click.option("--max-ram", "max_ram", type=float, help="Cap mode: RAM per leaf prover in GiB (overrides --max-cost)."),
            click.option("--max-cost", "max_cost", type=float, help="Cap mode: predicted cost per shard, in the cost model's unit."),
            click.option("--eps", type=float, help="Allowed final imbalance: largest/mean shard <= 1+eps (default 0.05)."),
            click.option("--seed", type=int, help="Partitioner seed (default 42)."),
            click.option("--mode", type=click.Choice(["pack", "iterative"]), help="Cap mode: Ix's bin packing (default) or iterative growth of k."),
            click.option("--cost-model", "cost_model", help="Cost model name (default: config, else the leaf prover's)."),
        ]
    ):
        f = option(f)
    return f


_fleet_option = click.option(
    "--fleet", "fleet_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Fleet file: choose the shard count (or, with --mode, the cap) that minimises the predicted makespan.",
)

@shard_group.command("plan")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_sizing_options
@click.option("--partitioner", shell_complete=complete_backend("partitioner"), help="Partitioner (default: config partitioner, mtkahypar).")
@click.option("--store", "store_path", type=click.Path(file_okay=False), help="Leave out blocks whose proofs this store already holds.")
@click.option("--parallelism", type=int, default=1, show_default=True, help="Provers assumed for the wall-time estimate.")
@_fleet_option
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Manifest to write (.ixes; meta goes to <out>.json).")
@json_option
@pass_ctx
def plan_command(ctx: Context, source, shards, max_ram, max_cost, eps, seed, mode, cost_model, partitioner, store_path, parallelism, fleet_path, out):
    """Partition SOURCE (.ixprof or environment) into shards and write the manifest."""
    from ..formats.ixes import write_ixes
    from ..planning import plan

    settings = _settings(ctx, eps, seed, mode, shards, max_ram, max_cost)
    profile, env = load_profile(ctx, source)
    model = resolve_cost_model(ctx, cost_model)
    part = make_partitioner(ctx, partitioner)
    exclude = covered_blocks(ctx, profile, env, store_path) if store_path else frozenset()
    fleet = _fleet_for(ctx, fleet_path, shards, max_ram, max_cost)
    names = env.name_of if env else None
    with ctx.progress() as progress:
        task = progress.add_task(f"planning with {part.name}", total=1)
        if fleet is not None:
            result, fleet_record = _fleet_plan(ctx, profile, part, fleet, settings, mode, exclude, names, parallelism)
        else:
            result = plan(profile, part, model, exclude_blocks=exclude, names=names, parallelism=parallelism, **settings)
        progress.update(task, completed=1)
    meta = dict(result.meta, source=str(source))
    if env is not None:  # a static profile: block sizes in bytes stand in for kernel work
        result.summary["cost_unit"] = _static_unit(model)
    if fleet is not None:
        meta["fleet"] = fleet_record
    if env is not None:
        meta["env_root"] = str(env.env_root())
    write_ixes(result.manifest, out, meta)
    data = {"out": str(out), "meta": meta, "summary": result.summary, "warnings": result.warnings}
    ctx.emit(data, lambda: _render_plan(ctx, data))


@shard_group.command("compare")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--partitioners", default="range,kahypar,mtkahypar", show_default=True, shell_complete=complete_backend("partitioner"), help="Comma-separated partitioner names.")
@_sizing_options
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), help="Write the comparison to this JSON file and its chart next to it (same name, .png).")
@click.option("--out-dir", "out_dir", type=click.Path(file_okay=False, path_type=Path), help="Write compare.json and compare.png into this directory.")
@click.option("--no-determinism-check", "skip_determinism", is_flag=True, help="Run each partitioner once only.")
@_fleet_option
@json_option
@pass_ctx
def compare_command(ctx: Context, source, partitioners, shards, max_ram, max_cost, eps, seed, mode, cost_model, out, out_dir, skip_determinism, fleet_path):
    """Plan SOURCE with each partitioner on the same hypergraph; a table, and with --out
    (or --out-dir) a JSON file and a PNG chart. Nothing is written without one of them.

    Deterministic partitioners run twice and report whether the manifests are
    byte-identical (reproducible manifests are what makes stored proofs reusable)."""
    from ..formats.ixes import dumps_ixes
    from ..planning import plan

    if out is not None and out_dir is not None:
        raise ConfigError("--out and --out-dir are alternatives; give one")
    json_path = out if out is not None else (out_dir / "compare.json" if out_dir is not None else None)
    settings = _settings(ctx, eps, seed, mode, shards, max_ram, max_cost)
    profile, env = load_profile(ctx, source)
    fleet = _fleet_for(ctx, fleet_path, None, None, None) if fleet_path else None
    # with a fleet, shards are weighed as the fleet's largest class will prove them (as ix shard --fleet does)
    model = fleet.largest().model if fleet is not None and cost_model is None else resolve_cost_model(ctx, cost_model)
    names = [n.strip() for n in partitioners.split(",") if n.strip()]
    parts = {name: make_partitioner(ctx, name) for name in names}  # unknown names fail before any work
    rows, per_shard = [], {}
    with ctx.progress() as progress:
        task = progress.add_task("partitioners", total=len(names))
        for name, part in parts.items():
            start = time.perf_counter()
            result = plan(profile, part, model, **settings)
            seconds = time.perf_counter() - start
            identical = None
            if part.deterministic and not skip_determinism:
                again = plan(profile, part, model, **settings)
                identical = dumps_ixes(again.manifest) == dumps_ixes(result.manifest)
            s = result.summary
            rows.append(
                {
                    "partitioner": name,
                    "version": result.meta["partitioner_version"],
                    "preset": result.meta.get("preset"),
                    "shards": s["shards"],
                    "km1": s["km1"],
                    "imbalance": s["imbalance"],
                    "max_cost": s["predicted_cost"]["max"] if s["predicted_cost"] else None,
                    "max_ram_gib": s["predicted_ram_gib"]["max"] if s["predicted_ram_gib"] else None,
                    "seconds": seconds,
                    "deterministic": part.deterministic,
                    "byte_identical_rerun": identical,
                    "warnings": result.warnings,
                }
            )
            if fleet is not None:
                rows[-1].update(_fleet_columns(ctx, result.manifest, fleet, profile))
            per_shard[name] = [p["cost"] for p in s["per_shard"]]
            progress.advance(task)
    chart = json_path.with_suffix(".png") if json_path is not None else None
    data = {
        "source": str(source),
        "cost_model": model.name,
        "settings": {k: v for k, v in settings.items()},
        "results": rows,
        "per_shard_cost": per_shard,
        "chart": str(chart) if chart else None,
        "out": str(json_path) if json_path else None,
    }
    if fleet is not None:
        data["fleet"] = fleet.describe()
    if json_path is not None and chart is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        plot_per_shard(per_shard, chart, title=f"{source.name}: predicted cost per shard ({model.unit}, {model.name})", cap=_cap(settings, model))
        json_path.write_text(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")
    ctx.emit(data, lambda: _render_compare(ctx, data))


# --------------------------------------------------------------------------- helpers


def _fleet_for(ctx: Context, fleet_path, shards, max_ram, max_cost):
    """--fleet FILE, else [fleet] of ix.toml when no size is given on the command line."""
    from ..errors import ConfigError
    from .schedule import resolve_fleet

    if fleet_path is None and any(v is not None for v in (shards, max_ram, max_cost)):
        return None
    fleet = resolve_fleet(ctx, fleet_path)
    if fleet is not None and any(v is not None for v in (shards, max_ram, max_cost)):
        raise ConfigError("--fleet chooses the shard count or cap itself; drop --shards/--max-ram/--max-cost")
    return fleet


def _fleet_plan(ctx: Context, profile, part, fleet, settings: dict, mode_flag, exclude, names, parallelism):
    from ..choose_k import plan_for_fleet

    return plan_for_fleet(
        profile, part, fleet, arity=int(ctx.config.get("prove.arity", 4)), eps=settings["eps"], seed=settings["seed"],
        mode=settings["mode"] if mode_flag else "shards", exclude_blocks=exclude, names=names, parallelism=parallelism,
    )


def _fleet_columns(ctx: Context, manifest, fleet, profile) -> dict:
    """Predicted makespan, worker-hours and peak RAM of one partitioner's manifest."""
    from ..errors import InputError
    from ..schedule import schedule_manifest

    try:
        summ = schedule_manifest(manifest, fleet, int(ctx.config.get("prove.arity", 4)), profile).summary()
    except InputError as exc:
        return {"makespan_s": None, "worker_hours": None, "peak_ram_gib": None, "fleet_error": str(exc)}
    return {"makespan_s": summ["makespan_s"], "worker_hours": summ["worker_hours"], "peak_ram_gib": summ["peak_ram_gib"]}



def _settings(ctx: Context, eps, seed, mode, shards, max_ram, max_cost) -> dict:
    cfg = ctx.config.get("partition", {}) or {}
    return {
        "shards": shards if shards is not None else (cfg.get("shards") if max_ram is None and max_cost is None else None),
        "max_ram_gib": max_ram if max_ram is not None else (cfg.get("max_ram_gib") if max_cost is None else None),
        "max_cost": max_cost if max_cost is not None else cfg.get("max_cost"),
        "eps": float(eps if eps is not None else cfg.get("eps", 0.05)),
        "seed": int(seed if seed is not None else cfg.get("seed", 42)),
        "mode": mode or cfg.get("mode", "pack"),
    }


def _static_unit(model) -> str:
    """The unit of a cost computed from a static profile, whose work columns hold bytes."""
    if dict(model.coefficients) == {"heartbeats": 1}:
        return "bytes (static profile: block sizes stand in for Ix heartbeats)"
    return f"{model.unit} predicted from block sizes in bytes (static profile)"


def _cap(settings: dict, model):
    if settings["shards"] is not None:
        return None
    if settings["max_ram_gib"] is not None:
        return model.cap_for_ram(settings["max_ram_gib"])
    return settings["max_cost"]


def load_profile(ctx: Context, source: Path):
    """(profile, env or None): a .ixprof is read as is; anything else goes through the
    installed env formats and yields the environment's static profile."""
    from ..formats.ixprof import read_ixprof, sniff_ixprof
    from ..safeio import open_regular
    from .prove import resolve_env_format

    with open_regular(source) as f:  # a FIFO or device would block or never end
        head = f.read(16)
    if sniff_ixprof(head):
        return read_ixprof(source), None
    env = resolve_env_format(ctx, source, ctx.config["env_format"]).load(source)
    return env.static_profile(), env


def resolve_cost_model(ctx: Context, name: str | None):
    """--cost-model, else [partition] cost_model, else the configured leaf prover's model."""
    from ..costmodel import get_cost_model
    from ..planning import DEFAULT_NATIVE_MODEL

    name = name or ctx.config.get("partition.cost_model")
    if name:
        return get_cost_model(name)
    leaf = ctx.config["leaf_prover"]
    try:
        model = ctx.host.create("leaf_prover", leaf, ctx.config.plugin_options(leaf), check=False).cost_model()
    except (IxError, AttributeError):
        model = None
    return model or get_cost_model(DEFAULT_NATIVE_MODEL)


def make_partitioner(ctx: Context, name: str | None):
    name = name or ctx.config["partitioner"]
    options = ctx.config.plugin_options(name)
    timeout = ctx.config.get("partition.timeout_s")
    if timeout is not None and name in ("kahypar", "mtkahypar"):
        options.setdefault("timeout_s", timeout)
    return ctx.host.create("partitioner", name, options)


def covered_blocks(ctx: Context, profile, env, store_path: str) -> frozenset:
    """Blocks all of whose proven targets the store covers. From a bare profile only the
    block address is known, and a block counts as covered when it is."""
    options = dict(ctx.config.get("store_options", {}) or {}, path=str(store_path))
    covered = ctx.host.create("store", ctx.config["store"], options).covered()
    if env is None:
        return frozenset(a for a in profile.addrs if a in covered)
    return frozenset(w.block for w in env.work_items() if w.proven_targets and all(t in covered for t in w.proven_targets))


def plot_per_shard(per_shard: dict, path: Path, *, title: str, cap=None) -> None:
    """One line per partitioner: predicted cost of each shard, heaviest first."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=110)
    for name, costs in per_shard.items():
        ys = sorted(costs, reverse=True)
        ax.step(range(1, len(ys) + 1), ys, where="mid", marker="o", markersize=3, label=f"{name} ({len(ys)} shards)")
    if cap:
        ax.axhline(cap, color="grey", linestyle="--", linewidth=1, label="cap")
    ax.set_xlabel("shard (sorted by predicted cost)")
    ax.set_ylabel("predicted cost")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _fmt(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:,.4g}" if abs(v) < 1e6 else f"{v:.3e}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def _render_plan(ctx: Context, data: dict) -> None:
    from rich.table import Table

    s, meta = data["summary"], data["meta"]
    ctx.result(f"{data['out']}: {s['shards']} shards, imbalance {s['imbalance']:.3f}, km1 {s['km1']:,} B")
    table = Table(title=f"ix shard → {data['out']}", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    rows = [
        ("partitioner", f"{meta['partitioner']} {meta['partitioner_version']} ({meta.get('preset', '-')})"),
        ("mode", f"{meta['mode']}" + (f", cap {_fmt(meta.get('cap'))}" if meta.get("cap") else "") + f" (sizing: {meta['sizing']})"),
        ("cost model", meta["cost_model"]),
        ("blocks / edges / nets", f"{s['blocks']:,} / {s['delta_edges']:,} / {s['nets']:,}"),
        ("excluded (stored)", _fmt(meta.get("excluded_blocks"))),
        ("shards (empty)", f"{s['shards']} ({s['empty_shards']})"),
        ("km1 = cross ingress", f"{s['km1']:,} B (max shard {s['max_shard_cross_ingress']:,} B)"),
        ("imbalance", f"{s['imbalance']:.3f} (predicted totals {s['imbalance_predicted']:.3f})"),
    ]
    for key, label, unit in (("predicted_cost", "cost", s["cost_unit"]), ("predicted_ram_gib", "RAM", "GiB"), ("predicted_seconds", "prove time", "s")):
        if s.get(key):
            v = s[key]
            rows.append((label, f"min {_fmt(v['min'])}  mean {_fmt(v['mean'])}  max {_fmt(v['max'])} {unit}"))
    wall = s.get("wall_seconds_estimate")
    if wall:
        rows.append(("wall estimate", f"{wall['seconds']:.4g} s with {wall['provers']} prover(s)"))
    rows.append(("planned in", f"{s['plan_seconds']:.2f} s"))
    fl = meta.get("fleet")
    if fl:
        chosen = f"k = {fl['chosen_k']}" if fl["search"] == "shards" else f"cap {_fmt(fl['chosen_cap'])}"
        rows.append(("fleet", (f"{fl['fleet']['workers']} workers ({fl['fleet']['source']}): {chosen} of {fl['evaluated']} "
                               f"evaluated, {fl['partitioner_calls']} partitioner calls, {fl['search_seconds']:.1f} s")))
        rows.append(("predicted makespan", (f"{fl['predicted_makespan_s']:,.0f} s, {fl['predicted_worker_hours']:,.1f} "
                                            f"worker-h, idle {fl['predicted_idle_fraction']:.0%} (a model)")))
        rows.append(("runners-up", ", ".join(
            f"k={r['k']}: {r['makespan_s']:,.0f} s{'' if r.get('method') == 'partitioner' else ' (proxy)'}" for r in fl["runners_up"]
        ) or "-"))
    for label, value in rows:
        table.add_row(label, value)
    ctx.console.print(table)
    for w in data["warnings"]:
        ctx.console.print(f"[yellow]warning:[/yellow] {w}")


def _render_compare(ctx: Context, data: dict) -> None:
    from rich.table import Table

    table = Table(title=f"ix shard compare: {data['source']} ({data['cost_model']})")
    fleet = "fleet" in data
    cols = ["partitioner", "preset", "shards", "km1", "imbalance", "max cost", "max RAM GiB", "seconds", "rerun identical"]
    for col in cols + (["makespan s", "worker-h", "peak RAM GiB"] if fleet else []):
        table.add_column(col)
    for r in data["results"]:
        same = "-" if r["byte_identical_rerun"] is None else ("yes" if r["byte_identical_rerun"] else "NO")
        cells = [
            r["partitioner"], str(r["preset"] or "-"), str(r["shards"]), _fmt(r["km1"]), f"{r['imbalance']:.3f}",
            _fmt(r["max_cost"]), _fmt(r["max_ram_gib"]), f"{r['seconds']:.2f}", same,
        ]
        if fleet:
            cells += [_fmt(r["makespan_s"]), _fmt(r["worker_hours"]), _fmt(r["peak_ram_gib"])]
        table.add_row(*cells)
    ctx.console.print(table)
    if data["out"]:
        ctx.result(f"wrote {data['out']} and {data['chart']}")
    else:
        ctx.result("no files written (give --out FILE.json for the JSON and its chart)")
    if fleet:
        ctx.console.print("makespan, worker-hours and peak RAM: predicted by the fleet model (ix schedule), not measured")
        for r in data["results"]:
            if r.get("fleet_error"):
                ctx.console.print(f"[yellow]{r['partitioner']}:[/yellow] {r['fleet_error']}")


COMMANDS = [shard_group]
