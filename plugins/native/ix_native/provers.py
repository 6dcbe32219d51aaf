"""Native leaf and aggregation provers: the Python Lean kernel behind Ix's claim rules.

What a native proof is: a signed execution record, NOT a succinct zero-knowledge
proof. The leaf record names the sub-environment it ran on (its blake3), the items it
checked, the kernel's verdicts and the committed claim; anyone holding the environment
re-runs it (`ix verify --reexecute`) to confirm it. Aggregates record their children's
proof ids and apply Ix's mode-1 discharge after re-checking every child's pin and
witness lists, as the Zisk aggregation guest does in-circuit; but an aggregate record
proves nothing by itself, so verifiers re-derive every aggregate from its children
(`ixcore.verify.expand_tree`), and `attested = True` tells them to.

Attestation: every record carries `signer` (the Ed25519 public key of the process that
ran it, `ixcore.keys`) and `signature` over ATTESTATION ‖ blake3(proofio.encode(the proof
with the signature removed from its body)): backend, kind, program id, kernel version, the
whole claim, both witness lists and the rest of the record, so none of them can be
swapped. The body must be the canonical JSON of its record, so a signed record has one
encoding and the proof id stays deterministic (Ed25519 signatures are). A record is
accepted only when the signature verifies and the signer is in the prover's trust set.

Claim rules of the native leaf (shard = list of block addresses):
- subject = the proven targets of the shard's items (Ix's certified set);
- assumptions = the *block addresses* of the blocks the checked items reference
  (`env.block_refs`) that the shard does not certify. A block's address is one of its
  own proven targets ([block] ++ members for a mutual block, [addr] for a standalone
  constant), so the aggregate that folds the referenced block's leaf discharges it.
  Literal payloads (Nat/String) are never references: they are domain-separated
  values inside expressions, not addresses (ix-pipeline.md §13.1).
- failures = number of checked items the kernel rejected; a leaf with failures > 0 is
  returned (so the host can report it) and then rejected at once, never stored or folded.

Program ids: blake3 of the role, the distribution version and a digest of the source
files that decide the verdict (the kernel package, the env and sub-env code, the kernel
seam and this module), so any change to the kernel yields a new id and stored proofs of
the old kernel are not reused.
"""
from __future__ import annotations

import resource
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Sequence

import attrs
import blake3
import orjson

from ixcore import keys, proofio
from ixcore.address import Address
from ixcore.errors import InputError, VerificationError
from ixcore.merkle import merkle_root
from ixcore.model import Claim, Execution, Proof

BACKEND = "native"
LEAF_RECORD = "ix-native-leaf 1"
AGG_RECORD = "ix-native-agg 1"
DEFAULT_ARITY = 4
ATTESTATION = b"ix-native attestation 1\0"
_PKG = Path(__file__).resolve().parent


def _dist_version() -> str:
    try:
        return version("ix-native")
    except PackageNotFoundError:
        return "0+unknown"


def source_digest(paths: Sequence[Path]) -> str:
    """blake3 over (relative name, bytes) of every file, in name order."""
    h = blake3.blake3()
    for p in sorted(paths):
        h.update(str(p.relative_to(_PKG)).encode() + b"\0")
        h.update(p.read_bytes())
    return h.hexdigest()


def kernel_sources() -> list[Path]:
    own = ("env.py", "subenv.py", "kernel_seam.py", "provers.py")
    return sorted((_PKG / "lean").rglob("*.py")) + [_PKG / name for name in own]


def kernel_version() -> str:
    existing = [p for p in kernel_sources() if p.is_file()]
    return f"{_dist_version()}+{source_digest(existing)[:16]}"


def program_id(role: str, kver: str) -> Address:
    return Address.hash(f"ix-native {role} program\0{kver}".encode())


def vks_id(leaf_id: bytes, agg_id: bytes) -> Address:
    return Address.hash(bytes(leaf_id) + bytes(agg_id))


def _canonical(obj) -> bytes:
    """The one byte form of a record (sorted keys, no spaces, UTF-8): what is signed."""
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)


def _signing_message(proof: Proof, unsigned_body: bytes) -> bytes:
    """What is signed: the domain tag and the blake3 of the proof's encoding with the
    unsigned body (hashed first: Ed25519 hashes its message twice, and a leaf's encoding
    runs to megabytes; blake3's collision resistance is what proof ids rest on anyway)."""
    return ATTESTATION + blake3.blake3(proofio.encode(proof, body=unsigned_body)).digest()


