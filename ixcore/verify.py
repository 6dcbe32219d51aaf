"""The external verifier's checks on a root claim (ix-pipeline.md §12.7).

A root is accepted only if: the backend's own proof check passes; the program pin is the
trusted one (root id = agg program id and vks_id = blake3(leaf_id ‖ agg_id), mode 1 — or,
for a prover that cannot aggregate, every leaf carries the leaf id); failures = 0; the
witness lists hash to the committed roots; the subject covers the expected env (equal to
its root when nothing else was folded in); and no assumption is outstanding when an
unconditional claim is required. Every check is reported, not only the first failure.

For backends whose proofs are signed records rather than succinct proofs (the prover
says `attested = True`: native), an aggregate's own record proves nothing about its
children, so `expand_tree` re-derives the whole tree from the root: every descendant
must be available, every leaf must pass its backend check (record + signature), and
every aggregate's committed subject and assumption roots must equal the ones recomputed
from its children (subject = ∪ children's subjects, assumptions = ∪ children's
assumptions minus the subject). For succinct backends (zisk) the zkVM verifier of the root
stands for its children, as in Ix.
"""
from __future__ import annotations

from typing import Callable, Iterable, Sequence

import attrs

from .address import Address
from .errors import IxError, VerificationError
from .fold import check_witnesses
from .merkle import merkle_root
from .model import Proof
from .proofio import proof_id


def vks_id(leaf_id: bytes, agg_id: bytes) -> Address:
    """The pin an aggregate commits: blake3(leaf program id ‖ agg program id)."""
    return Address.hash(bytes(leaf_id) + bytes(agg_id))


@attrs.frozen
class Check:
    name: str
    ok: bool
    detail: str = ""


@attrs.frozen
class VerifyReport:
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    def to_json(self) -> dict:
        return {"ok": self.ok, "checks": [attrs.asdict(c) for c in self.checks]}

    def raise_for_failure(self) -> None:
        bad = self.failures()
        if bad:
            raise VerificationError("; ".join(f"{c.name}: {c.detail}" for c in bad))


def verify_root(
    proof: Proof,
    *,
    leaf_id: bytes,
    agg_id: bytes,
    backend_check: Callable[[Proof], None] | None = None,
    env_root: bytes | None = None,
    env_targets: Iterable[bytes] | None = None,
    require_unconditional: bool = True,
) -> VerifyReport:
    """Checks on an aggregated root proof."""
    checks = [_backend(proof, backend_check)]
    checks.append(Check("program id", proof.program_id == agg_id, f"root program {proof.program_id.short()} (trusted agg {Address(agg_id).short()})"))
    pin = vks_id(leaf_id, agg_id)
    checks.append(Check("vks_id", proof.claim.vks_id == pin, f"root commits {proof.claim.vks_id.short()}, trusted pin {pin.short()}"))
    checks.append(Check("mode", proof.claim.mode == 1, f"mode {proof.claim.mode} (an aggregate that discharged assumptions is mode 1)"))
    checks += _claim_checks([proof], env_root, env_targets, require_unconditional, proof.subjects, proof.assumptions)
    return VerifyReport(tuple(checks))


def verify_leaf_set(
    leaves: Sequence[Proof],
    *,
    leaf_id: bytes,
    backend_check: Callable[[Proof], None] | None = None,
    env_root: bytes | None = None,
    env_targets: Iterable[bytes] | None = None,
    require_unconditional: bool = True,
) -> VerifyReport:
    """Checks on the leaf-proof set of a backend without aggregation (host discharge)."""
    checks = [_backend(p, backend_check) for p in leaves]
    wrong = [p for p in leaves if p.program_id != leaf_id or p.kind != "leaf"]
    checks.append(Check("program id", not wrong and bool(leaves), f"{len(wrong)} of {len(leaves)} proofs are not leaves of program {Address(leaf_id).short()}"))
    subjects = {a for p in leaves for a in p.subjects}
    assumed = {a for p in leaves for a in p.assumptions} - subjects
    checks += _claim_checks(leaves, env_root, env_targets, require_unconditional, subjects, assumed)
    return VerifyReport(tuple(checks))


