"""`ix calibrate ENV --manifest M.ixes`: execute every shard, fit the cost model to steps.

Ix fitted its [main] model from 118 `ziskemu` shard runs (MAPE 10.9 %, ~92.5 cost units
per step); this command repeats that on your env: it predicts each shard's total with the
leaf prover's cost model (floor + Σ block cost + per-byte ingress), executes the shard to
get the measured steps, and fits two lines: steps = k·predicted (the units-per-step
ratio) and steps = a + b·predicted (least squares, when ≥ 3 distinct predictions). The
fit, its error and every shard row go to a JSON file (docs/zk-backends.md explains it).
"""
from __future__ import annotations

import datetime
import json
from pathlib import Path

import attrs
import click

from ixcore.cli.context import Context, json_option, pass_ctx


@attrs.frozen
class CalibrationFit:
    """units_per_step: predicted cost units per measured step (Ix main: ~92.5).
    intercept / slope / r2: steps = intercept + slope · predicted (None if underdetermined).
    mape_ratio / mape_line: mean absolute percentage error of each fit on these shards."""

    n: int
    units_per_step: float
    mape_ratio: float
    intercept: float | None
    slope: float | None
    r2: float | None
    mape_line: float | None


def fit(predicted, steps) -> CalibrationFit:
    import numpy as np

    p = np.asarray(predicted, dtype=np.float64)
    s = np.asarray(steps, dtype=np.float64)
    if len(p) == 0 or not np.all(s > 0) or not np.any(p > 0):
        raise ValueError("calibration needs at least one shard with positive predicted cost and steps")
    k = float(p @ s / (p @ p))  # steps ≈ k·p through the origin
    mape_ratio = float(np.mean(np.abs(k * p - s) / s))
    intercept = slope = r2 = mape_line = None
    if len(np.unique(p)) >= 3:
        slope, intercept = (float(v) for v in np.polyfit(p, s, 1))
        resid = s - (intercept + slope * p)
        total = float(np.sum((s - s.mean()) ** 2))
        r2 = 1.0 - float(resid @ resid) / total if total > 0 else None
        mape_line = float(np.mean(np.abs(resid) / s))
    return CalibrationFit(len(p), 1.0 / k, mape_ratio, intercept, slope, r2, mape_line)


def predicted_costs(manifest, profile, model) -> list[float]:
    """The cost model's total for each manifest shard, from the profile's block columns."""
    from ixcore.errors import InputError

    index = profile.index()
    block_cost = model.step_cost(profile)
    out = []
    for shard in manifest.shards:
        missing = [b for b in shard.blocks if b not in index]
        if missing:
            raise InputError(f"manifest shard {shard.id}: block {missing[0]} is not in the profile")
        member = sum(float(block_cost[index[b]]) for b in shard.blocks)
        out.append(float(model.shard_cost(member, shard.cross_ingress)))
    return out


@click.command("calibrate")
@click.argument("env", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--manifest", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
              help="The .ixes manifest whose shards are executed.")
@click.option("--leaf-prover", default="zisk", show_default=True, help="A leaf prover with the execute capability.")
@click.option("--profile", "profile_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="An .ixprof with measured op counts (default: the env's static profile).")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), default=Path("calibration.json"),
              show_default=True, help="Where to write the fit and the per-shard rows.")
@json_option
@pass_ctx
def calibrate_command(ctx: Context, env, manifest, leaf_prover, profile_path, out_path):
    """Execute each shard of MANIFEST (no proofs) and fit the leaf prover's cost model to the steps."""
    from ixcore.cli.prove import resolve_env_format
    from ixcore.errors import ConfigError, InputError
    from ixcore.formats.ixes import read_ixes

    prover = ctx.host.create("leaf_prover", leaf_prover, ctx.config.plugin_options(leaf_prover))
    if "execute" not in getattr(prover, "capabilities", ()):
        raise ConfigError(f"leaf prover {leaf_prover!r} cannot execute without proving; calibrate needs execute")
    loaded = resolve_env_format(ctx, env, ctx.config["env_format"]).load(env)
    parsed = read_ixes(manifest)
    if profile_path is not None:
        from ixcore.formats.ixprof import read_ixprof

        profile = read_ixprof(profile_path)
    else:
        profile = loaded.static_profile()
    model = prover.cost_model()
    predicted = predicted_costs(parsed, profile, model)
    workdir = Path(ctx.config["workdir"]) / "calibrate"
    rows = []
    shards = [s for s in parsed.shards if s.blocks]
    with ctx.progress() as progress:
        task = progress.add_task("executing shards", total=len(shards))
        for shard in shards:
            ex = prover.execute(loaded, list(shard.blocks), workdir / f"shard-{shard.id}")
            rows.append({"shard": shard.id, "blocks": len(shard.blocks), "predicted": predicted[shard.id],
                         "steps": ex.steps, "seconds": ex.stats.get("seconds"), "peak_memory": ex.stats.get("peak_memory")})
            progress.advance(task)
    if not rows:
        raise InputError(f"{manifest}: no non-empty shard to execute")
    result = fit([r["predicted"] for r in rows], [r["steps"] for r in rows])
    record = {
        "date": datetime.date.today().isoformat(),
        "env": str(env),
        "manifest": str(manifest),
        "leaf_prover": leaf_prover,
        "cost_model": model.name,
        "cost_unit": model.unit,
        "profile": str(profile_path) if profile_path else "static",
        "fit": attrs.asdict(result),
        "shards": rows,
    }
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(record, indent=2) + "\n")
    record["out"] = str(out_path)

    def human():
        c = ctx.console
        c.print(f"{len(rows)} shard(s) executed with {leaf_prover}; model {model.name} ({model.unit})")
        c.print(f"  {result.units_per_step:,.2f} {model.unit} per step, MAPE {result.mape_ratio:.1%} (ratio fit)")
        if result.slope is not None:
            r2 = "n/a" if result.r2 is None else f"{result.r2:.3f}"
            c.print(f"  steps = {result.intercept:,.0f} + {result.slope:.4g}·cost, R² {r2}, MAPE {result.mape_line:.1%}")
        c.print(f"  written to {out_path}")

    ctx.emit(record, human)