def sign(proof: Proof, record: dict, key: keys.LocalKey | None = None) -> Proof:
    """`proof` with body = `record` signed by `key` (default: this machine's key)."""
    key = key or keys.local_key()
    record = {k: v for k, v in record.items() if k != "signature"}
    record["signer"] = key.public_hex
    message = _signing_message(proof, _canonical(record))
    record["signature"] = key.sign(message).hex()
    return attrs.evolve(proof, body=_canonical(record))


def attested_record(proof: Proof, fmt: str, trust: keys.TrustSet) -> dict:
    """The record of `proof` once its signature verifies under a trusted key."""
    record = _parse_record(proof, fmt)
    what = f"native {proof.kind}"
    if _canonical(record) != bytes(proof.body):
        raise VerificationError(f"{what}: record is not in canonical form (edited after signing)")
    signer, signature = record.get("signer"), record.get("signature")
    if not isinstance(signer, str) or not isinstance(signature, str):
        raise VerificationError(f"{what}: record is unsigned")
    try:
        public, sig = bytes.fromhex(signer), bytes.fromhex(signature)
    except ValueError:
        raise VerificationError(f"{what}: signer or signature is not hex") from None
    unsigned = {k: v for k, v in record.items() if k != "signature"}
    if not keys.verify_signature(public, sig, _signing_message(proof, _canonical(unsigned))):
        raise VerificationError(f"{what}: signature does not verify (record edited after signing, or forged)")
    if public not in trust:
        raise VerificationError(f"{what}: signed by untrusted key {keys.fingerprint(public)} ({signer})")
    if record.get("program_id") != str(proof.program_id):
        raise VerificationError(f"{what}: record names program {record.get('program_id')}, the proof {proof.program_id}")
    return record


def _signer_hex(proof: Proof) -> str:
    """The hex public key a native record names as its signer ("" when unsigned)."""
    try:
        record = orjson.loads(proof.body)
    except ValueError:
        return ""
    signer = record.get("signer") if isinstance(record, dict) else None
    return signer if isinstance(signer, str) else ""


def _reset_peak_rss() -> None:
    """Restart the process's peak-RSS mark at its current RSS (Linux `clear_refs` 5), so a
    pool worker that ran earlier leaves reports this leaf's peak, not theirs."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def _peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


# ---------------------------------------------------------------------------------------
# Leaf


@attrs.frozen
class BlockVerdict:
    """The kernel's answer for one checked block of the shard."""

    block: Address = attrs.field(converter=Address)
    ok: bool
    reason: str = ""
    work: int = 0


