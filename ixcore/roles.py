"""The roles a plugin can fill, as runtime-checkable protocols, and the host's value types.

One `typing.Protocol` per role is the single definition of what the pipeline calls on a
backend (docs/plugins.md is generated from the same member lists and a test keeps the
two in step). The values exchanged are concrete attrs classes documented where they
live: `ixcore.hypergraph.Hypergraph`, `ixcore.partition.PartitionResult`,
`ixcore.model.{WorkItem, Claim, Proof, Execution}`, `ixcore.profile.Profile`,
`ixcore.manifest.AggNode`, `ixcore.store.{ProofKey, StoredEntry}`.

Optional abilities are small capability protocols (`LazyEnv`, `ProofInspector`,
`TreeWalker`) checked with `isinstance` where they are used. The plugin host checks each
created backend against its role's protocol (`missing_members`) and names what is absent.
"""
from __future__ import annotations

import inspect
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Protocol, Sequence, TypeVar, runtime_checkable

import attrs

if TYPE_CHECKING:
    from .address import Address
    from .costmodel import CostModel
    from .hypergraph import Hypergraph
    from .model import Execution, Proof, WorkItem
    from .partition import PartitionResult
    from .profile import Profile
    from .store import GcReport, ProofKey, StoreCheck, StoredEntry

T_co = TypeVar("T_co", covariant=True)

# --------------------------------------------------------------------------- roles


@runtime_checkable
class Env(Protocol):
    """A loaded environment: its blocks as work items, addressed by content.

    A *block* is the unit of checking and sharding (an inductive family, a mutual group
    or one declaration); its address is the key in profiles, manifests and claims.
    """

    path: Path
    """The file the environment was loaded from (workers reload it from here)."""

    format: str
    """The name of the env format that loaded it (`ndjson`, `ixe`, ...)."""

    def work_items(self) -> list[WorkItem]:
        """Every block as a `WorkItem`, sorted by block address."""
        ...

    def env_root(self) -> Address:
        """Merkle root of all proven targets: what a complete proof certifies."""
        ...

    def name_of(self, addr: Address) -> str | None:
        """A human name for a block or target address (reports only), or None."""
        ...

    def block_size(self, block: Address) -> int:
        """The block's serialized size in bytes (the weight of its net)."""
        ...

    def block_refs(self, block: Address) -> set[Address]:
        """Addresses of the blocks this block references (its static dependencies)."""
        ...

    def write_sub_env(self, blocks: Sequence[Address], path: Path) -> Path:
        """Write the closure sub-environment of `blocks` (same format) and return its path."""
        ...

    def static_profile(self) -> Profile:
        """A profile without a kernel run: sizes stand in for work, edges from references."""
        ...


@runtime_checkable
class LazyEnv(Protocol):
    """Capability: an env that loads lazily; the pipeline calls `load_full` before forking
    leaf workers so they share one parse."""

    def load_full(self) -> None:
        """Load everything that is still lazy."""
        ...


@runtime_checkable
class EnvFormat(Protocol):
    """Reads one environment file format into an `Env`."""

    name: str
    """The registered name (`ndjson`, `ixe`)."""

    def sniff(self, path: Path) -> bool:
        """True when `path` looks like this format (reads a few bytes; never raises on a
        readable file)."""
        ...

    def load(self, path: Path, **options: Any) -> Env:
        """Load the file; malformed input raises `InputError` naming the file and offset."""
        ...


@runtime_checkable
class Profiler(Protocol):
    """Measures per-block work and delta edges."""

    name: str
    """The registered name (`kernel`, `static`)."""

    def profile(self, env: Env, blocks: Iterable[Address] | None = None, jobs: int = 1,
                progress: Callable[[int], None] | None = None) -> Profile:
        """A `Profile` of `blocks` (all blocks when None), using up to `jobs` processes;
        `progress(n)` is called as blocks finish."""
        ...


@runtime_checkable
class Partitioner(Protocol):
    """Cuts the block hypergraph into k shards plus the bisection tree that aggregates them."""

    name: str
    """The registered name (recorded in manifests)."""

    version: str
    """The algorithm's version (recorded in manifests, so a change is visible)."""

    deterministic: bool
    """True when the same (hypergraph, k, eps, seed) always gives the same result; the
    conformance kit checks it."""

    def partition(self, hypergraph: Hypergraph, k: int, eps: float, seed: int) -> PartitionResult:
        """Assign each of `hypergraph.n` vertices a shard in [0, k) and return the tree over
        exactly those shards; every shard's weight within (1+eps)·mean unless
        `meta["atomic_floor"]` lists the blocks that make it impossible. Must not mutate
        the hypergraph."""
        ...


