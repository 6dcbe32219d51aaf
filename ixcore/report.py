"""The run report of `ix prove`: JSON for machines, a PNG chart of predicted vs measured cost.

Files written into the run directory:
    report.json   summary (claim, checks, phases) + one row per shard
    prediction.png  with a fleet (`--fleet`): the schedule's predicted leaf seconds vs measured,
                  and the predicted vs measured makespan (report.json "prediction")
    cost.png      per proven shard: predicted against measured leaf time (with y = x
                  when the cost model predicts seconds, and the least-squares fit), time
                  and peak RSS as bars; not drawn when no shard was proven, and the
                  report's "plot" field says why (a fully reused run measured nothing)
    root.proof    the root proof (aggregated runs)
    proofs/       every proof of the tree (leaves, stored children and their descendants,
                  aggregates), by id, so `ix verify root.proof` can expand and re-derive it
    work/         the provers' scratch directories, one per shard (sub-environments,
                  prover inputs and logs): kept for debugging a shard; safe to delete
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from . import proofio
from .chart import Canvas, Panel, least_squares
from .pipeline import RunResult

if TYPE_CHECKING:
    from .costmodel import CostModel


def write_run(result: RunResult, out_dir: str | Path, model: CostModel | None = None) -> dict:
    """Write every artefact of a run; returns the report dict (also report.json).
    `model` is the leaf prover's cost model: it gives the plot its units and, when it has
    a time line, predicted seconds to set against measured ones."""
    out = Path(out_dir)
    (out / "proofs").mkdir(parents=True, exist_ok=True)
    every = list(result.leaves) + list(result.stored) + list(result.support) + list(result.fold_proofs())
    for proof in every:
        (out / "proofs" / f"{proofio.proof_id(proof)}.proof").write_bytes(proofio.dumps(proof))
    proven = any(s.status == "proven" for s in result.shards)
    files = {"report": "report.json", "proofs": "proofs/", "work": "work/"}
    if proven:
        files["plot"] = "cost.png"
    if result.root is not None:
        (out / "root.proof").write_bytes(proofio.dumps(result.root))
        files["root"] = "root.proof"
    report = dict(result.summary())
    report["shards"] = [attrs.asdict(s) for s in result.shards]
    if result.prediction is not None:
        report["prediction"] = result.prediction
        if result.prediction["leaves"]:
            plot_prediction(result.prediction, out / "prediction.png")
            files["prediction_plot"] = "prediction.png"
    report["files"] = files
    if not proven:
        report["plot"] = ("no cost.png: every shard was reused from the store, so nothing was measured"
                          if result.shards
                          else "no cost.png: stored proofs cover every block, so nothing was planned or measured"
                          if result.stored else "no cost.png: no shard was planned")
    (out / "report.json").write_text(json.dumps(report, indent=2, sort_keys=True, default=str) + "\n")
    if proven:
        plot_costs(result, out / "cost.png", model)
    return report


def plot_costs(result: RunResult, path: Path, model: CostModel | None = None) -> None:
    """Three panels per run (a PNG drawn with Pillow, see chart.py): predicted against measured per proven
    shard (with y = x when both are seconds, and the least-squares fit), measured time per
    shard, peak RSS per shard."""
    rows = [s for s in result.shards if s.status == "proven"]
    ids = [str(s.shard) for s in rows]
    measured = [s.seconds for s in rows]
    predicted_s = model.seconds([s.predicted_cost for s in rows]) if model is not None else None
    name, unit = (model.name, model.unit) if model is not None else ("?", "cost-model units")
    if predicted_s is not None:
        xs, xlabel = [float(v) for v in predicted_s], f"predicted leaf time (s, cost model {name})"
    else:
        xs, xlabel = [s.predicted_cost for s in rows], f"predicted cost ({unit}; the model has no time line)"
    reused = sum(s.status == "reused" for s in result.shards)
    note = f" ({reused} reused shard(s) not shown)" if reused else ""
    canvas = Canvas(1400, 420, f"{Path(result.env_path).name}: {len(rows)} proven shard(s){note}")
    top_x, top_y = max(xs) * 1.1 or 1.0, max(measured) * 1.1 or 1.0
    if predicted_s is not None:
        top_x = top_y = max(top_x, top_y)
    ax = Panel(canvas, 0, 480, x_top=top_x, y_top=top_y, title="predicted vs measured, per proven shard",
               xlabel=xlabel, ylabel="measured leaf time (s)")
    ax.points(xs, measured, ids, legend="shard")
    if predicted_s is not None:
        ax.line(0, 0, ax.x_top, ax.x_top, dashed=True, legend="y = x (prediction exact)")
    fit = least_squares(xs, measured)
    if fit is not None:
        a, b = fit
        ax.line(0, a, ax.x_top, a + b * ax.x_top, color="#ff7f0e", legend=f"fit: {a:.3g} + {b:.3g}·x")
    ax.legend()
    Panel(canvas, 480, 460, y_top=max(measured) * 1.1 or 1.0, title="time per shard", xlabel="shard",
          ylabel="measured leaf time (s)", categories=ids).bars(measured)
    mib = [s.peak_memory / 2**20 for s in rows]
    Panel(canvas, 940, 460, y_top=max(mib) * 1.1 or 1.0, title="peak memory per shard", xlabel="shard",
          ylabel="peak RSS (MiB)", categories=ids).bars(mib, color="#2ca02c")
    canvas.save(path)


def plot_prediction(prediction: dict, path: Path) -> None:
    """Predicted (fleet schedule) vs measured seconds per leaf, the diagonal, and the run's makespans."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = prediction["leaves"]
    xs = [max(r["predicted_s"], 1e-6) for r in rows]
    ys = [max(r["measured_s"], 1e-6) for r in rows]
    fig, ax = plt.subplots(figsize=(6, 4.5), dpi=110)
    ax.scatter(xs, ys, s=18)
    top = max(xs + ys) * 1.1
    ax.plot([0, top], [0, top], color="grey", linewidth=1, linestyle="--", label="predicted = measured")
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel("predicted leaf time (s, fleet model)")
    ax.set_ylabel("measured leaf time (s)")
    err = prediction["makespan_error"]
    ax.set_title(
        f"makespan: predicted {prediction['makespan_predicted_s']:.3g} s, measured {prediction['makespan_measured_s']:.3g} s"
        + (f" ({err:+.0%})" if err is not None else ""), fontsize=10,
    )
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
