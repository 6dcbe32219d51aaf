"""Value objects shared by every stage: work items and claims.

A *block* is the unit of checking and of sharding (one inductive family, one mutual
group, or one declaration). Its *proven targets* are the addresses a leaf certifies for
it; the env root is the canonical merkle root of all proven targets.
"""
from __future__ import annotations

import attrs

from .address import ZERO, Address


def _addr_tuple(xs) -> tuple[Address, ...]:
    # an Address is validated when made, so re-wrapping one only costs (a proof carries
    # tens of thousands, and attrs.evolve converts every field again)
    return tuple(x if type(x) is Address else Address(x) for x in xs)


@attrs.frozen
class WorkItem:
    """One block as the pipeline sees it.

    block: the block's address (the key in profiles and manifests).
    primary: the address handed to the checker (first member target).
    targets: member addresses the kernel walks.
    proven_targets: what a leaf certifies for this item (Ix: [block] + targets for a
        mutual block, [addr] for a standalone constant).
    names: human names of the members, for reports (not part of any hash).
    """

    block: Address = attrs.field(converter=Address)
    primary: Address = attrs.field(converter=Address)
    targets: tuple[Address, ...] = attrs.field(converter=_addr_tuple)
    proven_targets: tuple[Address, ...] = attrs.field(converter=_addr_tuple)
    names: tuple[str, ...] = attrs.field(default=(), converter=tuple)


@attrs.frozen
class Claim:
    """What a proof commits: the leaf-compatible public values of Ix's guests.

    env_hash: the environment (or sub-environment) the proof was made against.
    failures: number of items the kernel rejected; any proof with failures > 0 is void.
    subject_root / assumptions_root: canonical merkle roots of the certified and the
        assumed address sets.
    checked: number of work items checked (leaf) or covered (aggregate).
    mode: 0 for a leaf, 1 for an aggregate that discharged assumptions (Ix's mode-1).
    vks_id: the program-id pin (leaf id for a leaf, blake3(leaf_vk || agg_vk) for an agg).
    """

    env_hash: Address = attrs.field(converter=Address)
    failures: int
    subject_root: Address = attrs.field(converter=Address)
    assumptions_root: Address = attrs.field(converter=Address)
    checked: int
    mode: int = 0
    vks_id: Address = attrs.field(default=ZERO, converter=Address)

    @property
    def unconditional(self) -> bool:
        return self.failures == 0 and self.assumptions_root == ZERO

    def to_json(self) -> dict:
        return {
            "env_hash": str(self.env_hash),
            "failures": self.failures,
            "subject_root": str(self.subject_root),
            "assumptions_root": str(self.assumptions_root),
            "checked": self.checked,
            "mode": self.mode,
            "vks_id": str(self.vks_id),
        }

    @classmethod
    def from_json(cls, d: dict) -> "Claim":
        return cls(
            env_hash=Address.from_hex(d["env_hash"]),
            failures=int(d["failures"]),
            subject_root=Address.from_hex(d["subject_root"]),
            assumptions_root=Address.from_hex(d["assumptions_root"]),
            checked=int(d["checked"]),
            mode=int(d.get("mode", 0)),
            vks_id=Address.from_hex(d.get("vks_id", "00" * 32)),
        )


@attrs.frozen
class Proof:
    """A leaf or aggregate proof with the witness lists behind its committed roots.

    backend: the prover family ("native", "zisk", "sp1", ...).
    kind: "leaf" or "agg".
    program_id: id (vk) of the program that produced it.
    claim: the committed public values.
    subjects / assumptions: sorted, deduplicated preimages of claim.subject_root and
        claim.assumptions_root (Ix's `.cover` / `.asm`); verifiers recompute the roots.
    body: backend-specific proof bytes.
    kernel_version: version of the checker inside the program (a store key).
    stats: measurements (seconds, work units, peak memory, steps); not part of identity.
    """

    backend: str
    kind: str
    program_id: Address = attrs.field(converter=Address)
    claim: Claim
    subjects: tuple[Address, ...] = attrs.field(converter=_addr_tuple)
    assumptions: tuple[Address, ...] = attrs.field(converter=_addr_tuple)
    body: bytes = b""
    kernel_version: str = ""
    stats: dict = attrs.field(factory=dict, eq=False)


@attrs.frozen
class Execution:
    """What a leaf prover's `execute` returns: the claim the guest would commit, no proof.

    steps: the VM's step (cycle) count, the unit cost models are fitted in.
    subjects / assumptions: the host mirror's preimages of the committed roots.
    stats: wall seconds, peak memory; not part of identity.
    """

    backend: str
    claim: Claim
    steps: int
    subjects: tuple[Address, ...] = attrs.field(converter=_addr_tuple)
    assumptions: tuple[Address, ...] = attrs.field(converter=_addr_tuple)
    stats: dict = attrs.field(factory=dict, eq=False)
