"""Calibrating a fleet class: its time lines from measured runs.

Two kinds of input: `ix prove` run reports (native; heartbeat models), which give the leaf
line and the run's other costs (start-up, aggregation waves, aggregation per unit) the
way `ixcore.schedule.simulate` charges them; and `ix calibrate` outputs (Zisk), which
rescale the model's own line. `calibrate` is what a fleet file's `calibration = [...]`
and `ix fleet fit` call.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import attrs
import numpy as np

from .costmodel import CostModel, Line
from .errors import InputError


@attrs.frozen
class Calibration:
    """A time line fitted to measured leaves: seconds = base + slope · B.

    points: (B, seconds) per leaf; run: the fleet-file keys of the run's other costs fitted
    from the runs' phases (start-up, aggregation, waves; empty when no run report gave
    them); mape: mean relative error of the line on its points."""

    time: Line
    points: tuple[tuple[float, float], ...]
    mape: float
    run: dict[str, float] = attrs.field(factory=dict)

    def describe(self) -> dict:
        return {"time": attrs.asdict(self.time), "leaves": len(self.points), "mape": self.mape, "run": self.run}


#: Cost units per emulator step behind each model's time line (Ix fitted zisk-main on
#: 118 ziskemu shard runs at ~92.5 units per step; plugins/zisk/ix_zisk/calibrate.py).
REFERENCE_UNITS_PER_STEP = {"zisk-main": 92.5}


def calibrate(model: CostModel, files: Sequence[Path], workers: int = 1) -> Calibration:
    """A class's time lines from measurements, in B = cost / scale.

    Two kinds of file. `ix prove` run reports (report.json; heartbeat models only: each
    proven shard's `work` is the Ix heartbeats its leaf measured, whatever profile planned
    the run, so reports of any run calibrate alike): the leaf line is least squares of
    measured leaf seconds on B, base and slope >= 0, in relative error of each run's total
    (`_fit_leaf_line`). With `workers` (the class's count, which ran the reports) the
    run's other costs are fitted too, as the simulator charges them (`_fit_run`). `ix
    calibrate` outputs (Zisk): they measure emulator steps, not prove time, so they rescale
    the model's own line by reference / measured cost units per step: an env whose steps
    are dearer than the model assumed proves slower per unit."""
    reports: list[tuple[Path, dict]] = []
    fits: list[tuple[Path, dict]] = []
    for f in files:
        data = _read_json(Path(f))
        (fits if "fit" in data and "cost_model" in data else reports).append((Path(f), data))
    if reports and fits:
        raise InputError("calibration: give run reports or ix calibrate outputs, not both")
    if fits:
        return _rescale(model, fits)
    runs = [_report_run(model, f, data) for f, data in reports]
    xs = [x / model.scale for r in runs for x, _ in r.leaves]
    ys = [y for r in runs for _, y in r.leaves]
    if not xs:
        raise InputError(f"calibration: no measured leaf in {', '.join(str(f) for f in files)}")
    x, y = np.asarray(xs), np.asarray(ys)
    base, slope = _fit_leaf_line(runs, model.scale)
    pred = base + slope * x
    mape = float(np.mean(np.abs(pred - y) / np.maximum(y, 1e-9)))
    return Calibration(Line(base, slope), tuple(zip(xs, ys)), mape, _fit_run(runs, model.scale, max(1, workers)))


@attrs.frozen
class _MeasuredRun:
    """What a run report says about one run: (cost, seconds) per proven leaf in shard
    order, its prove and fold phases, and how many aggregations the fold made."""

    leaves: tuple[tuple[float, float], ...]
    prove_s: float
    fold_s: float
    aggregations: int


def _fit_run(runs: Sequence[_MeasuredRun], scale: float, workers: int) -> dict[str, float]:
    """The run's other costs, non-negative least squares over the runs.

    Start-up: what the prove phase took beyond the measured leaves list-scheduled (LPT) on
    `workers`, as base + per_unit · B of the run. Aggregation: the fold phase as the
    executor runs it (`fold.run_fold`): level by level, a wave of 2+ aggregations on a
    fresh pool (`wave_s`), each aggregation base + per_unit · B under it, the wave as long
    as its busiest worker. The tree is taken as balanced over the shards in id order (a
    bisection tree is), with the arity that gives the report's aggregation count."""
    start_rows, start_y, fold_rows, fold_y = [], [], [], []
    for r in runs:
        cost = np.array([c for c, _ in r.leaves], dtype=np.float64) / scale
        secs = np.array([s for _, s in r.leaves], dtype=np.float64)
        if len(secs):
            start_rows.append([1.0, float(cost.sum())])
            start_y.append(r.prove_s - _lpt(secs, np.zeros_like(secs), workers)[1])
        if r.aggregations and len(cost) >= 1:
            fold_rows.append(_fold_features(cost, r.aggregations, workers))
            fold_y.append(r.fold_s)
    out: dict[str, float] = {}
    if start_rows:
        out.update(zip(("start_base_s", "start_per_unit_s"), _nnls(np.array(start_rows), np.array(start_y))))
    if fold_rows:
        out.update(zip(("wave_s", "agg_base_s", "agg_per_unit_s"), _nnls(np.array(fold_rows), np.array(fold_y))))
        out["agg_per_child_s"] = 0.0
    return out


def _lpt(weights: np.ndarray, counts: np.ndarray, workers: int) -> tuple[float, float]:
    """(count, weight) on the busiest worker when `weights` go heaviest first to the least
    loaded of `workers`."""
    load = np.zeros(max(1, min(workers, len(weights))))
    held = np.zeros_like(load)
    for i in np.argsort(-weights, kind="stable"):
        w = int(np.argmin(load))
        load[w] += weights[i]
        held[w] += counts[i]
    top = int(np.argmax(load))
    return float(held[top]), float(load[top])


def _fold_features(cost: np.ndarray, aggregations: int, workers: int) -> list[float]:
    """[waves of 2+ aggregations, Σ aggregations on each wave's busiest worker, Σ B on it]."""
    from .fold import Agg, plan_fold
    from .manifest import balanced_agg_tree

    k = len(cost)
    arities = sorted(range(2, 17), key=lambda a: (a != 4, a))
    ops = None
    for arity in arities:  # the fold's arity is not in the report: the one that gives its count
        ops = plan_fold(balanced_agg_tree(0, k) if k > 1 else None, range(k), [], arity)
        if sum(isinstance(op, Agg) for op in ops) == aggregations:
            break
    assert ops is not None
    under = np.zeros(len(ops))
    depth = np.zeros(len(ops), dtype=np.int64)
    for i, op in enumerate(ops):
        if isinstance(op, Agg):
            under[i] = sum(under[c] for c in op.children)
            depth[i] = 1 + max(depth[c] for c in op.children)
        elif hasattr(op, "shard"):
            under[i] = cost[op.shard]
    pools = busiest_n = busiest_b = 0.0
    for level in range(1, int(depth.max()) + 1):
        wave = np.flatnonzero(depth == level)
        pools += len(wave) >= 2
        n, b = _lpt(under[wave], np.ones(len(wave)), workers if len(wave) >= 2 else 1)
        busiest_n, busiest_b = busiest_n + n, busiest_b + b
    return [pools, busiest_n, busiest_b]


def _nnls(a: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None) -> list[float]:
    """Least squares in relative error (each row divided by its measurement: a prediction
    is judged by its error in percent, and absolute errors would let the largest runs,
    the noisiest on a loaded machine, decide the small ones) with every coefficient >= 0:
    the best unconstrained fit over each subset of the columns whose coefficients all come
    out non-negative (few columns). `weights` replace the relative weighting."""
    scale = 1.0 / np.maximum(np.abs(y), 1e-9) if weights is None else weights
    a, y = a * scale[:, None], y * scale
    best: tuple[float, np.ndarray] | None = None
    cols = a.shape[1]
    for mask in range(1 << cols):
        keep = [j for j in range(cols) if mask >> j & 1]
        coef = np.zeros(cols)
        if keep:
            sol, *_ = np.linalg.lstsq(a[:, keep], y, rcond=None)
            if np.any(sol < 0):
                continue
            coef[keep] = sol
        err = float(np.sum((a @ coef - y) ** 2))
        if best is None or err < best[0] - 1e-15:
            best = (err, coef)
    assert best is not None  # the empty subset always qualifies
    return [float(v) for v in best[1]]


def _rescale(model: CostModel, fits) -> Calibration:
    ref = REFERENCE_UNITS_PER_STEP.get(model.name)
    if ref is None or model.time is None:
        raise InputError(f"calibration: ix calibrate outputs rescale a model with a reference units-per-step ({', '.join(REFERENCE_UNITS_PER_STEP)}), not {model.name}")
    total_n, weighted, mape = 0, 0.0, 0.0
    for f, data in fits:
        if data["cost_model"] != model.name:
            raise InputError(f"{f}: calibrated with cost model {data['cost_model']}, the class uses {model.name}")
        try:
            n, ups, err = int(data["fit"]["n"]), float(data["fit"]["units_per_step"]), float(data["fit"]["mape_ratio"])
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"{f}: malformed fit ({exc!r})") from None
        if n < 1 or not np.isfinite(ups) or ups <= 0 or not np.isfinite(err):
            raise InputError(f"{f}: the fit's units_per_step must be a positive number, got {ups!r}")
        total_n, weighted, mape = total_n + n, weighted + n * ups, mape + n * err
    factor = ref / (weighted / total_n)
    return Calibration(Line(model.time.base, model.time.slope * factor), (), mape / total_n, {})


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not a readable calibration file ({exc})") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: not a calibration file (expected a JSON object)")
    return data


def _fit_leaf_line(runs: Sequence[_MeasuredRun], scale: float) -> tuple[float, float]:
    """seconds = base + slope · B, both >= 0, fitted to each run's total leaf seconds
    (leaves, Σ B) in relative error: a makespan is a run's leaves spread over its workers,
    so that total is what must come out right, for a run of small leaves as much as for a
    run of large ones. Fitting single leaves instead lets the many (or the large) leaves of
    some runs set the line for the others. One run only: its leaves, in relative error."""
    rows = [(len(r.leaves), sum(c for c, _ in r.leaves) / scale, sum(s for _, s in r.leaves)) for r in runs if r.leaves]
    if len(rows) < 2:
        x = np.array([c / scale for r in runs for c, _ in r.leaves])
        y = np.array([s for r in runs for _, s in r.leaves])
        a = np.column_stack([np.ones_like(x), x])
    else:
        a, y = np.array([r[:2] for r in rows], dtype=np.float64), np.array([r[2] for r in rows], dtype=np.float64)
    base, slope = _nnls(a, y)
    return base, slope


def _report_run(model: CostModel, path: Path, data: dict) -> _MeasuredRun:
    shards = data.get("shards")
    if not isinstance(shards, list):
        raise InputError(f"{path}: no `shards` list (expected an ix prove report.json or an ix calibrate output)")
    if dict(model.coefficients) != {"heartbeats": 1} or model.shard_floor or model.per_ingress_byte:
        raise InputError(f"{path}: a run report records heartbeats, but cost model {model.name} counts other units; use ix calibrate")
    try:
        proven = sorted((r for r in shards if r.get("status") == "proven"), key=lambda r: int(r.get("shard", 0)))
        points = [(float(r["work"]), float(r["seconds"])) for r in proven]  # measured, not planned
        aggs = int(data.get("aggregations") or 0)
        phases = data.get("phases") or {}
        prove, fold = float(phases.get("prove", 0.0)), float(phases.get("fold", 0.0))
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise InputError(f"{path}: malformed shard row ({exc!r})") from None
    bad = [p for p in points if not (np.isfinite(p[0]) and np.isfinite(p[1]) and p[0] >= 0 and p[1] >= 0)]
    if bad or not all(np.isfinite(v) and v >= 0 for v in (prove, fold)) or aggs < 0 or aggs > 4 * max(1, len(points)):
        raise InputError(f"{path}: a shard row or phase has a negative or non-finite value {bad[0] if bad else (prove, fold, aggs)}")
    return _MeasuredRun(tuple(points), prove, fold, aggs)
