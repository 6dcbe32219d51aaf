"""Executors run independent jobs (leaf proofs, aggregations of one fold level) and hand
back `(job, result)` pairs as they finish, a failed job's result being its exception, so
the pipeline can bank each proof the moment it exists."""
from __future__ import annotations

from .local import LocalExecutor

__all__ = ["LocalExecutor", "DaskExecutor"]


def __getattr__(name):
    if name == "DaskExecutor":  # keep dask out of every import that does not need it
        from .dask_cluster import DaskExecutor

        return DaskExecutor
    raise AttributeError(name)
