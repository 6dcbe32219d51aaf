"""What the KaHyPar and Mt-KaHyPar partitioners share: config handling and the call into
a worker process that runs ixcore's recursive-bisection driver with a library bisector."""
from __future__ import annotations

from importlib import metadata

import numpy as np

from ixcore.config import check_table
from ixcore.errors import ConfigError
from ixcore.hypergraph import Hypergraph
from ixcore.partition import PartitionResult, partition_by_bisection, run_isolated

OPTIONS = {"preset": str, "threads": int, "timeout_s": (int, float)}
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
    worker = ""  # "module:function" running the bisection in the child process

    def __init__(self, config: dict):
        check_table(config, OPTIONS, f"plugins.{self.name}", "config")
        self.preset = config.get("preset", self.default_preset)
        if self.preset not in self.presets:
            raise ConfigError(f"plugins.{self.name}.preset: unknown preset {self.preset!r} (known: {', '.join(self.presets)})")
        self.threads = int(config.get("threads", 0)) or None
        self.timeout_s = float(config.get("timeout_s", DEFAULT_TIMEOUT_S))
        self.version = distribution_version(self.library)
        self.deterministic = self.preset in self.deterministic_presets

    def partition(self, hypergraph: Hypergraph, k: int, eps: float, seed: int) -> PartitionResult:
        meta = {
            "partitioner": self.name,
            "version": self.version,
            "preset": self.preset,
            "tree": "explicit recursive bisection (k=2 library calls)",
        }

        def run(job: dict):
            job = dict(job, preset=self.preset, threads=self.threads)
            return run_isolated(self.worker, job, timeout_s=self.timeout_s, label=f"{self.name} (k={job['k']})")

        return partition_by_bisection(hypergraph, k, eps, seed, run=run, meta=meta)
