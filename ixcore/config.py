"""Configuration: `ix.toml` (or `[tool.ix]` in pyproject.toml), validated against a schema.

Unknown keys and wrong types are errors naming the key's dotted path. CLI flags override
file values through `Config.override`. Plugin tables (`[plugins.<name>]`) are passed to
the plugin's factory, which validates them with `check_table`.
"""
from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Any

import attrs

from .errors import ConfigError

#: key -> type (or tuple of types) or nested schema. Documented in README "Configuration".
SCHEMA: dict[str, Any] = {
    "env_format": str,        # "auto" sniffs the file
    "profiler": str,
    "partitioner": str,
    "leaf_prover": str,
    "agg_prover": str,
    "store": str,
    "executor": str,
    "workdir": str,
    "partition": {
        "shards": int,
        "max_ram_gib": (int, float),
        "max_cost": (int, float),
        "eps": (int, float),
        "seed": int,
        "mode": str,          # "pack" (Ix's newest bin packing) or "iterative"
        "cost_model": str,
        "timeout_s": (int, float),
    },
    "prove": {
        "arity": int,
        "jobs": int,
    },
    "store_options": {
        "path": str,
    },
    "executor_options": {
        "scheduler": str,     # dask scheduler address, e.g. tcp://host:8786
        "retries": int,
        "timeout_s": (int, float),    # a run with no job finished for this long fails
        "heartbeat_s": (int, float),  # progress line interval while jobs run
    },
    "plugins": dict,          # per-plugin free tables, checked by each plugin
    "trusted_keys": list,     # signers of native proofs to accept besides this machine (ixcore.keys)
    "fleet": dict,            # worker classes (docs/fleet.md), checked by ixcore.fleet
}

DEFAULTS: dict[str, Any] = {
    "env_format": "auto",
    "profiler": "kernel",
    "partitioner": "mtkahypar",
    "leaf_prover": "native",
    "agg_prover": "native",
    "store": "fs",
    "executor": "local",
    "workdir": ".ix",
    "partition": {"eps": 0.05, "seed": 42, "mode": "pack"},
    "prove": {"arity": 4},
    "store_options": {"path": ".ix/store"},
    "executor_options": {"retries": 2},
    "plugins": {},
    "trusted_keys": [],
}

#: Value bounds by dotted key: (lowest, inclusive). Documented in README "Configuration".
BOUNDS: dict[str, tuple[float, bool]] = {
    "prove.jobs": (1, True),
    "prove.arity": (2, True),
    "partition.shards": (1, True),
    "partition.eps": (0, False),
    "partition.max_ram_gib": (0, False),
    "partition.max_cost": (0, False),
    "partition.timeout_s": (0, False),
    "executor_options.jobs": (1, True),
    "executor_options.workers": (1, True),
    "executor_options.retries": (0, True),
    "executor_options.timeout_s": (0, False),
    "executor_options.heartbeat_s": (0, False),
}

TYPE_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "a boolean", dict: "a table", list: "an array"}


def _type_name(t) -> str:
    if isinstance(t, tuple):
        return " or ".join(TYPE_NAMES.get(x, x.__name__) for x in t)
    return TYPE_NAMES.get(t, t.__name__)


def check_table(table: dict[str, Any], schema: dict[str, Any], path: str, source: str = "config") -> None:
    """Raise ConfigError for unknown keys or wrong types, naming `source` and the key path."""
    for key, value in table.items():
        where = f"{path}.{key}" if path else key
        if key not in schema:
            allowed = ", ".join(sorted(schema))
            raise ConfigError(f"{source}: unknown key {where!r} (allowed: {allowed})")
        expected = schema[key]
        if isinstance(expected, dict):
            if not isinstance(value, dict):
                raise ConfigError(f"{source}: {where!r} must be a table")
            check_table(value, expected, where, source)
            continue
        types = expected if isinstance(expected, tuple) else (expected,)
        if isinstance(value, bool) and bool not in types:
            ok = False
        else:
            ok = isinstance(value, types)
        if not ok:
            raise ConfigError(
                f"{source}: {where!r} must be {_type_name(expected)}, got {type(value).__name__} {value!r}"
            )
        _check_bound(where, value, source)


