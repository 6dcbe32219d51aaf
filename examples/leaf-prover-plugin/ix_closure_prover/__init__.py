"""Example ix leaf prover: referential closure of a shard.

It certifies less than a Lean kernel: that every block the shard references exists in
the environment (a dangling reference is a failure). Its proof is an execution record
(the checked blocks, the dangling references and the claim) sealed with a blake3 digest,
not a succinct proof: `verify` checks the record's integrity and its claim, and with
`reexecute=True` recomputes it from the environment. It follows Ix's leaf claim rules,
so the host folds, stores and reuses its proofs like any other leaf prover's.
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Sequence

from ixcore import hookimpl
from ixcore.address import Address
from ixcore.config import check_table
from ixcore.costmodel import CostModel, get_cost_model
from ixcore.errors import InputError, VerificationError
from ixcore.merkle import merkle_root
from ixcore.model import Claim, Execution, Proof
from ixcore.roles import Env, LeafProver, Register

RECORD = "ix-closure-leaf 1"


def _canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


# --8<-- [start:leaf_prover]
class ClosureLeafProver:
    name = "closure"
    capabilities = frozenset({"execute", "prove"})
    kernel_version = "closure-1"
    program_id = Address.hash(b"ix-closure-prover leaf program\0closure-1")

    def cost_model(self) -> CostModel:
        return get_cost_model("native")

    def _run(self, env: Env, blocks: Sequence[bytes], workdir: Path) -> tuple[Claim, list, list, dict]:
        shard = sorted({Address(b) for b in blocks})
        items = {w.block: w for w in env.work_items()}
        unknown = [b for b in shard if b not in items]
        if unknown:
            raise InputError(f"{env.path}: shard names block {unknown[0]}, which the environment lacks")
        sub_env = env.write_sub_env(shard, Path(workdir) / "sub-env")
        subjects = sorted({t for b in shard for t in items[b].proven_targets})
        refs = {b: sorted(Address(r) for r in env.block_refs(b)) for b in shard}
        dangling = sorted({str(b) for b in shard if any(r not in items for r in refs[b])})
        assumptions = sorted({r for rs in refs.values() for r in rs} - set(subjects))
        claim = Claim(Address.hash(Path(sub_env).read_bytes()), len(dangling), merkle_root(subjects),
                      merkle_root(assumptions), len(shard))
        record = {"format": RECORD, "program_id": str(self.program_id), "checked": [str(b) for b in shard],
                  "dangling": dangling, "claim": claim.to_json()}
        record["digest"] = Address.hash(_canonical(record)).hex()
        return claim, subjects, assumptions, record

    def prove(self, env: Env, blocks: list[Address], workdir: Path) -> Proof:
        start = time.perf_counter()
        claim, subjects, assumptions, record = self._run(env, blocks, workdir)
        return Proof(self.name, "leaf", self.program_id, claim, subjects, assumptions, _canonical(record),
                     self.kernel_version, {"seconds": time.perf_counter() - start})

    def execute(self, env: Env, blocks: list[Address], workdir: Path) -> Execution:
        claim, subjects, assumptions, _record = self._run(env, blocks, workdir)
        return Execution(self.name, claim, len(blocks), subjects, assumptions)
# --8<-- [end:leaf_prover]

    def verify(self, proof: Proof, reexecute: bool = False, env: Env | None = None) -> None:
        if proof.kind != "leaf" or proof.program_id != self.program_id:
            raise VerificationError(f"not a closure leaf proof of program {self.program_id.short()}")
        try:
            record = json.loads(proof.body)
            digest = record.pop("digest")
        except (ValueError, KeyError, AttributeError):
            raise VerificationError("closure proof: body is not a sealed record") from None
        if Address.hash(_canonical(record)).hex() != digest or record.get("format") != RECORD:
            raise VerificationError("closure proof: record digest does not match (tampered)")
        if record["claim"] != proof.claim.to_json() or record["program_id"] != str(self.program_id):
            raise VerificationError("closure proof: record does not carry the committed claim")
        c = proof.claim
        if merkle_root(proof.subjects) != c.subject_root or merkle_root(proof.assumptions) != c.assumptions_root:
            raise VerificationError("closure proof: witness lists do not hash to the committed roots")
        if c.failures != len(record["dangling"]) or c.checked != len(record["checked"]) or c.mode != 0:
            raise VerificationError("closure proof: failures, checked or mode disagree with the record")
        if reexecute:
            if env is None:
                raise VerificationError("closure proof: --reexecute needs the environment")
            import tempfile

            with tempfile.TemporaryDirectory(prefix="ix-closure-") as tmp:
                again = self._run(env, [Address.from_hex(h) for h in record["checked"]], Path(tmp))[0]
            if again != c:
                raise VerificationError("closure proof: re-execution commits a different claim")


def make_closure(options: dict) -> LeafProver:
    check_table(options, {}, "plugins.closure", "leaf prover closure")  # no options: any key is an error
    return ClosureLeafProver()


# --8<-- [start:register]
@hookimpl
def ix_register_leaf_provers(register: Register) -> None:
    register("closure", make_closure, summary="example: every referenced block exists (not a kernel check)")
# --8<-- [end:register]
