"""A fleet: the worker classes a campaign runs on, each with its own RAM and speed.

A fleet file (TOML; `--fleet FILE`, or `[fleet]` in ix.toml) lists worker classes:

    [[fleet.workers]]
    name = "big"              # required, unique
    count = 2                 # required, >= 1
    ram_gib = 250             # required, > 0: usable RAM of one worker
    cost_model = "zisk-main"  # required: the model whose RAM and time lines describe it
    backend = "zisk"          # optional, informational (the prover the class runs)
    time_base_s = 29          # optional: leaf time = base + per_unit · B (B = cost/scale)
    time_per_unit_s = 2.25    #   overrides the cost model's time line (a faster GPU, say)
    ram_base_gib = 0.15       # optional: RAM line override (models without one: native)
    ram_per_unit_gib = 6.56
    agg_base_s = 0            # optional: aggregation time = base + per_child · children
    agg_per_child_s = 41      #   + per_unit · B of the leaves under it
    agg_per_unit_s = 0
    start_base_s = 0          # optional: a run's start-up before this class's first leaf
    start_per_unit_s = 0      #   = base + per_unit · B of the whole run (a pool forks the env)
    wave_s = 0                # optional: start-up of each aggregation wave of 2+ aggregations
    calibration = ["run/report.json"]   # optional: fit the time lines from measured runs

Unset keys come from the cost model (`ixcore.costmodel`) and `RUN_DEFAULTS`. A class whose
RAM cannot hold the prover's base is rejected when the fleet is read; a shard that fits
no class is rejected by the scheduler, naming the shard's heaviest block.
"""
from __future__ import annotations

import json
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from .costmodel import CostModel, Line, get_cost_model
from .errors import ConfigError, InputError

#: The run's other costs per cost model (keys as in the fleet file; unset keys are 0).
#: Zisk: Ix #623 ran 245 binary recursive joins in 1 h 52 min on three NUMA lanes, ~82 s
#: per join (≈ 41 s a child); start-up and waves are noise against hour-long leaves.
#: native: fitted (`ix fleet fit --workers 2`) on `ix prove --shards 8 --jobs 2` of demo
#: envs of 2k, 20k and 50k constants, 2-core machine at load 0.4-0.7 (docs/fleet.md
#: "Accuracy"; zero terms dropped): the local pool forks the whole env and the
#: parent checks every leaf (start ∝ B), each aggregation re-hashes its subtree's
#: subjects (∝ B), each wave of 2+ aggregations forks a pool. Calibrate for your machine.
RUN_DEFAULTS: dict[str, dict[str, float]] = {
    "zisk-main": {"agg_per_child_s": 41.0},
    "zisk-411": {"agg_per_child_s": 41.0},
    "zisk-pr-int": {"agg_per_child_s": 41.0},
    "native": {"agg_per_unit_s": 3.0, "start_per_unit_s": 4.8, "wave_s": 0.022},
}
_FALLBACK_RUN = RUN_DEFAULTS["zisk-main"]
#: the optional keys that RUN_DEFAULTS and a calibration fill
RUN_KEYS = ("agg_base_s", "agg_per_child_s", "agg_per_unit_s", "start_base_s", "start_per_unit_s", "wave_s")
#: the simulator keeps one heap entry per worker; a typo of 10**9 must not exhaust memory
MAX_WORKERS_PER_CLASS = 100_000

_KEYS: dict[str, type | tuple[type, ...]] = {
    "name": str, "count": int, "ram_gib": (int, float), "cost_model": str, "backend": str,
    "time_base_s": (int, float), "time_per_unit_s": (int, float),
    "ram_base_gib": (int, float), "ram_per_unit_gib": (int, float),
    "agg_base_s": (int, float), "agg_per_child_s": (int, float), "agg_per_unit_s": (int, float),
    "start_base_s": (int, float), "start_per_unit_s": (int, float), "wave_s": (int, float),
    "calibration": (str, list),
}
_NUMBERS = tuple(k for k, t in _KEYS.items() if t == (int, float) and k != "ram_gib")
_REQUIRED = ("name", "count", "ram_gib", "cost_model")