def _backend(proof: Proof, backend_check) -> Check:
    if backend_check is None:
        return Check("proof", True, "no backend check requested")
    try:
        backend_check(proof)
    except IxError as exc:
        return Check("proof", False, str(exc))
    return Check("proof", True, f"{proof.backend} {proof.kind} proof verifies")


def _claim_checks(proofs, env_root, env_targets, require_unconditional, subjects, assumptions) -> list[Check]:
    failures = sum(p.claim.failures for p in proofs)
    forged = [p for p in proofs if merkle_root(p.subjects) != p.claim.subject_root or merkle_root(p.assumptions) != p.claim.assumptions_root]
    checks = [
        Check("failures", failures == 0, f"{failures} kernel failure(s)"),
        Check("witness", not forged, "witness lists hash to the committed roots" if not forged else f"{len(forged)} proof(s) with a forged witness list"),
    ]
    if env_root is not None:
        root = merkle_root(subjects)
        if root == env_root:
            checks.append(Check("subject", True, f"subject = env root {Address(env_root).short()}"))
        elif env_targets is not None:
            missing = set(env_targets) - set(subjects)
            extra = len(set(subjects) - set(env_targets))
            checks.append(Check(
                "subject", not missing,
                f"subject covers every env target plus {extra} from reused proofs" if not missing
                else f"{len(missing)} env target(s) not certified, e.g. {Address(min(missing))}",
            ))
        else:
            checks.append(Check("subject", False, f"subject {root.short()} != env root {Address(env_root).short()}"))
    if require_unconditional:
        n = len(assumptions)
        checks.append(Check("assumptions", n == 0, "none outstanding (unconditional)" if n == 0 else f"{n} outstanding assumption(s)"))
    return checks


@attrs.frozen
class Tree:
    """An expanded proof tree: every node by id, the leaves in post-order, and every
    reason the tree was rejected (empty when every node re-derived)."""

    root: Address
    nodes: dict
    leaves: tuple[Address, ...]
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def check(self) -> Check:
        if self.ok:
            aggs = len(self.nodes) - len(self.leaves)
            return Check("tree", True, f"{len(self.leaves)} leaves and {aggs} aggregate(s) re-derived from the root")
        more = f" (and {len(self.problems) - 3} more)" if len(self.problems) > 3 else ""
        return Check("tree", False, "; ".join(self.problems[:3]) + more)


def fetch_from(store) -> Callable[[Address], Proof | None]:
    """`expand_tree`'s `fetch` over a store: the stored proof, or None when it is absent."""
    return lambda pid: store.get(pid) if store.has(pid) else None


