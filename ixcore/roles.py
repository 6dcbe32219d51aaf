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


# ---------------------------------------------------------------------------------------
# What the pipeline expects of each role's objects (duck-typed; documented here once).
#
# env_format:  name; sniff(path) -> bool; load(path, **opts) -> Env
# Env:         path; format; work_items() -> list[WorkItem] (sorted by block address);
#              env_root() -> Address (merkle root of all proven targets);
#              name_of(addr) -> str | None; block_size(block) -> int;
#              block_refs(block) -> set[Address] (static dependency blocks);
#              write_sub_env(blocks, path) -> Path (closure sub-environment, same format);
#              static_profile() -> Profile (edges from references, no kernel run;
#              size stands in for heartbeats and subst, as in Ix main).
#              Optional: load_full() -> None, for envs that load lazily from an index;
#              the pipeline calls it before forking leaf workers so they share one parse.
# profiler:    profile(env, blocks=None, jobs=1, progress=None) -> Profile
# partitioner: partition(hypergraph, k, eps, seed) -> ixcore.partition.PartitionResult
# leaf_prover: name; capabilities (frozenset of "execute", "prove", "aggregate");
#              program_id; kernel_version; cost_model() -> ixcore.costmodel.CostModel;
#              prove(env, blocks, workdir) -> Proof; execute(env, blocks, workdir);
#              verify(proof, reexecute=False, env=None) raises VerificationError.
#              Optional, for backends whose proofs are signed records, not succinct
#              proofs (native): attested = True (verifiers then expand and re-derive
#              every aggregate, and ix prove authenticates every stored proof),
#              trust (an ixcore.keys.TrustSet, set by the CLI from ix.toml), and
#              signer_of(proof) -> hex public key (listed by ix verify).
#              Optional, for `ix inspect`: sniff_proof(path) -> bool and
#              describe_proof(path) -> dict for the prover's own proof files.
# agg_prover:  name; program_ids (leaf_id, agg_id); arity;
#              aggregate(children: list[Proof], workdir) -> Proof (mode 1, vks_id =
#              blake3(leaf_id || agg_id)); verify(proof); optional children_of(proof) ->
#              child proof ids (verified record; required when attested) and attested.
# store:       covered(keys=None, among=None) -> set[Address]; get(proof_id) -> Proof;
#              put(proof) -> id (atomic; refuses failures > 0); has(proof_id);
#              entries(keys=None) -> list[StoredEntry];
#              find_covering(needed, novel, keys=None) -> list[StoredEntry] (small cover);
#              verify() -> StoreCheck; gc(live_keys=None) -> GcReport. `keys` is a set
#              of ixcore.store.ProofKey(backend, program_id, kernel_version).
# executor:    map(fn, jobs) -> iterator of (job, result or exception) as they finish.
# ---------------------------------------------------------------------------------------