def _check_bound(where: str, value: Any, source: str) -> None:
    bound = BOUNDS.get(where)
    if bound is None or not isinstance(value, (int, float)):
        return
    low, inclusive = bound
    if (isinstance(value, float) and math.isnan(value)) or value < low or (value == low and not inclusive):
        relation = ">=" if inclusive else ">"
        raise ConfigError(f"{source}: {where!r} must be {relation} {low:g}, got {_shown(value)}")
    try:
        float(value)  # every bounded value is used as a number; 10**400 is not one
    except OverflowError:
        raise ConfigError(f"{source}: {where!r} is too large (an integer of {_digits(int(value))} digits)") from None


def _digits(value: int) -> int:
    """Decimal digits of |value| without str() (which refuses past 4,300 digits)."""
    n = abs(value)
    digits = max(1, int(n.bit_length() * 0.30102999566398114))
    while 10**digits <= n:
        digits += 1
    return digits


def _shown(value: Any) -> str:
    """`value` for a one-line message: a huge integer by its size, not its digits."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**30:
        return f"{'-' if value < 0 else ''}an integer of {_digits(value)} digits"
    return repr(value)


def _merge(base: dict, extra: dict) -> dict:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


@attrs.frozen
class Config:
    data: dict[str, Any]
    source: str = "<defaults>"

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def get(self, dotted: str, default: Any = None) -> Any:
        node: Any = self.data
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node

    def plugin_options(self, name: str) -> dict[str, Any]:
        return dict(self.data.get("plugins", {}).get(name, {}))

    def override(self, **dotted: Any) -> Config:
        """Apply CLI flags given as dotted keys (`partition.shards=8`); None means unset."""
        data = self.data
        for key, value in dotted.items():
            if value is None:
                continue
            parts = key.split(".")
            patch: dict[str, Any] = {parts[-1]: value}
            for part in reversed(parts[:-1]):
                patch = {part: patch}
            check_table(patch, SCHEMA, "", "command line")
            data = _merge(data, patch)
        return Config(data, self.source)


def load_config(path: str | Path | None = None, cwd: str | Path | None = None) -> Config:
    """Read `path`, else the nearest ix.toml or [tool.ix] of pyproject.toml from `cwd`
    upwards (as pytest and ruff look for theirs), else defaults. A directory holding
    both is an error: ix will not choose between two configurations silently."""
    cwd = Path(cwd or Path.cwd()).resolve()
    table: dict[str, Any] = {}
    source = "<defaults>"
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise ConfigError(f"{p}: config file not found")
        table = _read_toml(p)
        if p.name == "pyproject.toml":
            table = table.get("tool", {}).get("ix", {})
        source = str(p)
    else:
        for d in (cwd, *cwd.parents):
            ix_toml = d / "ix.toml"
            tool = _read_toml(d / "pyproject.toml").get("tool", {}) if (d / "pyproject.toml").is_file() else {}
            if ix_toml.is_file() and "ix" in tool:
                raise ConfigError(f"{d}: both ix.toml and [tool.ix] in pyproject.toml configure ix; keep one")
            if ix_toml.is_file():
                table, source = _read_toml(ix_toml), str(ix_toml)
                break
            if "ix" in tool:
                table, source = tool["ix"], f"{d / 'pyproject.toml'} [tool.ix]"
                break
    check_table(table, SCHEMA, "", source)
    return Config(_merge(DEFAULTS, table), source)


def _read_toml(path: Path) -> dict[str, Any]:
    from .safeio import read_text

    try:
        return tomllib.loads(read_text(path, "config"))
    except (ValueError, RecursionError) as exc:  # TOMLDecodeError, or an integer too long to convert
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
