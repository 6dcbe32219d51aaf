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
    calibration = ["run/report.json"]   # optional: fit the lines from measured runs
                                        #   (`ixcore.fleet_calibration`)

Unset keys come from the cost model (`ixcore.costmodel`) and `RUN_DEFAULTS`. A class whose
RAM cannot hold the prover's base is rejected when the fleet is read; a shard that fits
no class is rejected by the scheduler, naming the shard's heaviest block.
"""
from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from .costmodel import CostModel, Line, get_cost_model
from .errors import ConfigError, InputError
from .fleet_calibration import calibrate

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
