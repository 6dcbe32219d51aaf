"""The public conformance kit: run a role's contract against a backend (docs/plugins.md).

Like scikit-learn's `check_estimator`, each `check_<role>(make, ...)` takes a factory
(so every property gets a fresh backend), runs the properties of the role's contract and
raises `ConformanceError` listing every property that failed, by name. It needs no
pytest; `expected_failed={"property": "why"}` documents a known, accepted deviation
(the property must then fail, or the check says the entry is stale).

    from ixcore.testing import check_partitioner
    def test_my_partitioner_conforms():
        check_partitioner(lambda: MyPartitioner())

The inputs ship here (`synthetic_hypergraph`, `TinyEnv`) because third-party
authors have no corpus: `TinyEnv` is a complete, pure-Python `Env` of a few blocks.
"""
from __future__ import annotations

import functools
import json
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from .address import Address
from .errors import IxError, VerificationError
from .hypergraph import Hypergraph
from .manifest import Internal, Leaf
from .merkle import merkle_root
from .model import Claim, Execution, Proof, WorkItem
from .profile import Profile
from .roles import AggProver, EnvFormat, Executor, LeafProver, Partitioner, Profiler, Store, missing_members
from .roles import Env as EnvProtocol

__all__ = [
    "ConformanceError",
    "TinyEnv",
    "check_agg_prover",
    "check_env_format",
    "check_executor",
    "check_leaf_prover",
    "check_partitioner",
    "check_profiler",
    "check_registration",
    "check_store",
    "synthetic_hypergraph",
    "tiny_env",
]


class ConformanceError(AssertionError):
    """One or more contract properties failed; `failures` maps property -> reason."""

    def __init__(self, backend: str, failures: dict[str, str]):
        self.failures = failures
        lines = "; ".join(f"{k}: {v}" for k, v in failures.items())
        super().__init__(f"{backend} breaks its contract: {lines}")


class _Run:
    """Collects property results; `expected_failed` entries must fail."""

    def __init__(self, backend: str, expected_failed: dict[str, str] | None):
        self.backend = backend
        self.expected = dict(expected_failed or {})
        self.failures: dict[str, str] = {}
        self.passed: list[str] = []

    def prop(self, name: str, fn: Callable[[], None]) -> None:
        try:
            fn()
        except Exception as exc:  # noqa: BLE001 - every failure is reported by name
            if name not in self.expected:
                self.failures[name] = f"{type(exc).__name__}: {exc}"
            else:
                self.expected.pop(name)
        else:
            if name in self.expected:
                self.failures[name] = f"listed in expected_failed ({self.expected.pop(name)}) but passes"
            else:
                self.passed.append(name)

    def done(self) -> list[str]:
        for name, why in self.expected.items():
            self.failures[name] = f"expected_failed names an unknown property ({why})"
        if self.failures:
            raise ConformanceError(self.backend, self.failures)
        return self.passed


def _members(obj: object, proto: type) -> None:
    missing = missing_members(obj, proto)
    assert not missing, f"lacks {', '.join(missing)}"


def _label(obj: object) -> str:
    return f"{type(obj).__name__} {getattr(obj, 'name', '')!r}".strip()


# --------------------------------------------------------------------------- registration


def check_registration(host: Any, role: str, name: str, *, expected_failed: dict[str, str] | None = None) -> list[str]:
    """How backend `name` of `role` is registered on `host` (a `PluginHost` with the
    plugin): a one-line summary for `ix plugins`; built from an empty options table it
    satisfies the role's protocol; an unknown `[plugins.<name>]` key is a `ConfigError`
    (so a user's typo in ix.toml is never silently ignored)."""
    from .errors import ConfigError
    from .roles import PROTOCOL_OF_ROLE

    run = _Run(f"{role.replace('_', ' ')} {name!r}", expected_failed)
    reg = host.registry(role).get(name)
    run.prop("summary", lambda: _assert(bool(reg.summary) and "\n" not in reg.summary, "no one-line summary"))
    run.prop("protocol", lambda: _members(host.create(role, name, {}, check=False), PROTOCOL_OF_ROLE[role]))

    def rejects_unknown() -> None:
        try:
            host.create(role, name, {"ix_kit_no_such_option": 1}, check=False)
        except ConfigError:
            return
        raise AssertionError("an unknown option was accepted silently (validate with ixcore.config.check_table)")

    run.prop("rejects_unknown_option", rejects_unknown)
    return run.done()


