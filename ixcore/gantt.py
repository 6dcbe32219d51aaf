"""The Gantt chart of a predicted fleet schedule (`ixcore.schedule.Schedule`): one row per
worker, so a reader sees at a glance where workers idle and which chain sets the makespan."""
from __future__ import annotations

from .schedule import Schedule


def plot_gantt(schedule: Schedule, path, *, title: str = "") -> None:
    """One row per worker; leaves and aggregations in two colours, the critical path as a
    red strip under its tasks; task labels where the bar is wide enough to hold them."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    rows = len(schedule.workers)
    span = schedule.makespan or 1.0
    unit, scale = ("h", 3600.0) if span > 7200 else (("min", 60.0) if span > 300 else ("s", 1.0))
    fig, ax = plt.subplots(figsize=(11, max(3.0, 0.28 * rows + 1.6)), dpi=110)
    colour = {"leaf": "#4c72b0", "agg": "#dd8452"}
    crowded = len(schedule.tasks) > 40 * rows  # separators between bars would wash the colours out
    by_row: dict[tuple[str, int], list] = {}
    for t in schedule.tasks:
        by_row.setdefault((t.kind, t.worker), []).append((t.start / scale, (t.finish - t.start) / scale))
    for (kind, w), bars in sorted(by_row.items()):
        ax.broken_barh(bars, (w - 0.4, 0.8), facecolors=colour[kind], edgecolors="white", linewidth=0 if crowded else 0.4)
    # the critical path: a red strip under each of its tasks, so it stays visible however many bars there are
    crit: dict[int, list] = {}
    for t in schedule.critical_path:
        crit.setdefault(t.worker, []).append((t.start / scale, max((t.finish - t.start) / scale, span / scale * 0.002)))
    for w, bars in crit.items():
        ax.broken_barh(bars, (w + 0.22, 0.18), facecolors="#c00000", linewidth=0)
    if rows <= 40:
        for t in schedule.tasks:
            width = (t.finish - t.start) / scale
            if width >= 0.045 * span / scale:
                label = f"s{t.shard}" if t.kind == "leaf" else f"A{t.index}"
                ax.text(t.start / scale + width / 2, t.worker, label, ha="center", va="center", fontsize=7, color="white")
    ax.set_yticks(range(rows))
    ax.set_yticklabels([name for _, name in schedule.workers], fontsize=8 if rows <= 40 else 5)
    ax.invert_yaxis()
    ax.set_xlim(0, span / scale * 1.01)
    ax.set_xlabel(f"predicted time ({unit}; a model, not a measurement)")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(
        handles=[Patch(color=colour["leaf"], label="leaf proof"), Patch(color=colour["agg"], label="aggregation"),
                 Patch(color="#c00000", label="critical path")],
        loc="upper left", bbox_to_anchor=(1.005, 1.0), fontsize=8, framealpha=0.9,
    )
    summ = schedule.summary()
    ax.set_title(
        (title + "\n" if title else "")
        + f"makespan {span / scale:.3g} {unit}, {summ['leaves']} leaves + {summ['aggregations']} aggregations "
        f"on {rows} workers, idle {summ['idle_fraction']:.0%}",
        fontsize=10,
    )
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
