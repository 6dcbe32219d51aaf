"""Hook specifications: one registry hook per role, plus CLI commands (docs/plugins.md).

Every role hook receives `register` (an `ixcore.roles.Register`): call
`register(name, factory, *, summary="", requirements=None)` once per backend.
`factory(options)` gets the backend's `[plugins.<name>]` table from ix.toml and returns
an object satisfying the role's protocol in `ixcore.roles`; the host checks it when it is
created and names any missing member. `requirements` is a zero-argument callable
returning `ixcore.roles.Requirement`s (shown by `ix plugins`; a missing one exits 3).

Role hooks run lazily, once per host, the first time a command needs that role, so they
must stay cheap: import heavy libraries inside the factory, never at module import time.
None is `firstresult` (every plugin contributes); hooks change only by gaining arguments
(an implementation may accept fewer than its spec), never by renaming.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import hookspec

if TYPE_CHECKING:
    from .roles import Register

# --------------------------------------------------------------------------- role registries


@hookspec
def ix_register_env_formats(register: Register) -> None:
    """Register environment formats; each factory returns an `ixcore.roles.EnvFormat`."""


@hookspec
def ix_register_profilers(register: Register) -> None:
    """Register profilers; each factory returns an `ixcore.roles.Profiler`."""


@hookspec
def ix_register_partitioners(register: Register) -> None:
    """Register partitioners; each factory returns an `ixcore.roles.Partitioner`."""


@hookspec
def ix_register_leaf_provers(register: Register) -> None:
    """Register leaf provers; each factory returns an `ixcore.roles.LeafProver`."""


@hookspec
def ix_register_agg_provers(register: Register) -> None:
    """Register aggregation provers; each factory returns an `ixcore.roles.AggProver`."""


@hookspec
def ix_register_stores(register: Register) -> None:
    """Register proof stores; each factory returns an `ixcore.roles.Store`."""


@hookspec
def ix_register_executors(register: Register) -> None:
    """Register executors; each factory returns an `ixcore.roles.Executor`."""


# --------------------------------------------------------------------------- CLI


@hookspec
def ix_add_commands(cli: Any) -> None:
    """Add click commands or groups to the `ix` group (`cli.add_command(cmd)`); runs at
    every `ix` start, so import command modules inside the hook."""
