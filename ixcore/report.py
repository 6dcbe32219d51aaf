"""The run report of `ix prove`: JSON for machines, a PNG of predicted vs measured cost.

Files written into the run directory:
    report.json   summary (claim, checks, phases) + one row per shard
    prediction.png  with a fleet (`--fleet`): the schedule's predicted leaf seconds vs measured,
                  and the predicted vs measured makespan (report.json "prediction")
    cost.png      predicted cost vs measured seconds per proven shard (scatter; an axis
                  turns logarithmic only when its values span more than 10x);
                  not written when no shard was proven (a fully reused run has nothing to
                  plot, and importing matplotlib would dominate its run time)
    root.proof    the root proof (aggregated runs)
    proofs/       every proof of the fold (leaves, stored children, aggregates), by id,
                  so `ix verify root.proof --reexecute` can walk the tree
"""
from __future__ import annotations

import json
from pathlib import Path

import attrs

from . import proofio
from .pipeline import RunResult


def write_run(result: RunResult, out_dir: str | Path) -> dict:
    """Write every artefact of a run; returns the report dict (also report.json)."""
    out = Path(out_dir)
    (out / "proofs").mkdir(parents=True, exist_ok=True)
    every = list(result.leaves) + list(result.stored) + list(result.fold_proofs())
    for proof in every:
        (out / "proofs" / f"{proofio.proof_id(proof)}.proof").write_bytes(proofio.dumps(proof))
    proven = any(s.status == "proven" for s in result.shards)
    files = {"report": "report.json", "proofs": "proofs/"}
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
    (out / "report.json").write_text(json.dumps(report, indent=2, sort_keys=True, default=str) + "\n")
    if proven:
        plot_costs(result, out / "cost.png")
    return report


def plot_costs(result: RunResult, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [s for s in result.shards if s.status == "proven"]
    fig, ax = plt.subplots(figsize=(6, 4.5), dpi=110)
    xs = [max(s.predicted_cost, 1e-9) for s in rows]
    ys = [max(s.seconds, 1e-9) for s in rows]
    ax.scatter(xs, ys, s=18)
    for s, x, y in zip(rows, xs, ys):
        ax.annotate(str(s.shard), (x, y), fontsize=7, xytext=(2, 2), textcoords="offset points")
    for values, name, set_scale in ((xs, "x", ax.set_xscale), (ys, "y", ax.set_yscale)):
        if max(values) > 10 * min(values):  # log ticks on a narrow range overprint
            set_scale("log")
        else:
            ax.ticklabel_format(axis=name, style="sci", scilimits=(-3, 4), useOffset=False)
    ax.set_xlabel("predicted cost (manifest, cost-model units)")
    ax.set_ylabel("measured leaf time (s)")
    ax.set_title(f"{Path(result.env_path).name}: predicted vs measured per shard")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


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