# --------------------------------------------------------------------------- partitioner


def synthetic_hypergraph(n: int, *, seed: int = 3, heavy: float = 0.0, weights: np.ndarray | None = None) -> Hypergraph:
    """Local chains plus a few hubs with shuffled ids (blake3 order has no locality);
    vertex weights `weights`, else drawn in [1, 10], and with `heavy` > 0 one vertex
    weighs `heavy` times the rest together (an atomic floor no partition can balance)."""
    rng = np.random.default_rng(seed)
    if weights is None:
        weights = rng.integers(1, 11, n).astype(np.float64)
    if heavy and n:
        weights[0] = heavy * weights[1:].sum()
    if n < 2:
        return Hypergraph.from_edges(weights, np.zeros(0, np.int64), np.zeros(0, np.int64), np.ones(n, np.int64))
    consumers = np.arange(1, n)
    producers = np.maximum(0, consumers - 1 - rng.geometric(0.3, n - 1))
    hubs = rng.integers(0, max(1, n // 50), n // 3)
    consumers = np.concatenate([consumers, rng.integers(0, n, n // 3)])
    producers = np.concatenate([producers, hubs])
    perm = rng.permutation(n)
    keep = perm[consumers] != perm[producers]
    sizes = rng.integers(40, 2000, n)
    return Hypergraph.from_edges(weights, perm[consumers][keep], perm[producers][keep], sizes)


def _tree_shape(node: Any) -> Any:
    return node.shard if isinstance(node, Leaf) else (_tree_shape(node.left), _tree_shape(node.right))


def _is_bisection_tree(node: Any) -> bool:
    if isinstance(node, Leaf):
        return True
    return isinstance(node, Internal) and _is_bisection_tree(node.left) and _is_bisection_tree(node.right)


def check_partitioner(make: Callable[[], Any], *, eps: float = 0.1, seed: int = 7,
                      expected_failed: dict[str, str] | None = None) -> list[str]:
    """Run the partitioner contract; returns the passed property names.

    Properties: members; valid assignment and a bisection tree over exactly the shards
    0..k-1 (k = 1, 2, 8, k = n, k > n, n = 0, n = 1); eps met on the result's own
    weights or `meta["atomic_floor"]` non-empty; deterministic when it says so; the
    hypergraph is not mutated.
    """
    probe = make()
    run = _Run(_label(probe), expected_failed)
    run.prop("members", lambda: _members(probe, Partitioner))
    hg = synthetic_hypergraph(300, seed=seed)

    def valid(n: int, k: int) -> None:
        g = synthetic_hypergraph(n, seed=seed)
        result = make().partition(g, k, eps, seed)
        result.check(n)
        assert 1 <= result.k <= max(1, k), f"k={k}, n={n}: result has k={result.k}"
        if n >= k:
            assert result.k == k, f"k={k}, n={n}: asked for {k} shards, got {result.k}"
        assert _is_bisection_tree(result.tree), "tree is not made of Leaf/Internal nodes"
        assert sorted(result.tree.leaves()) == list(range(result.k)), "tree leaves are not exactly 0..k-1"

    for n, k in ((300, 1), (300, 2), (300, 8), (12, 12), (5, 9), (0, 4), (1, 3)):
        run.prop(f"valid_n{n}_k{k}", functools.partial(valid, n, k))

    def balance(g: Hypergraph, k: int) -> None:
        result = make().partition(g, k, eps, seed)
        imbalance = g.imbalance(result.parts, result.k)
        if imbalance > 1 + eps + 1e-9:
            assert result.meta.get("atomic_floor"), (
                f"imbalance {imbalance:.3f} > 1+eps {1 + eps:.3f} and meta['atomic_floor'] names no block")

    run.prop("balance", lambda: balance(hg, 8))
    run.prop("balance_atomic_floor", lambda: balance(synthetic_hypergraph(300, seed=seed, heavy=0.5), 8))

    def deterministic() -> None:
        p = make()
        if not getattr(p, "deterministic", False):
            return
        a, b = p.partition(hg, 8, eps, seed), make().partition(hg, 8, eps, seed)
        assert np.array_equal(a.parts, b.parts), "deterministic = True but two runs gave different parts"
        assert _tree_shape(a.tree) == _tree_shape(b.tree), "deterministic = True but two runs gave different trees"

    run.prop("deterministic", deterministic)

    def not_mutated() -> None:
        g = synthetic_hypergraph(300, seed=seed)
        before = [a.copy() for a in (g.vertex_weights, g.ptr, g.pins, g.net_weights)]
        make().partition(g, 8, eps, seed)
        after = (g.vertex_weights, g.ptr, g.pins, g.net_weights)
        assert all(np.array_equal(x, y) for x, y in zip(before, after)), "partition() changed its hypergraph"

    run.prop("input_not_mutated", not_mutated)
    return run.done()


# --------------------------------------------------------------------------- a tiny env


class TinyEnv:
    """A complete pure-Python `Env`: blocks with names, sizes and references, stored as
    one JSON file. Block addresses are blake3 of the block's canonical JSON, so a
    sub-environment is content-addressed like a real one."""

    format = "tiny-json"

    def __init__(self, blocks: dict[str, dict[str, Any]], path: Path | None = None):
        # blocks: name -> {"size": int, "refs": [names], "ok": bool}
        self.blocks = blocks
        self.path = Path(path) if path is not None else Path("<tiny>")
        self._addr = {name: Address.hash(json.dumps([name, b], sort_keys=True).encode()) for name, b in blocks.items()}
        self._name = {a: n for n, a in self._addr.items()}

    def address(self, name: str) -> Address:
        return self._addr[name]

    def work_items(self) -> list[WorkItem]:
        items = [WorkItem(a, a, (a,), (a,), names=(n,)) for n, a in self._addr.items()]  # type: ignore[arg-type]  # attrs converter=tuple
        return sorted(items, key=lambda w: w.block)

    def env_root(self) -> Address:
        return merkle_root(self._addr.values())

    def name_of(self, addr: Address) -> str | None:
        return self._name.get(Address(addr))

    def block_size(self, block: Address) -> int:
        return int(self.blocks[self._name[Address(block)]]["size"])

    def block_refs(self, block: Address) -> set[Address]:
        """Referenced blocks; a name that is not a block (a dangling reference, for tests
        of provers) gets the address its block would have."""
        refs = self.blocks[self._name[Address(block)]]["refs"]
        return {self._addr.get(r) or Address.hash(json.dumps([r, None]).encode()) for r in refs}

    def closure(self, blocks: Iterable[bytes]) -> list[str]:
        todo, seen = [self._name[Address(b)] for b in blocks], set()
        while todo:
            name = todo.pop()
            if name not in seen and name in self.blocks:
                seen.add(name)
                todo.extend(self.blocks[name]["refs"])
        return sorted(seen)

    def write_sub_env(self, blocks: Sequence[Address], path: Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({n: self.blocks[n] for n in self.closure(blocks)}, sort_keys=True))
        return path

    def static_profile(self) -> Profile:
        rows = {a: {"heartbeats": self.block_size(a), "size": self.block_size(a), "const_count": 1, "subst": self.block_size(a)}
                for a in self._name}
        edges = {a: sorted(self.block_refs(a)) for a in self._name}
        return Profile.build(rows, edges)

    def dump(self, path: Path) -> Path:
        Path(path).write_text(json.dumps({"blocks": self.blocks}, sort_keys=True))
        return Path(path)

    @classmethod
    def load(cls, path: Path) -> TinyEnv:
        return cls(json.loads(Path(path).read_text())["blocks"], path)


def tiny_env(n: int = 12, *, seed: int = 1) -> TinyEnv:
    """A TinyEnv of n blocks; block i references up to two earlier blocks."""
    rng = np.random.default_rng(seed)
    blocks: dict[str, dict[str, Any]] = {}
    for i in range(n):
        refs = sorted({f"b{int(j)}" for j in rng.integers(0, i, min(i, 2))}) if i else []
        blocks[f"b{i}"] = {"size": int(rng.integers(50, 500)), "refs": refs, "ok": True}
    return TinyEnv(blocks)


def _check_env(env: Any) -> None:
    _members(env, EnvProtocol)
    items = env.work_items()
    blocks = [w.block for w in items]
    assert blocks == sorted(blocks) and len(set(blocks)) == len(blocks), "work_items() not sorted by unique block"
    assert env.env_root() == merkle_root(t for w in items for t in w.proven_targets), "env_root() is not the merkle root of the proven targets"
    known = set(blocks)
    for w in items[:50]:
        assert env.block_refs(w.block) <= known, f"block_refs({w.block.short()}) names blocks outside the env"
        assert env.block_size(w.block) >= 0


# --------------------------------------------------------------------------- env format / profiler


def check_env_format(make: Callable[[], Any], sample: Path, *, other: Path | None = None,
                     expected_failed: dict[str, str] | None = None) -> list[str]:
    """Properties: members; sniffs `sample` and not `other` (default: a text file); loads
    `sample` into an `Env` with sorted work items and a consistent env root; a truncated
    copy of `sample` fails with an `IxError` (one line), never another exception."""
    fmt = make()
    run = _Run(_label(fmt), expected_failed)
    run.prop("members", lambda: _members(fmt, EnvFormat))
    with tempfile.TemporaryDirectory(prefix="ix-kit-") as tmp:
        foreign = other or Path(tmp) / "foreign.txt"
        if other is None:
            foreign.write_text("not an environment\n")

        def sniffs() -> None:
            assert make().sniff(Path(sample)) is True, f"sniff({sample}) is not True"
            assert make().sniff(Path(foreign)) is False, f"sniff({foreign}) is not False"

        run.prop("sniff", sniffs)
        run.prop("load", lambda: _check_env(make().load(Path(sample))))

        def truncated() -> None:
            data = Path(sample).read_bytes()
            cut = Path(tmp) / ("cut" + Path(sample).suffix)
            cut.write_bytes(data[: max(1, len(data) * 2 // 3)])
            try:
                env = make().load(cut)
                env.work_items()
            except IxError as exc:
                assert "\n" not in str(exc), "error message spans lines"
            else:
                raise AssertionError("a truncated file loaded without an error")

        run.prop("truncated_is_input_error", truncated)
    return run.done()


def check_profiler(make: Callable[[], Any], env: Any | None = None, *,
                   expected_failed: dict[str, str] | None = None) -> list[str]:
    """Properties: members; a profile with one row per work item (addresses = blocks);
    `blocks=` restricts it."""
    env = env if env is not None else tiny_env()
    prof = make()
    run = _Run(_label(prof), expected_failed)
    run.prop("members", lambda: _members(prof, Profiler))
    blocks = [w.block for w in env.work_items()]

    def full() -> None:
        p = make().profile(env)
        assert set(p.addrs) == set(blocks), "profile rows are not the env's blocks"

    def subset() -> None:
        p = make().profile(env, blocks=blocks[:3])
        assert set(blocks[:3]) <= set(p.addrs), "profile(blocks=...) misses requested blocks"

    run.prop("profile_all_blocks", full)
    run.prop("profile_subset", subset)
    return run.done()


# --------------------------------------------------------------------------- provers


def _expected_leaf(env: Any, blocks: Sequence[Address]) -> tuple[list[Address], list[Address]]:
    """Ix's leaf claim rules: subjects = proven targets of the shard's items; assumptions
    = referenced blocks the shard does not certify."""
    items = {w.block: w for w in env.work_items()}
    subjects = sorted({t for b in blocks for t in items[b].proven_targets})
    refs = {Address(r) for b in blocks for r in env.block_refs(b)}
    return subjects, sorted(refs - set(subjects))


def _flip(proof: Proof) -> Proof:
    import attrs

    body = bytearray(proof.body or b"\0")
    body[len(body) // 2] ^= 0x01
    return attrs.evolve(proof, body=bytes(body))


def _forge(proof: Proof) -> Proof:
    import attrs

    claim = attrs.evolve(proof.claim, subject_root=Address.hash(b"forged"))
    return attrs.evolve(proof, claim=claim)


def _raises_verification(fn: Callable[[], Any], what: str) -> None:
    try:
        fn()
    except VerificationError:
        return
    raise AssertionError(f"{what} verified (VerificationError expected)")


def check_leaf_prover(make: Callable[[], Any], env: Any | None = None, *,
                      expected_failed: dict[str, str] | None = None) -> list[str]:
    """Properties on a small env (default `tiny_env()`): members and honest
    capabilities; a shard's proof commits Ix's claim rules (subjects, assumptions,
    failures 0, checked, mode 0, witness roots); `verify` accepts it and rejects a
    flipped body byte and a forged root with `VerificationError`; `execute` commits the
    same claim; proving twice gives the same claim."""
    env = env if env is not None else tiny_env()
    prover = make()
    run = _Run(_label(prover), expected_failed)
    run.prop("members", lambda: _members(prover, LeafProver))
    caps = set(getattr(prover, "capabilities", ()))
    run.prop("capabilities_known", lambda: _assert(caps <= {"execute", "prove", "aggregate"} and "prove" in caps,
                                                   f"capabilities {sorted(caps)}"))
    blocks = [w.block for w in env.work_items()]
    shard = blocks[len(blocks) // 2:]
    with tempfile.TemporaryDirectory(prefix="ix-kit-") as tmp:
        holder: dict[str, Proof] = {}

        def proves() -> None:
            proof = make().prove(env, list(shard), Path(tmp) / "a")
            holder["proof"] = proof
            subjects, assumptions = _expected_leaf(env, shard)
            c = proof.claim
            assert proof.kind == "leaf", f"kind {proof.kind!r}"
            assert proof.program_id == prover.program_id and proof.kernel_version == prover.kernel_version, "program id / kernel version differ from the prover's"
            assert list(proof.subjects) == subjects, "subjects are not the shard's proven targets"
            assert list(proof.assumptions) == assumptions, "assumptions are not the referenced blocks the shard does not certify"
            assert c.subject_root == merkle_root(subjects) and c.assumptions_root == merkle_root(assumptions), "roots do not match the witness lists"
            assert (c.failures, c.checked, c.mode) == (0, len(shard), 0), f"failures/checked/mode = {c.failures}/{c.checked}/{c.mode}"

        run.prop("claim_rules", proves)

        def verifies() -> None:
            proof = holder.get("proof") or make().prove(env, list(shard), Path(tmp) / "b")
            make().verify(proof)
            _raises_verification(lambda: make().verify(_flip(proof)), "a proof with a flipped body byte")
            _raises_verification(lambda: make().verify(_forge(proof)), "a proof with a forged subject root")

        run.prop("verify_rejects_tampering", verifies)

        def executes() -> None:
            if "execute" not in caps:
                return
            ex = make().execute(env, list(shard), Path(tmp) / "c")
            assert isinstance(ex, Execution), "execute() did not return an Execution"
            proof = holder.get("proof") or make().prove(env, list(shard), Path(tmp) / "d")
            assert ex.claim == proof.claim, "execute() commits another claim than prove()"

        run.prop("execute_matches_prove", executes)

        def stable() -> None:
            a = make().prove(env, list(shard), Path(tmp) / "e").claim
            b = make().prove(env, list(reversed(shard)), Path(tmp) / "f").claim
            assert a == b, "the same shard proved twice (any block order) commits different claims"

        run.prop("claim_is_deterministic", stable)
    return run.done()


def _assert(ok: bool, what: str) -> None:
    assert ok, what


def check_agg_prover(make: Callable[[], Any], make_leaf: Callable[[], Any], env: Any | None = None, *,
                     expected_failed: dict[str, str] | None = None) -> list[str]:
    """Properties: members and arity >= 2; aggregating two leaf proofs commits mode 1,
    vks_id = blake3(leaf_id || agg_id), the union of subjects and the assumptions the
    children do not discharge; `verify` accepts it and rejects tampering."""
    env = env if env is not None else tiny_env()
    agg = make()
    run = _Run(_label(agg), expected_failed)
    run.prop("members", lambda: _members(agg, AggProver))
    run.prop("arity", lambda: _assert(int(agg.arity) >= 2, f"arity {agg.arity}"))
    blocks = [w.block for w in env.work_items()]
    halves = [blocks[: len(blocks) // 2], blocks[len(blocks) // 2:]]
    with tempfile.TemporaryDirectory(prefix="ix-kit-") as tmp:
        holder: dict[str, Proof] = {}

        def folds() -> None:
            leaf = make_leaf()
            children = [leaf.prove(env, list(h), Path(tmp) / f"leaf{i}") for i, h in enumerate(halves)]
            a = make()
            proof = a.aggregate(children, Path(tmp) / "agg")
            holder["proof"] = proof
            subjects = sorted({s for c in children for s in c.subjects})
            assumptions = sorted({x for c in children for x in c.assumptions} - set(subjects))
            c = proof.claim
            leaf_id, agg_id = a.program_ids
            assert proof.kind == "agg" and c.mode == 1, f"kind/mode = {proof.kind}/{c.mode}"
            assert c.vks_id == Address.hash(bytes(leaf_id) + bytes(agg_id)), "vks_id is not blake3(leaf_id || agg_id)"
            assert list(proof.subjects) == subjects and c.subject_root == merkle_root(subjects), "subjects are not the union of the children's"
            assert list(proof.assumptions) == assumptions and c.assumptions_root == merkle_root(assumptions), "assumptions are not the undischarged ones"
            assert c.failures == 0, "failures in an aggregate of good children"

        run.prop("claim_rules", folds)

        def verifies() -> None:
            proof = holder["proof"]
            make().verify(proof)
            _raises_verification(lambda: make().verify(_flip(proof)), "an aggregate with a flipped body byte")
            _raises_verification(lambda: make().verify(_forge(proof)), "an aggregate with a forged subject root")

        run.prop("verify_rejects_tampering", verifies)
    return run.done()


# --------------------------------------------------------------------------- store


def sample_proof(i: int = 0, *, failures: int = 0) -> Proof:
    """A small well-formed leaf proof (a store does not judge proofs, only keeps them)."""
    subjects = sorted(Address.hash(f"subject {i} {j}".encode()) for j in range(3))
    assumptions = sorted(Address.hash(f"assumption {i} {j}".encode()) for j in range(2))
    claim = Claim(Address.hash(b"env"), failures, merkle_root(subjects), merkle_root(assumptions), 3)
    return Proof("kit", "leaf", Address.hash(b"kit program"), claim, subjects, assumptions, b"body %d" % i, "kit-1")


def check_store(make: Callable[[Path], Any], *, corrupt: Callable[[Any, Address], None] | None = None,
                expected_failed: dict[str, str] | None = None) -> list[str]:
    """`make(directory)` opens a store there (twice on one directory = the same store).

    Properties: members; put/get round trip equal and `has`; put is idempotent; a proof
    with failures > 0 is refused with an IxError; covered/entries/find_covering see it
    (find_covering closes over assumptions); a reopened store keeps it; `corrupt(store,
    id)` (given by the author, bypassing the store) makes `verify()` report a problem;
    gc keeps proofs of live keys."""
    with tempfile.TemporaryDirectory(prefix="ix-kit-") as tmp:
        root = Path(tmp) / "store"
        store = make(root)
        run = _Run(_label(store), expected_failed)
        run.prop("members", lambda: _members(store, Store))
        a, b = sample_proof(1), sample_proof(2)

        def round_trip() -> None:
            pid = store.put(a)
            assert store.has(pid) and store.get(pid) == a, "get(put(p)) != p"
            assert store.put(a) == pid, "put is not idempotent"

        run.prop("round_trip", round_trip)

        def refuses_failures() -> None:
            try:
                store.put(sample_proof(3, failures=1))
            except IxError:
                return
            raise AssertionError("a proof with failures > 0 was stored")

        run.prop("refuses_failures", refuses_failures)

        def indexes() -> None:
            import attrs

            pid = store.put(b)
            assert set(b.subjects) <= store.covered(), "covered() misses a stored proof's subjects"
            assert pid in {e.id for e in store.entries()}, "entries() misses a stored proof"
            assert pid in {e.id for e in store.entries(among=b.subjects[:1])}, "entries(among=) misses a proof of a target"
            assert pid not in {e.id for e in store.entries(among=b.assumptions)}, \
                "entries(among=) returns a proof that certifies none of the targets"
            # a proof certifying b's assumptions must join b's cover (the fixpoint)
            subjects = list(b.assumptions)
            claim = attrs.evolve(b.claim, subject_root=merkle_root(subjects), assumptions_root=merkle_root([]))
            dep = attrs.evolve(b, claim=claim, subjects=subjects, assumptions=(), body=b"dependency")
            dep_id = store.put(dep)
            found = {e.id for e in store.find_covering(list(b.subjects), [])}
            assert pid in found, "find_covering() misses the proof covering the targets"
            assert dep_id in found, "find_covering() is not closed over assumptions"
            assert pid not in {e.id for e in store.find_covering(list(b.subjects), list(b.subjects))}, \
                "find_covering() returns proofs of targets that are proven now (novel)"

        run.prop("index", indexes)
        run.prop("reopen", lambda: _assert(make(root).get(store.put(a)) == a, "a reopened store lost a proof"))

        def detects_corruption() -> None:
            if corrupt is None:
                raise AssertionError("no corrupt(store, id) helper given; pass one (or list 'verify_finds_corruption' in expected_failed)")
            pid = store.put(sample_proof(4))
            assert store.verify().ok, "verify() reports problems on a healthy store"
            corrupt(store, pid)
            assert not make(root).verify().ok, "verify() did not notice a corrupted proof"

        run.prop("verify_finds_corruption", detects_corruption)

        def gc_keeps_live() -> None:
            from .store import ProofKey

            s = make(Path(tmp) / "gc")
            pid = s.put(a)
            s.gc({ProofKey.of(a)})
            assert s.has(pid), "gc removed a proof of a live key"

        run.prop("gc_keeps_live", gc_keeps_live)
    return run.done()


def fs_store_corrupt(store: Any, pid: Address) -> None:
    """`corrupt` for ixcore's `fs` store: flip one byte of the proof file."""
    path = store._path(Address(pid))
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


# --------------------------------------------------------------------------- executor


def _square(x: int) -> int:
    return x * x


def _fail_on_three(x: int) -> int:
    if x == 3:
        raise ValueError("job 3 fails on purpose")
    return x * x


def check_executor(make: Callable[[], Any], *, expected_failed: dict[str, str] | None = None) -> list[str]:
    """Properties: members; every job comes back exactly once with fn(job) (functions
    and jobs are picklable, from this module); a raising job yields (job, exception) and
    the other jobs still complete; no jobs, no results."""
    ex = make()
    run = _Run(_label(ex), expected_failed)
    run.prop("members", lambda: _members(ex, Executor))

    def all_once() -> None:
        out = list(make().map(_square, range(8)))
        assert sorted(j for j, _ in out) == list(range(8)), "jobs missing or repeated"
        assert all(r == j * j for j, r in out), "a result is not fn(job)"

    def isolates() -> None:
        out = dict(make().map(_fail_on_three, range(6)))
        assert isinstance(out.get(3), Exception), "a failing job did not yield its exception"
        assert all(out[j] == j * j for j in range(6) if j != 3), "a failing job stopped the others"

    run.prop("every_job_once", all_once)
    run.prop("failure_isolated", isolates)
    run.prop("empty", lambda: _assert(list(make().map(_square, [])) == [], "results for no jobs"))
    return run.done()

