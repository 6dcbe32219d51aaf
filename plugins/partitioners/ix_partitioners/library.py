"""What the KaHyPar and Mt-KaHyPar partitioners share: config handling and the call into
a worker process that runs ixcore's tree driver (`partition_with_tree`) with the
library's k-way and 2-way calls."""
from __future__ import annotations

from importlib import metadata

import numpy as np

from ixcore.config import check_table
from ixcore.errors import ConfigError
from ixcore.hypergraph import Hypergraph
from ixcore.partition import TREE_METHODS, PartitionResult, partition_by_bisection, run_isolated

OPTIONS = {"preset": str, "threads": int, "timeout_s": (int, float), "tree": str, "contraction_limit": int}
DEFAULT_TIMEOUT_S = 900.0


def distribution_version(dist: str) -> str:
    """The installed library version, read from metadata (no import of the GPL module)."""
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def pin_lists(hg: Hypergraph) -> list[list[int]]:
    return [p.tolist() for p in np.split(hg.pins, hg.ptr[1:-1])] if hg.num_nets else []


class LibraryPartitioner:
    """Base of the library-backed partitioners; subclasses set the class attributes."""

    name = ""
    library = ""
    presets: dict[str, str] = {}
    default_preset = ""
    deterministic_presets: frozenset[str] = frozenset()
    worker = ""  # "module:function" running `partition_with_tree` in the child process
    default_tree = "kway-quotient"
    #: presets whose coarsening limit ix sets itself, with its default (`contraction_limit`)
    tunable_presets: dict[str, int] = {}

    def __init__(self, config: dict):
        check_table(config, OPTIONS, f"plugins.{self.name}", "config")
        self.preset = config.get("preset", self.default_preset)
        if self.preset not in self.presets:
            raise ConfigError(f"plugins.{self.name}.preset: unknown preset {self.preset!r} (known: {', '.join(self.presets)})")
        self.threads = int(config.get("threads", 0)) or None
        self.timeout_s = float(config.get("timeout_s", DEFAULT_TIMEOUT_S))
        self.version = distribution_version(self.library)
        self.deterministic = self.preset in self.deterministic_presets
        self.tree = config.get("tree", self.default_tree)
        if self.tree not in TREE_METHODS:
            raise ConfigError(f"plugins.{self.name}.tree: unknown tree method {self.tree!r} (known: {', '.join(TREE_METHODS)})")
        self.contraction_limit = config.get("contraction_limit", self.tunable_presets.get(self.preset))
        if "contraction_limit" in config and self.preset not in self.tunable_presets:
            tunable = ", ".join(self.tunable_presets) or "none"
            raise ConfigError(f"plugins.{self.name}.contraction_limit: only for presets {tunable}, not {self.preset!r}")
        if self.contraction_limit is not None and self.contraction_limit < 1:
            raise ConfigError(f"plugins.{self.name}.contraction_limit: must be at least 1, got {self.contraction_limit}")

    def partition(self, hypergraph: Hypergraph, k: int, eps: float, seed: int) -> PartitionResult:
        meta = {
            "partitioner": self.name,
            "version": self.version,
            "preset": self.preset,
            "tree": self.tree,
        }
        options = {"preset": self.preset, "threads": self.threads, "tree": self.tree}
        if self.tunable_presets:
            options["contraction_limit"] = self.contraction_limit
            meta["contraction_limit"] = self.contraction_limit

        def run(job: dict):
            job = dict(job, **options)
            return run_isolated(self.worker, job, timeout_s=self.timeout_s, label=f"{self.name} (k={job['k']})")

        return partition_by_bisection(hypergraph, k, eps, seed, run=run, meta=meta)
