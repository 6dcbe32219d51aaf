"""The roles a plugin can fill and the small value types the plugin host reports.

The protocols document what the pipeline calls; registration only checks names, so a
backend is free to be any object with these methods.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

import attrs

ROLES = (
    "env_format",
    "profiler",
    "partitioner",
    "leaf_prover",
    "agg_prover",
    "store",
    "executor",
)

HOOK_OF_ROLE = {
    "env_format": "ix_register_env_formats",
    "profiler": "ix_register_profilers",
    "partitioner": "ix_register_partitioners",
    "leaf_prover": "ix_register_leaf_provers",
    "agg_prover": "ix_register_agg_provers",
    "store": "ix_register_stores",
    "executor": "ix_register_executors",
}


@attrs.frozen
class Requirement:
    """One external thing a plugin needs. `found` False means it cannot run here."""

    name: str
    found: bool
    detail: str = ""
    version: str | None = None

    @classmethod
    def binary(cls, name: str, path: str | Path | None = None, hint: str = "") -> "Requirement":
        """A program looked up at `path` (if given) else on PATH."""
        located = str(path) if path and Path(path).is_file() else shutil.which(name)
        if located:
            return cls(name, True, located)
        return cls(name, False, hint or f"{name} not found on PATH")

    @classmethod
    def module(cls, name: str, hint: str = "") -> "Requirement":
        """A Python module, probed without importing it."""
        import importlib.util

        found = importlib.util.find_spec(name) is not None
        return cls(name, found, "" if found else (hint or f"python module {name!r} not installed"))


@attrs.frozen
class Registration:
    """What `register(name, factory, ...)` recorded, with who registered it."""

    role: str
    name: str
    factory: Callable
    distribution: str
    version: str
    summary: str = ""
    requirements: Callable[[], list[Requirement]] | None = None

    def check_requirements(self) -> list[Requirement]:
        return list(self.requirements()) if self.requirements else []
