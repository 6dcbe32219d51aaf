"""Cost, RAM and time models of a leaf prover, as named data (no code per model).

A model turns profile columns into a per-block cost (the partitioner's vertex weight),
adds a per-shard floor and a per-byte charge for cross-shard ingress to predict a shard's
total, and maps that total to peak RAM and prove time with straight lines in
`B = total / scale`. The Zisk models are the three Ix generations (spec §2.5); the
`native` model is fitted to measurements of ix's own Python kernel (docs/benchmarks.md).
Leaf provers return one of these from `cost_model()`; `get_cost_model(name)` is the registry.
"""
from __future__ import annotations

import math
from types import MappingProxyType
from typing import Mapping

import attrs
import numpy as np

from .errors import ConfigError, InputError
from .profile import Profile

#: coefficient key -> Profile attribute (other keys are looked up in `Profile.extra`)
COLUMNS = {
    "heartbeats": "heartbeats",
    "size": "sizes",
    "const_count": "const_counts",
    "subst": "subst",
    "whnf": "whnf",
    "def_eq": "def_eq",
    "nat_arith": "nat_arith",
    "intern": "intern",
}


def _frozen_map(m) -> Mapping[str, float]:
    return MappingProxyType(dict(m))


@attrs.frozen
class Line:
    """y = base + slope · B, where B = cost / scale."""

    base: float
    slope: float


@attrs.frozen
class CostModel:
    """name: registry key; unit: what a cost counts (steps, cost units, heartbeats).

    coefficients: per-block cost = Σ coefficient · column (integer coefficients give
        exact int64 arithmetic, as Ix's u64 code).
    shard_floor / per_ingress_byte: shard total = floor + Σ block cost + per_byte · ingress.
    scale: B = total / scale for the RAM and time lines (1e9: billions of steps/units).
    ram / seconds: the lines, or None where the generation has no such model.
    usable_fraction / headroom: cap(R) = (usable·R − ram.base)/ram.slope · scale / headroom.
    source: where the numbers come from.
    """

    name: str
    unit: str
    coefficients: Mapping[str, float] = attrs.field(converter=_frozen_map)
    shard_floor: float = 0
    per_ingress_byte: float = 0
    scale: float = 1e9
    ram: Line | None = None
    time: Line | None = None
    usable_fraction: float = 1.0
    headroom: float = 1.0
    source: str = ""

    @property
    def integral(self) -> bool:
        values = [*self.coefficients.values(), self.shard_floor, self.per_ingress_byte]
        return all(float(v).is_integer() for v in values)

    def step_cost(self, profile: Profile) -> np.ndarray:
        """Per-block cost (int64 for integral models, float64 otherwise)."""
        dtype = np.int64 if self.integral else np.float64
        total = np.zeros(profile.n, dtype=dtype)
        for key, coef in self.coefficients.items():
            total += np.asarray(_column(profile, key), dtype=dtype) * dtype(coef)
        return total

    def shard_cost(self, member_cost, cross_ingress):
        """Predicted shard total: floor + members + per-byte ingress (scalars or arrays)."""
        return self.shard_floor + member_cost + self.per_ingress_byte * np.asarray(cross_ingress)

    def ram_gib(self, cost):
        """Predicted peak RAM in GiB for a shard total (None without a RAM model)."""
        if self.ram is None:
            return None
        return self.ram.base + self.ram.slope * np.asarray(cost, dtype=np.float64) / self.scale

    def seconds(self, cost):
        """Predicted leaf prove time in seconds (None without a time model)."""
        if self.time is None:
            return None
        return self.time.base + self.time.slope * np.asarray(cost, dtype=np.float64) / self.scale

    def cap_for_ram(self, ram_gib: float, source: str = "--max-ram") -> float:
        """The largest shard total whose predicted RAM fits `ram_gib` (Ix's `cycle_cap_for_ram`,
        truncated to an integer as Ix's u64 is). `source` names where `ram_gib` came from
        in the error (the flag, or this machine's RAM when the user gave no limit)."""
        if self.ram is None:
            raise ConfigError(f"cost model {self.name!r} has no RAM model; give --max-cost or --shards")
        cap = math.floor((self.usable_fraction * ram_gib - self.ram.base) / self.ram.slope * self.scale / self.headroom)
        if cap <= 0:
            raise InputError(
                f"{source} {ram_gib:g} GiB cannot clear the prover's base of {self.ram.base:g} GiB "
                f"at {self.usable_fraction:.0%} usable (cost model {self.name})"
            )
        return cap

    def describe(self) -> dict:
        return {
            "name": self.name,
            "unit": self.unit,
            "coefficients": dict(self.coefficients),
            "shard_floor": self.shard_floor,
            "per_ingress_byte": self.per_ingress_byte,
            "scale": self.scale,
            "ram": attrs.asdict(self.ram) if self.ram else None,
            "time": attrs.asdict(self.time) if self.time else None,
            "usable_fraction": self.usable_fraction,
            "headroom": self.headroom,
            "source": self.source,
        }