@runtime_checkable
class LeafProver(Protocol):
    """Proves that the kernel accepts a shard's blocks, committing Ix's leaf claim."""

    name: str
    """The registered name; also the proof backend unless the prover has `backend`."""

    capabilities: frozenset[str]
    """What it can do: a subset of {"execute", "prove", "aggregate"}."""

    program_id: Address
    """The id (vk) of the leaf program; part of every stored proof's key."""

    kernel_version: str
    """The checker's version inside the program; part of every stored proof's key."""

    def cost_model(self) -> CostModel:
        """The cost model that predicts this prover's per-shard cost, RAM and time."""
        ...

    def prove(self, env: Env, blocks: list[Address], workdir: Path) -> Proof:
        """Prove the shard `blocks` of `env` (scratch files under `workdir`). A kernel
        rejection is returned as a proof with `claim.failures > 0`, never hidden."""
        ...

    def execute(self, env: Env, blocks: list[Address], workdir: Path) -> Execution:
        """Run the leaf program without proving: the claim it would commit and its steps."""
        ...

    def verify(self, proof: Proof, reexecute: bool = False, env: Env | None = None) -> None:
        """Raise `VerificationError` unless `proof` is a valid proof of this program;
        with `reexecute`, re-run it against `env`."""
        ...


@runtime_checkable
class ProofInspector(Protocol):
    """Capability of a leaf prover: `ix inspect` reads its own proof files."""

    def sniff_proof(self, path: Path) -> bool:
        """True when `path` is a proof file of this backend."""
        ...

    def describe_proof(self, path: Path) -> dict[str, Any]:
        """A JSON-able description of the proof file."""
        ...


@runtime_checkable
class ReadsFormats(Protocol):
    """Capability of a leaf prover or profiler that reads only some env formats; without
    it a backend takes any `Env`. The host refuses other formats with one line naming the
    backends that read them."""

    env_formats: frozenset[str]
    """The env format names it reads (`{"ndjson"}`)."""


@runtime_checkable
class Attested(Protocol):
    """Capability of a leaf prover whose proofs are signed execution records, not succinct
    proofs (native). Verifiers then expand every tree and re-derive every aggregate, and
    `ix prove` authenticates each stored proof (signature by a trusted key) before reuse."""

    attested: bool
    """True: proofs are records signed by the producing machine's key."""

    def signer_of(self, proof: Proof) -> str | None:
        """The hex Ed25519 public key that signed `proof` (None when unsigned)."""
        ...


@runtime_checkable
class AggProver(Protocol):
    """Folds child proofs into one proof with a leaf-compatible claim (Ix's mode 1)."""

    name: str
    """The registered name (usually the same as its leaf prover's)."""

    program_ids: tuple[Address, Address]
    """(leaf program id, aggregation program id); vks_id = blake3(leaf_id || agg_id)."""

    arity: int
    """The most children one `aggregate` call takes (at least 2)."""

    def aggregate(self, children: list[Proof], workdir: Path) -> Proof:
        """One proof over `children` that discharges the assumptions they prove."""
        ...

    def verify(self, proof: Proof) -> None:
        """Raise `VerificationError` unless `proof` is a valid aggregate of this program."""
        ...


@runtime_checkable
class TreeWalker(Protocol):
    """Capability of an aggregation prover: `ix verify --reexecute` walks the tree."""

    def children_of(self, proof: Proof) -> list[Address]:
        """The proof ids of an aggregate's children."""
        ...