def expand_tree(root: Proof, fetch: Callable[[Address], Proof | None], leaf, agg) -> Tree:
    """Re-derive `root` from its leaves (module docstring). `fetch(id)` returns the proof
    with that id or None; `leaf.verify` / `agg.children_of` are the backend's record
    checks. A proof shared by two subtrees (a stored aggregate folded beside one of its
    own leaves) is read, checked and derived once, so the work is linear in the distinct
    proofs; ids are hashes of records that contain the child ids, so there is no cycle."""
    rid = proof_id(root)
    pin = Address(agg.vks_id) if hasattr(agg, "vks_id") else vks_id(leaf.program_id, agg.program_ids[1])
    leaf_id, agg_id = Address(leaf.program_id), Address(agg.program_ids[1])
    nodes: dict[Address, Proof] = {rid: root}
    kids: dict[Address, list[Address]] = {}
    derived: dict[Address, tuple[frozenset, frozenset]] = {}
    failed: set[Address] = set()
    leaves: list[Address] = []
    problems: list[str] = []
    stack: list[Address] = [rid]
    while stack:
        pid = stack.pop()
        if pid in derived or pid in failed:
            continue
        proof = nodes[pid]
        what = f"{proof.kind} {pid}"
        if proof.kind == "leaf":
            try:
                leaf.verify(proof)
                check_witnesses(proof)
            except IxError as exc:
                problems.append(f"{what}: {exc}")
                failed.add(pid)
                continue
            derived[pid] = (frozenset(proof.subjects), frozenset(proof.assumptions))
            leaves.append(pid)
            continue
        if pid not in kids:  # first visit: check the record, fetch the children
            try:
                if proof.kind != "agg":
                    raise VerificationError(f"unknown proof kind {proof.kind!r}")
                ids = [Address(c) for c in agg.children_of(proof)]
                check_witnesses(proof)
            except IxError as exc:
                problems.append(f"{what}: {exc}")
                failed.add(pid)
                continue
            bad = _fetch_children(pid, ids, nodes, fetch, proof.backend, leaf_id, agg_id, pin)
            problems += bad
            if bad:
                failed.add(pid)
                # the good children are still checked, so one run names every problem below
                stack.extend(c for c in reversed(ids) if c in nodes)
                continue
            kids[pid] = ids
        pending = [c for c in kids[pid] if c not in derived and c not in failed]
        if pending:
            stack.append(pid)  # derive once the children are done
            stack.extend(reversed(pending))
            continue
        if any(c in failed for c in kids[pid]):
            failed.add(pid)  # a child was rejected (reported above); nothing to derive
            continue
        subjects = frozenset().union(*(derived[c][0] for c in kids[pid]))
        assumed = frozenset().union(*(derived[c][1] for c in kids[pid])) - subjects
        s_root, a_root = merkle_root(sorted(subjects)), merkle_root(sorted(assumed))
        if s_root != proof.claim.subject_root:
            problems.append(f"{what}: commits subject root {proof.claim.subject_root}, its children give {s_root}")
        elif a_root != proof.claim.assumptions_root:
            problems.append(f"{what}: commits assumptions root {proof.claim.assumptions_root}, its children give {a_root}")
        else:
            derived[pid] = (subjects, assumed)
            continue
        failed.add(pid)
    if rid not in derived and not problems:
        problems.append(f"root {rid}: not derived")  # unreachable by construction; never pass silently
    return Tree(rid, nodes, tuple(leaves), tuple(problems))


def _fetch_children(pid, ids, nodes, fetch, backend, leaf_id, agg_id, pin) -> list[str]:
    """Fetch the children of aggregate `pid` into `nodes` (a child already there is
    shared, not fetched again); what is wrong with them."""
    what = f"agg {pid}"
    if not ids:
        return [f"{what}: has no children"]
    if len(set(ids)) != len(ids):
        dup = next(c for c in ids if ids.count(c) > 1)
        return [f"{what}: names child {dup} twice"]
    out: list[str] = []
    for cid in ids:
        if cid in nodes:
            continue
        try:
            child = fetch(cid)
        except IxError as exc:
            out.append(f"{what}: child {cid} is unreadable ({exc})")
            continue
        if child is None:
            out.append(f"{what}: child {cid} is missing (not in the run directory or the store)")
            continue
        if proof_id(child) != cid:
            out.append(f"{what}: the proof found for child {cid} hashes to {proof_id(child)}")
            continue
        if child.backend != backend or child.program_id not in (leaf_id, agg_id):
            out.append(f"{what}: child {cid} is a {child.backend} proof of program {child.program_id.short()}, not of this tree")
            continue
        if (child.kind == "leaf") != (child.program_id == leaf_id):
            out.append(f"{what}: child {cid} is a {child.kind} under the {'leaf' if child.program_id == leaf_id else 'aggregation'} program id")
            continue
        if child.kind == "agg" and child.claim.vks_id != pin:
            out.append(f"{what}: child {cid} commits vks_id {child.claim.vks_id.short()}, not this tree's {pin.short()}")
            continue
        nodes[cid] = child
    return out