def _column(profile: Profile, key: str) -> np.ndarray:
    attr = COLUMNS.get(key)
    if attr is not None:
        return getattr(profile, attr)
    if key in profile.extra:
        return profile.extra[key]
    raise InputError(f"profile has no column {key!r} needed by the cost model (columns: {', '.join(COLUMNS)})")


ZISK_PR_INT = CostModel(
    name="zisk-pr-int",
    unit="cycles",
    coefficients={"heartbeats": 215_000},
    ram=Line(45.0, 32.0),
    usable_fraction=0.78,
    source="Ix PR #411 intermediate commits: 215k cycles/heartbeat, RAM 45 + 32·Bcycles at 78 % usable; no time model",
)

ZISK_411 = CostModel(
    name="zisk-411",
    unit="steps",
    coefficients={"heartbeats": 162_339, "subst": 4_276, "size": 652},
    shard_floor=180_000_000,
    per_ingress_byte=652,
    ram=Line(50.0, 33.0),
    time=Line(54.0, 158.0),
    usable_fraction=0.85,
    source="Ix c88df18 (#411) shard.rs: steps model, RAM 50 + 33·B (R² 0.99), time 54 + 158·B s",
)

ZISK_MAIN = CostModel(
    name="zisk-main",
    unit="cost units",
    coefficients={"subst": 196_600, "whnf": 1_797_600, "def_eq": 567_100, "intern": 28_400},
    shard_floor=293_600_000,
    per_ingress_byte=73_200,
    ram=Line(33.1, 0.2845),
    time=Line(29.0, 2.25),
    usable_fraction=0.85,
    headroom=1.5,
    source="Ix df8f111 (main) shard.rs: Zisk cost units, RAM 33.1 + 0.2845·B (cgroup memory.peak), ÷1.5 headroom",
)

#: ix's own Python kernel (plugins/native): cost is its heartbeat count. The RAM and time
#: lines are fitted from measurements (docs/benchmarks.md "Native cost model"); until a
#: fit is recorded there the model predicts neither, and cap mode asks for --max-cost.
NATIVE = CostModel(
    name="native",
    unit="Ix heartbeats",
    coefficients={"heartbeats": 1},
    scale=1e6,
    source="ix native kernel heartbeats; RAM/time lines not fitted yet",
)

MODELS: dict[str, CostModel] = {m.name: m for m in (ZISK_MAIN, ZISK_411, ZISK_PR_INT, NATIVE)}
DEFAULT_ZISK_MODEL = ZISK_MAIN.name


def get_cost_model(name: str) -> CostModel:
    try:
        return MODELS[name]
    except KeyError:
        raise ConfigError(f"unknown cost model {name!r}; known: {', '.join(sorted(MODELS))}") from None
