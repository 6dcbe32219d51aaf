"""The external verifier's checks on a root claim (ix-pipeline.md §12.7).

A root is accepted only if: the backend's own proof check passes; the program pin is the
trusted one (root id = agg program id and vks_id = blake3(leaf_id ‖ agg_id), mode 1 — or,
for a prover that cannot aggregate, every leaf carries the leaf id); failures = 0; the
witness lists hash to the committed roots; the subject covers the expected env (equal to
its root when nothing else was folded in); and no assumption is outstanding when an
unconditional claim is required. Every check is reported, not only the first failure.
"""
from __future__ import annotations

from typing import Callable, Iterable, Sequence

import attrs

from .address import Address
from .errors import IxError, VerificationError
from .merkle import merkle_root
from .model import Proof


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