class NativeLeafProver:
    """Runs the kernel over a shard's closure sub-environment and commits Ix's claim.

    `kernel(sub_env, blocks) -> list[BlockVerdict]` checks exactly `blocks` in `sub_env`
    (every other declaration admitted unchecked, fresh caches per shard). It is the one
    seam to the Lean kernel, so the claim rules below are independent of it.
    """

    name = BACKEND
    backend = BACKEND
    capabilities = frozenset({"execute", "prove", "aggregate"})
    attested = True
    env_formats = frozenset({"ndjson"})  # it re-checks lean4export sub-environments

    def __init__(self, kernel, load_sub_env, kver: str | None = None, trust: keys.TrustSet | None = None):
        self.kernel = kernel
        self.load_sub_env = load_sub_env
        self.kernel_version = kver or kernel_version()
        self.program_id = program_id("leaf", self.kernel_version)
        self._trust = trust

    @property
    def trust(self) -> keys.TrustSet:
        """Whose records are accepted (default: this machine's key and the user's
        trusted-keys file; the CLI adds ix.toml's trusted_keys). Resolved once, then
        pickled with the prover, so workers judge with the same set."""
        if self._trust is None:
            self._trust = keys.TrustSet.load()
        return self._trust

    @trust.setter
    def trust(self, value: keys.TrustSet) -> None:
        self._trust = value

    def signer_of(self, proof: Proof) -> str:
        """Hex public key the record names as signer (listed by `ix verify`)."""
        return _signer_hex(proof)

    def cost_model(self):
        from ixcore.costmodel import get_cost_model

        return get_cost_model("native")

    def _run(self, env, blocks: Sequence[bytes], workdir: Path):
        blocks = sorted({Address(b) for b in blocks})
        items = {w.block: w for w in env.work_items()}
        missing = [b for b in blocks if b not in items]
        if missing:
            raise InputError(f"shard names block {missing[0]}, which is not in {getattr(env, 'path', 'the env')}")
        _reset_peak_rss()
        start = time.perf_counter()
        sub_path = env.write_sub_env(blocks, Path(workdir) / "sub-env")
        env_hash = Address.hash(Path(sub_path).read_bytes())
        verdicts = {v.block: v for v in self.kernel(self.load_sub_env(sub_path), blocks)}
        if set(verdicts) != set(blocks):
            raise VerificationError("native kernel did not return one verdict per shard block")
        subjects = sorted({t for b in blocks for t in items[b].proven_targets})
        certified = set(subjects)
        assumptions = sorted({Address(r) for b in blocks for r in env.block_refs(b)} - certified)
        failed = [b for b in blocks if not verdicts[b].ok]
        claim = Claim(env_hash, len(failed), merkle_root(subjects), merkle_root(assumptions), len(blocks))
        seconds = time.perf_counter() - start
        record = {
            "format": LEAF_RECORD,
            "program_id": str(self.program_id),
            "kernel_version": self.kernel_version,
            "sub_env_hash": str(env_hash),
            "checked": [str(b) for b in blocks],
            "verdicts": [[str(b), verdicts[b].ok, verdicts[b].reason] for b in blocks],
            "claim": claim.to_json(),
        }
        stats = {
            "seconds": seconds, "work": sum(v.work for v in verdicts.values()), "peak_memory": _peak_rss_bytes(),
            "failed": [env.name_of(b) or str(b) for b in failed][:20],
            "reasons": [verdicts[b].reason for b in failed][:20],
        }
        return claim, subjects, assumptions, record, stats

    def prove(self, env, blocks, workdir) -> Proof:
        claim, subjects, assumptions, record, stats = self._run(env, blocks, workdir)
        proof = Proof(BACKEND, "leaf", self.program_id, claim, subjects, assumptions, b"", self.kernel_version, stats)
        return sign(proof, record)

    def execute(self, env, blocks, workdir) -> Execution:
        claim, subjects, assumptions, _record, stats = self._run(env, blocks, workdir)
        return Execution(BACKEND, claim, stats["work"], subjects, assumptions, stats)

    def verify(self, proof: Proof, reexecute: bool = False, env=None) -> None:
        """Record check: signed by a trusted key, claim and program bound by the record;
        with `reexecute`, re-run the kernel on `env` and require the identical claim and
        witness lists."""
        if proof.program_id != self.program_id or proof.kind != "leaf":
            raise VerificationError(f"not a native leaf of program {self.program_id.short()}")
        record = attested_record(proof, LEAF_RECORD, self.trust)
        if record.get("claim") != proof.claim.to_json() or record.get("sub_env_hash") != str(proof.claim.env_hash):
            raise VerificationError("native leaf: record does not match the committed claim")
        if len(record.get("checked", ())) != proof.claim.checked:
            raise VerificationError("native leaf: checked count differs from the record")
        if reexecute:
            if env is None:
                raise InputError("re-execution needs the environment")
            import tempfile

            blocks = [Address.from_hex(h) for h in record["checked"]]
            with tempfile.TemporaryDirectory(prefix="ix-reexec-") as wd:
                claim, subjects, assumptions, _r, _s = self._run(env, blocks, Path(wd))
            if claim != proof.claim or tuple(subjects) != proof.subjects or tuple(assumptions) != proof.assumptions:
                raise VerificationError(f"native leaf: re-execution gives a different claim ({claim.failures} failure(s))")


# ---------------------------------------------------------------------------------------
# Aggregation