@attrs.frozen
class WorkerClass:
    """One kind of machine. `time`/`ram` are lines in B = cost / model.scale; `ram` None
    means the model predicts no RAM (every leaf is taken to fit, and the fleet says so)."""

    name: str
    count: int
    ram_gib: float
    model: CostModel
    time: Line
    ram: Line | None
    agg_base_s: float
    agg_per_child_s: float
    backend: str | None = None
    source: str = ""
    agg_per_unit_s: float = 0.0
    start_base_s: float = 0.0
    start_per_unit_s: float = 0.0
    wave_s: float = 0.0

    @property
    def usable_gib(self) -> float:
        return self.ram_gib * self.model.usable_fraction

    def leaf_seconds(self, cost) -> np.ndarray:
        return self.time.base + self.time.slope * np.asarray(cost, dtype=np.float64) / self.model.scale

    def leaf_ram(self, cost) -> np.ndarray | None:
        if self.ram is None:
            return None
        return self.ram.base + self.ram.slope * np.asarray(cost, dtype=np.float64) / self.model.scale

    def fits(self, cost) -> np.ndarray:
        """Whether a shard of this predicted total may run here: its RAM at the model's
        headroom (Ix's safety factor on the cost prediction) within the usable RAM; the
        same bound as `cap()`. Always true without a RAM line."""
        cost = np.asarray(cost, dtype=np.float64)
        need = self.leaf_ram(cost * self.model.headroom)
        if need is None:
            return np.ones(cost.shape, dtype=bool)
        return np.less_equal(need, self.usable_gib)

    def agg_seconds(self, children: int, cost_under=0.0):
        """An aggregation of `children` proofs over leaves of total cost `cost_under`."""
        return self.agg_base_s + self.agg_per_child_s * children + self.agg_per_unit_s * np.asarray(cost_under, dtype=np.float64) / self.model.scale

    def start_seconds(self, run_cost: float) -> float:
        """When this class's workers can take their first leaf in a run of total cost `run_cost`."""
        return self.start_base_s + self.start_per_unit_s * float(run_cost) / self.model.scale

    def cap(self) -> float:
        """The largest shard total this class holds (Ix's cap, with this class's RAM line)."""
        if self.ram is None:
            return float("inf")
        return (self.usable_gib - self.ram.base) / self.ram.slope * self.model.scale / self.model.headroom

    def describe(self) -> dict:
        return {
            "name": self.name, "count": self.count, "ram_gib": self.ram_gib, "cost_model": self.model.name,
            "backend": self.backend, "time": attrs.asdict(self.time), "ram": attrs.asdict(self.ram) if self.ram else None,
            "source": self.source, **{k: getattr(self, k) for k in RUN_KEYS},
        }


@attrs.frozen
class Fleet:
    classes: tuple[WorkerClass, ...]
    source: str = "<fleet>"

    @property
    def workers(self) -> int:
        return sum(c.count for c in self.classes)

    def largest(self) -> WorkerClass:
        return max(self.classes, key=lambda c: (c.cap(), c.ram_gib))

    def describe(self) -> dict:
        return {"source": self.source, "workers": self.workers, "classes": [c.describe() for c in self.classes]}


# --------------------------------------------------------------------------- reading


