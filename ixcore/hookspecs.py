"""Hook specifications: one registry hook per role, plus CLI commands.

Every role hook receives a `register(name, factory, **info)` callable (tox 4 / hatch
style). `factory(config: dict) -> object` builds the backend from its config table
(`[plugins.<name>]` in ix.toml); the object must satisfy the role's protocol in
`ixcore.roles`. Optional keyword info:

- `requirements`: a zero-argument callable returning a list of
  `ixcore.roles.Requirement` (external binaries, files, libraries), shown by
  `ix plugins` and checked before use (missing ones exit with code 3).
- `summary`: one line for `ix plugins`.

Keep plugin modules light: import heavy libraries inside the factory, never at module
import time, because discovery imports every installed plugin module.
"""
from __future__ import annotations

from . import hookspec


@hookspec
def ix_register_env_formats(register):
    """Register environment formats (loaders): objects with `sniff(path) -> bool`,
    `load(path, **options) -> Env`. Examples: `ndjson` (lean4export), `ixe` (Ixon)."""


@hookspec
def ix_register_profilers(register):
    """Register profilers: objects with `profile(env, blocks=None, jobs=1, progress=None)
    -> Profile`, measuring per-block work and delta edges."""


@hookspec
def ix_register_partitioners(register):
    """Register partitioners: objects with `partition(hypergraph, k, eps, seed)
    -> PartitionResult` (block -> shard assignment plus an `AggNode` bisection tree)."""


@hookspec
def ix_register_leaf_provers(register):
    """Register leaf provers: objects with `capabilities`, `program_id`, `cost_model()`,
    `prove(shard, env, workdir) -> Proof` and, when capable, `execute(...)`."""


@hookspec
def ix_register_agg_provers(register):
    """Register aggregation provers: objects with `program_ids`, `arity` and
    `aggregate(children, witnesses, workdir) -> Proof` (a leaf-compatible claim)."""


@hookspec
def ix_register_stores(register):
    """Register proof stores: objects with `covered()`, `get`, `put` (atomic),
    `find_covering(targets)`, `verify()` and `gc()`."""


@hookspec
def ix_register_executors(register):
    """Register executors: objects with `map(fn, jobs) -> iterator of results as they
    finish` (local process pool, dask cluster, ...)."""


@hookspec
def ix_add_commands(cli):
    """Add click commands or groups to the `ix` CLI group (`cli.add_command(cmd)`)."""