@runtime_checkable
class Store(Protocol):
    """Keeps proofs by id, indexed by key and witness lists, for reuse across runs.

    `keys` arguments are sets of `ProofKey(backend, program_id, kernel_version)`; None
    means every key.
    """

    def put(self, proof: Proof) -> Address:
        """Store atomically (all or nothing, even on a crash) and return the proof id;
        idempotent; refuse a proof with `claim.failures > 0` with an `IxError`."""
        ...

    def get(self, proof_id: Address) -> Proof:
        """The stored proof; raise `InputError` when absent or corrupt."""
        ...

    def has(self, proof_id: Address) -> bool:
        """True when a proof with this id is stored."""
        ...

    def covered(self, keys: Iterable[ProofKey] | None = None, among: Iterable[Address] | None = None) -> set[Address]:
        """Every target address some stored proof (of these keys) certifies; with `among`,
        only those of `among` (an index lookup, whatever else the store holds)."""
        ...

    def entries(self, keys: Iterable[ProofKey] | None = None, among: Iterable[Address] | None = None) -> list[StoredEntry]:
        """The index rows (id, key, roots and witness lists) of the stored proofs, in id
        order; with `among`, only those certifying one of those targets."""
        ...

    def find_covering(self, needed: Iterable[Address], novel: Iterable[Address],
                      keys: Iterable[ProofKey] | None = None) -> list[StoredEntry]:
        """A small set of stored proofs certifying the `needed` targets not in `novel`
        (being proven now), closed under the assumptions nothing else discharges
        (greedy set cover; `ixcore.store.covering`)."""
        ...

    def verify(self) -> StoreCheck:
        """Re-read every proof and report each one that is corrupt or mis-indexed."""
        ...

    def gc(self, live_keys: Iterable[ProofKey] | None = None) -> GcReport:
        """Remove temporary files and proofs whose key is not live."""
        ...


@runtime_checkable
class Executor(Protocol):
    """Runs picklable jobs (leaf proofs, aggregations) somewhere."""

    name: str
    """The registered name (`local`, `dask`)."""

    def map(self, fn: Callable[[Any], Any], jobs: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        """Yield `(job, fn(job))` as jobs finish, in any order; a job that raised yields
        `(job, exception)` instead of stopping the others."""
        ...


class Register(Protocol[T_co]):
    """The `register` callable every role hook receives."""

    def __call__(self, name: str, factory: Callable[[dict[str, Any]], Any], *, summary: str = "",
                 requirements: Callable[[], list[Requirement]] | None = None) -> None:
        """Record backend `name`: `factory([plugins.<name>] table)` builds it on demand."""
        ...


#: role -> (hook name, protocol); ROLES and HOOK_OF_ROLE derive from it.
ROLE_SPECS: dict[str, tuple[str, type]] = {
    "env_format": ("ix_register_env_formats", EnvFormat),
    "profiler": ("ix_register_profilers", Profiler),
    "partitioner": ("ix_register_partitioners", Partitioner),
    "leaf_prover": ("ix_register_leaf_provers", LeafProver),
    "agg_prover": ("ix_register_agg_provers", AggProver),
    "store": ("ix_register_stores", Store),
    "executor": ("ix_register_executors", Executor),
}
ROLES = tuple(ROLE_SPECS)
HOOK_OF_ROLE = {role: hook for role, (hook, _proto) in ROLE_SPECS.items()}
PROTOCOL_OF_ROLE = {role: proto for role, (_hook, proto) in ROLE_SPECS.items()}

#: Value protocols and capabilities, documented in docs/plugins.md like the roles.
OTHER_PROTOCOLS: tuple[type, ...] = (Env, LazyEnv, ProofInspector, TreeWalker, ReadsFormats)


def protocol_members(proto: type) -> dict[str, str]:
    """{member: "method" | "attribute"} of a protocol, in definition order (like
    `typing.get_protocol_members` of Python 3.13, with the kind)."""
    out: dict[str, str] = {}
    for klass in reversed(proto.__mro__):
        if klass in (object, Protocol) or not getattr(klass, "_is_protocol", False):
            continue
        for name in getattr(klass, "__annotations__", {}):
            if not name.startswith("_"):
                out[name] = "attribute"
        for name, value in vars(klass).items():
            if not name.startswith("_") and callable(value):
                out[name] = "method"
    return out


def missing_members(obj: object, proto: type) -> list[str]:
    """Members of `proto` that `obj` lacks, or has but cannot call where a method is due."""
    missing = []
    for name, kind in protocol_members(proto).items():
        try:
            value = inspect.getattr_static(obj, name)
        except AttributeError:
            missing.append(name)
            continue
        if kind == "method" and not callable(getattr(obj, name, value)):
            missing.append(f"{name} (not callable)")
    return missing


# --------------------------------------------------------------------------- host values


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
    factory: Callable[[dict[str, Any]], Any]
    distribution: str
    version: str
    summary: str = ""
    requirements: Callable[[], list[Requirement]] | None = None
    entry_point: str = ""

    def check_requirements(self) -> list[Requirement]:
        return list(self.requirements()) if self.requirements else []