def load_fleet(path: str | Path) -> Fleet:
    """Read a fleet file: `[[fleet.workers]]` (or top-level `[[workers]]`)."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{p}: fleet file not found")
    try:
        data = tomllib.loads(p.read_text())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: not valid TOML: {exc}") from None
    table = data.get("fleet", data)
    return fleet_from_table(table, str(p), base=p.parent)


def fleet_from_config(config) -> Fleet | None:
    """The `[fleet]` table of ix.toml: inline `workers`, or `file = "fleet.toml"`."""
    table = config.get("fleet")
    if not table:
        return None
    if "file" in table:
        if set(table) != {"file"}:
            raise ConfigError(f"{config.source}: [fleet] has either `file` or `workers`, not both")
        base = Path(config.source).parent if Path(config.source).is_file() else Path.cwd()
        return load_fleet(base / table["file"])
    return fleet_from_table(table, f"{config.source} [fleet]", base=Path(config.source).parent)


def fleet_from_table(table: Any, source: str, base: Path | None = None) -> Fleet:
    if not isinstance(table, dict) or set(table) - {"workers"}:
        extra = sorted(set(table) - {"workers"}) if isinstance(table, dict) else []
        raise ConfigError(f"{source}: a fleet is a list of [[fleet.workers]] tables" + (f" (unknown key {extra[0]!r})" if extra else ""))
    rows = table.get("workers")
    if not isinstance(rows, list) or not rows:
        raise ConfigError(f"{source}: the fleet lists no [[fleet.workers]]")
    classes, seen = [], set()
    for i, row in enumerate(rows):
        where = f"{source}: fleet.workers[{i}]"
        if not isinstance(row, dict):
            raise ConfigError(f"{where} must be a table")
        cls = _worker_class(row, where, base or Path.cwd())
        if cls.name in seen:
            raise ConfigError(f"{where}: worker class name {cls.name!r} is used twice")
        seen.add(cls.name)
        classes.append(cls)
    return Fleet(tuple(classes), source)


def _worker_class(row: dict, where: str, base: Path) -> WorkerClass:
    for key, value in row.items():
        if key not in _KEYS:
            raise ConfigError(f"{where}: unknown key {key!r} (allowed: {', '.join(sorted(_KEYS))})")
        if isinstance(value, bool) or not isinstance(value, _KEYS[key]):
            raise ConfigError(f"{where}: {key!r} has the wrong type ({type(value).__name__} {value!r})")
        if isinstance(value, (int, float)) and not np.isfinite(value):
            raise ConfigError(f"{where}: {key!r} must be finite, got {value!r}")
    missing = [k for k in _REQUIRED if k not in row]
    if missing:
        raise ConfigError(f"{where}: missing {', '.join(repr(m) for m in missing)}")
    name = row["name"]
    if not 1 <= row["count"] <= MAX_WORKERS_PER_CLASS:
        raise ConfigError(f"{where} ({name}): count must be 1..{MAX_WORKERS_PER_CLASS:,}, got {row['count']}")
    if row["ram_gib"] <= 0:
        raise ConfigError(f"{where} ({name}): ram_gib must be positive, got {row['ram_gib']}")
    for key in _NUMBERS:
        if row.get(key, 0) < 0:
            raise ConfigError(f"{where} ({name}): {key} must not be negative, got {row[key]}")
    try:
        return _build_class(row, where, base)
    except (ConfigError, InputError) as exc:
        if str(exc).startswith(where):
            raise
        raise type(exc)(f"{where} ({name}): {exc}") from None


def _build_class(row: dict, where: str, base: Path) -> WorkerClass:
    name = row["name"]
    model = get_cost_model(row["cost_model"])
    time_line, run = model.time, dict(RUN_DEFAULTS.get(model.name, _FALLBACK_RUN))
    source = f"{model.name} defaults"
    if "calibration" in row:
        files = row["calibration"] if isinstance(row["calibration"], list) else [row["calibration"]]
        fit = calibrate(model, [base / str(f) for f in files], workers=int(row["count"]))
        time_line, source = fit.time, f"calibrated from {len(fit.points)} leaves in {', '.join(str(f) for f in files)}"
        run.update(fit.run)
    time_line = _override(time_line, row.get("time_base_s"), row.get("time_per_unit_s"))
    if time_line is None:
        raise ConfigError(
            f"{where} ({name}): cost model {model.name} has no time line; give time_base_s and time_per_unit_s, "
            f"or calibration = [run reports]"
        )
    ram = _override(model.ram, row.get("ram_base_gib"), row.get("ram_per_unit_gib"))
    if ram is not None and ram.slope <= 0:
        raise ConfigError(f"{where} ({name}): the RAM line needs a positive ram_per_unit_gib")
    cls = WorkerClass(
        name=name, count=int(row["count"]), ram_gib=float(row["ram_gib"]), model=model, time=time_line, ram=ram,
        backend=row.get("backend"), source=source, **{k: float(row.get(k, run.get(k, 0.0))) for k in RUN_KEYS},
    )
    if ram is not None and cls.usable_gib <= ram.base:
        raise ConfigError(
            f"{where} ({name}): {cls.ram_gib:g} GiB ({model.usable_fraction:.0%} usable) cannot hold the prover's base "
            f"of {ram.base:g} GiB (cost model {model.name})"
        )
    return cls


def _override(line: Line | None, base, slope) -> Line | None:
    if base is None and slope is None:
        return line
    if base is not None and slope is not None:
        return Line(float(base), float(slope))
    if line is None:
        raise ConfigError("a line override needs both its base and its per-unit value when the cost model has none")
    return Line(float(base if base is not None else line.base), float(slope if slope is not None else line.slope))


# --------------------------------------------------------------------------- calibration


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

    Two kinds of file. `ix prove` run reports (report.json; heartbeat models only, since a
    report's predicted cost is the shard's heartbeats): the leaf line is least squares of
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
        points = [(float(r["predicted_cost"]), float(r["seconds"])) for r in proven]
        aggs = int(data.get("aggregations") or 0)
        phases = data.get("phases") or {}
        prove, fold = float(phases.get("prove", 0.0)), float(phases.get("fold", 0.0))
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise InputError(f"{path}: malformed shard row ({exc!r})") from None
    bad = [p for p in points if not (np.isfinite(p[0]) and np.isfinite(p[1]) and p[0] >= 0 and p[1] >= 0)]
    if bad or not all(np.isfinite(v) and v >= 0 for v in (prove, fold)) or aggs < 0 or aggs > 4 * max(1, len(points)):
        raise InputError(f"{path}: a shard row or phase has a negative or non-finite value {bad[0] if bad else (prove, fold, aggs)}")
    return _MeasuredRun(tuple(points), prove, fold, aggs)
