"""The run report of `ix prove`: JSON for machines, a PNG of predicted vs measured cost.

Files written into the run directory:
    report.json   summary (claim, checks, phases) + one row per shard
    cost.png      predicted cost vs measured seconds per proven shard (scatter; an axis
                  turns logarithmic only when its values span more than 10x);
                  not written when no shard was proven (a fully reused run has nothing to
                  plot, and importing matplotlib would dominate its run time)
    root.proof    the root proof (aggregated runs)
    proofs/       every proof of the tree (leaves, stored children and their descendants,
                  aggregates), by id, so `ix verify root.proof` can expand and re-derive it
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
    every = list(result.leaves) + list(result.stored) + list(result.support) + list(result.fold_proofs())
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