class NativeAggProver:
    """Verifies up to `arity` children and commits their mode-1 discharge.

    `leaf` is the leaf prover whose proofs it accepts: its program id is index 0 of the
    pinned set and its `verify` checks a leaf child. The pinned set is fixed
    ([leaf id, agg id]) and never derived from the children.
    """

    name = BACKEND
    backend = BACKEND
    attested = True

    def __init__(self, leaf, arity: int = DEFAULT_ARITY):
        self.leaf = leaf
        self.arity = max(2, int(arity))
        self.agg_id = program_id("aggregation", f"{leaf.kernel_version}\0{leaf.program_id}")
        self.program_ids = (Address(leaf.program_id), self.agg_id)
        self.vks_id = vks_id(leaf.program_id, self.agg_id)
        self._trust: keys.TrustSet | None = None

    @property
    def trust(self) -> keys.TrustSet:
        """The leaf prover's trust set (one set for the whole tree)."""
        own = getattr(self.leaf, "trust", None)
        if own is not None:
            return own
        if self._trust is None:
            self._trust = keys.TrustSet.load()
        return self._trust

    @trust.setter
    def trust(self, value: keys.TrustSet) -> None:
        if hasattr(self.leaf, "trust"):
            self.leaf.trust = value
        self._trust = value

    def aggregate(self, children: list[Proof], workdir: Path | None = None) -> Proof:
        if not children:
            raise VerificationError("aggregation needs at least one child")
        if len(children) > self.arity:
            raise VerificationError(f"aggregation of {len(children)} children exceeds arity {self.arity}")
        start = time.perf_counter()
        subjects: set[Address] = set()
        assumed: set[Address] = set()
        for i, child in enumerate(children):
            self.verify_child(child, f"child {i}")
            subjects.update(child.subjects)
            assumed.update(child.assumptions)
        s = tuple(sorted(subjects))
        a = tuple(sorted(assumed - subjects))
        claim = Claim(
            env_hash=self.vks_id, failures=0, subject_root=merkle_root(s), assumptions_root=merkle_root(a),
            checked=len(children), mode=1, vks_id=self.vks_id,
        )
        record = {
            "format": AGG_RECORD,
            "program_id": str(self.agg_id),
            "children": [str(proofio.proof_id(c)) for c in children],
            "child_claims": [c.claim.to_json() for c in children],
            "claim": claim.to_json(),
        }
        proof = Proof(
            backend=BACKEND, kind="agg", program_id=self.agg_id, claim=claim, subjects=s, assumptions=a,
            body=b"", kernel_version=self.leaf.kernel_version,
            stats={"children": len(children), "peak_memory": _peak_rss_bytes()},
        )
        proof = sign(proof, record)
        return attrs.evolve(proof, stats={**proof.stats, "seconds": time.perf_counter() - start})

    def verify_child(self, child: Proof, what: str) -> None:
        """The checks the aggregation program applies to each child before using it."""
        if child.backend != BACKEND:
            raise VerificationError(f"{what}: {child.backend} proof cannot be folded by the native aggregator")
        if child.program_id == self.program_ids[0]:
            if child.kind != "leaf":
                raise VerificationError(f"{what}: carries the leaf program id but is a {child.kind}")
            self.leaf.verify(child)
        elif child.program_id == self.agg_id:
            if child.claim.vks_id != self.vks_id:
                raise VerificationError(f"{what}: aggregate child commits vks_id {child.claim.vks_id.short()}, not this tree's {self.vks_id.short()}")
            self.verify(child)
        else:
            raise VerificationError(
                f"{what}: program id {child.program_id.short()} is not pinned (leaf {self.program_ids[0].short()}, agg {self.agg_id.short()})"
            )
        if child.claim.failures:
            raise VerificationError(f"{what}: {child.claim.failures} kernel failure(s)")
        if merkle_root(child.subjects) != child.claim.subject_root:
            raise VerificationError(f"{what}: subject list does not hash to the committed subject root (forged witness)")
        if merkle_root(child.assumptions) != child.claim.assumptions_root:
            raise VerificationError(f"{what}: assumption list does not hash to the committed assumptions root (forged witness)")

    def children_of(self, proof: Proof) -> list[Address]:
        """Proof ids of an aggregate's children (from its verified record)."""
        self.verify(proof)
        try:
            return [Address.from_hex(h) for h in _parse_record(proof, AGG_RECORD)["children"]]
        except (TypeError, ValueError, InputError):
            raise VerificationError("native aggregate: a child id is not a 32-byte hex address") from None

    def verify(self, proof: Proof, reexecute: bool = False, env=None) -> None:
        """An aggregate's record must be signed by a trusted key and carry exactly its
        claim under this program. It does not vouch for the children: `expand_tree`
        re-derives the claim from them."""
        if proof.program_id != self.agg_id or proof.kind != "agg":
            raise VerificationError(f"not a native aggregate of program {self.agg_id.short()}")
        record = attested_record(proof, AGG_RECORD, self.trust)
        if record.get("claim") != proof.claim.to_json() or record.get("program_id") != str(self.agg_id):
            raise VerificationError("native aggregate: record does not match the committed claim")
        if proof.claim.mode != 1 or proof.claim.vks_id != self.vks_id or proof.claim.failures:
            raise VerificationError("native aggregate: wrong mode, pin or failures in the claim")
        children = record.get("children")
        if not isinstance(children, list) or len(children) != proof.claim.checked:
            raise VerificationError("native aggregate: child count differs from the claim")
        if not children:
            raise VerificationError("native aggregate: no children")


def _parse_record(proof: Proof, fmt: str) -> dict:
    try:
        record = orjson.loads(proof.body)
    except ValueError:
        raise VerificationError(f"native {proof.kind}: body is not an execution record") from None
    if not isinstance(record, dict) or record.get("format") != fmt:
        raise VerificationError(f"native {proof.kind}: body is not a {fmt!r} record")
    return record
