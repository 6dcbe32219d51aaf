"""Executors run independent jobs (leaf proofs, aggregations of one fold level) and hand
back `(job, result)` pairs as they finish, a failed job's result being its exception, so
the pipeline can bank each proof the moment it exists."""
from __future__ import annotations

import attrs

from .local import LocalExecutor

__all__ = ["DaskExecutor", "JobHint", "LocalExecutor"]


@attrs.frozen
class JobHint:
    """What a fleet schedule says about one job: `priority` (higher runs first; the
    pipeline also submits in this order) and the predicted peak `ram_gib` (None: unknown).
    Executors that place work on heterogeneous workers take them as `map(..., hints=)`."""

    priority: int
    ram_gib: float | None = None


def __getattr__(name):
    if name == "DaskExecutor":  # keep dask out of every import that does not need it
        from .dask_cluster import DaskExecutor

        return DaskExecutor
    raise AttributeError(name)
