"""The Zisk leaf and aggregation provers (roles `leaf_prover` and `agg_prover`).

Every proof is checked on the host before it is handed on: program vk equal to the pin
from the ELF, failures 0 (fail fast), committed roots equal to the canonical roots of the
witness lists, and for a leaf the subject equal to the shard's proven targets and the
assumptions equal to the host mirror of the guest rule. Aggregates must commit
`vks_id = blake3(leaf_vk ‖ agg_vk)`, mode 1, and the discharge of their children.
"""
from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

import blake3

from ixcore.address import ZERO, Address
from ixcore.errors import InputError, VerificationError
from ixcore.external import ToolRun, run_tool
from ixcore.leafinput import LeafInput, leaf_input
from ixcore.merkle import merkle_root
from ixcore.model import Claim, Execution, Proof

from . import flags
from .proof import ZiskProofFile
from .publics import ZiskPublics
from .settings import ZiskSettings
from .stdin import MODE_DISCHARGE, agg_stdin, leaf_stdin
from .toolchain import ZiskToolchain

BACKEND = "zisk"


def vks_id(leaf_vk: bytes, agg_vk: bytes) -> Address:
    """The id an aggregate commits, and the root an external verifier must expect."""
    return Address.hash(bytes(leaf_vk) + bytes(agg_vk))


def _short(addrs) -> str:
    return Address(min(addrs)).short() if addrs else "empty"


class _ZiskBackend:
    """State shared by the two roles: settings, toolchain, and the proving step."""

    def __init__(self, settings: ZiskSettings, toolchain: ZiskToolchain | None = None):
        self.settings = settings
        self.toolchain = toolchain or ZiskToolchain(settings)

    def _vk(self, which: str) -> bytes:
        return self.toolchain.program_vk(which)

    def _parse(self, body: bytes, source: str) -> ZiskProofFile:
        """Parse with the probed version's codec; the proof must be a full (not minimal)
        Vadcop proof under the proving key's vadcop final vk, which neither `cargo-zisk
        verify` nor the aggregation guest checks (both verify against the vk inside)."""
        pf = ZiskProofFile.from_bytes(body, self.toolchain.version.line.proof_codec, source)
        _check(not pf.minimal, f"{source}: a minimal (compressed) proof; ix proves and folds full Vadcop proofs")
        expected = self.toolchain.zisk_vk
        _check(pf.zisk_vk_bytes == expected, f"{source}: proof carries vadcop final vk {pf.zisk_vk_bytes.hex()[:16]}…, "
                                             f"not the proving key's {expected.hex()[:16]}…")
        return pf

    @property
    def kernel_version(self) -> str:
        """The leaf ELF's digest: proofs from another guest build are never reused."""
        return "zisk-guest:" + blake3.blake3(self.toolchain.elf("leaf").read_bytes()).hexdigest()[:16]

    def _prove(self, which: str, stdin: bytes, workdir: Path, label: str) -> tuple[ZiskProofFile, bytes, ToolRun]:
        tc = self.toolchain
        workdir.mkdir(parents=True, exist_ok=True)
        inputs = workdir / f"{which}.stdin"
        inputs.write_bytes(stdin)
        elf = tc.elf(which)
        tc.ensure_setup(elf)
        out = workdir / f"{which}.proof"
        run = tc.cargo(flags.prove_argv(tc.version, elf, inputs, out, tc.options), label)
        if not out.is_file():
            raise VerificationError(f"{label}: cargo-zisk prove reported success but wrote no proof to {out}")
        body = out.read_bytes()
        return self._parse(body, str(out)), body, run

    def _verify_body(self, body: bytes, label: str) -> None:
        """`cargo-zisk verify` on the proof file (the STARK check the host can do)."""
        with tempfile.TemporaryDirectory(prefix="ix-zisk-verify-") as tmp:
            path = Path(tmp) / "proof.bin"
            path.write_bytes(body)
            self.toolchain.cargo(flags.verify_argv(self.toolchain.version, path), f"verify {label}")

    def _stats(self, run: ToolRun, body: bytes, pf: ZiskProofFile) -> dict:
        version = self.toolchain.version
        steps = flags.parse_prove_steps(version, run.stdout + run.stderr)
        prove_s = flags.parse_proof_time(version, run.stdout + run.stderr)
        return {
            "steps": steps,
            "work": steps or 0,
            "seconds": prove_s if prove_s is not None else run.seconds,
            "wall_seconds": run.seconds,
            "peak_memory": run.peak_rss_bytes,
            "proof_bytes": len(body),
            "blob_bytes": len(pf.blob().to_bytes()),
        }


def _check(cond: bool, message: str) -> None:
    if not cond:
        raise VerificationError(message)


class ZiskLeafProver(_ZiskBackend):
    name = BACKEND
    capabilities = frozenset({"execute", "prove", "aggregate"})

    @property
    def program_id(self) -> Address:
        return Address(self._vk("leaf"))

    def cost_model(self):
        from ixcore.costmodel import get_cost_model

        return get_cost_model(self.settings.cost_model)

    def _bind(self, publics: ZiskPublics, inp: LeafInput, label: str) -> None:
        """The fail-fast leaf checks, before any aggregation time is spent."""
        _check(publics.failures == 0, f"{label}: the kernel rejected {publics.failures} item(s); nothing is folded")
        _check(publics.id == inp.env_hash, f"{label}: committed env hash is not blake3 of the shipped sub-env")
        _check(publics.subject_root == inp.subject_root,
               f"{label}: committed subject {publics.subject_root.short()} is not the shard's targets {inp.subject_root.short()}")
        _check(publics.assumptions_root == inp.assumptions_root,
               f"{label}: committed assumptions {publics.assumptions_root.short()} diverge from the host mirror "
               f"{inp.assumptions_root.short()}")

    def prove(self, env, blocks, workdir) -> Proof:
        inp = leaf_input(env, blocks)
        label = f"zisk leaf {_short(inp.subjects)}"
        pf, body, run = self._prove("leaf", leaf_stdin(inp.sub_env, inp.check_list), Path(workdir), label)
        leaf_vk = self._vk("leaf")
        _check(pf.program_vk_bytes == leaf_vk, f"{label}: proof vk is not the leaf ELF's vk")
        publics = pf.parsed_publics(label)
        self._bind(publics, inp, label)
        return Proof(
            backend=BACKEND,
            kind="leaf",
            program_id=leaf_vk,
            claim=publics.leaf_claim(leaf_vk),
            subjects=inp.subjects,
            assumptions=inp.assumptions,
            body=body,
            kernel_version=self.kernel_version,
            stats=self._stats(run, body, pf),
        )

    def execute(self, env, blocks, workdir) -> Execution:
        """Run the leaf guest in ziskemu: the committed claim and the step count, no proof."""
        inp = leaf_input(env, blocks)
        label = f"zisk execute {_short(inp.subjects)}"
        wd = Path(workdir)
        wd.mkdir(parents=True, exist_ok=True)
        inputs, publics_out = wd / "leaf.stdin", wd / "leaf.publics"
        inputs.write_bytes(leaf_stdin(inp.sub_env, inp.check_list))
        argv = [self.toolchain.binary("ziskemu"),
                *flags.emulate_argv(self.toolchain.version, self.toolchain.elf("leaf"), inputs, publics_out)]
        run = run_tool(argv, timeout_s=self.settings.timeout_s)
        _check(run.ok, f"{label}: ziskemu failed (rc {run.returncode}): {run.tail()}")
        if not publics_out.is_file():
            raise VerificationError(f"{label}: ziskemu wrote no public output to {publics_out}")
        publics = ZiskPublics.from_bytes(publics_out.read_bytes(), str(publics_out))
        steps = flags.parse_emulator_steps(run.stdout + run.stderr)
        _check(steps is not None, f"{label}: ziskemu printed no step count")
        self._bind(publics, inp, label)
        return Execution(
            backend=BACKEND,
            claim=publics.leaf_claim(ZERO),
            steps=steps,
            subjects=inp.subjects,
            assumptions=inp.assumptions,
            stats={"seconds": run.seconds, "peak_memory": run.peak_rss_bytes, "sub_env_bytes": len(inp.sub_env)},
        )

    def verify(self, proof: Proof, reexecute: bool = False, env=None) -> None:
        label = f"zisk leaf {_short(proof.subjects)}"
        _check(proof.backend == BACKEND and proof.kind == "leaf", f"{label}: not a zisk leaf proof")
        leaf_vk = self._vk("leaf")
        pf = self._parse(proof.body, label)
        _check(pf.program_vk_bytes == leaf_vk and proof.program_id == leaf_vk, f"{label}: vk is not the leaf ELF's vk")
        _check(pf.parsed_publics(label).leaf_claim(leaf_vk) == proof.claim, f"{label}: claim differs from the proof's publics")
        _check_witness(proof, label)
        self._verify_body(proof.body, label)
        if reexecute:
            if env is None:
                raise InputError(f"{label}: re-execution needs the environment")
            blocks = [w.block for w in env.work_items() if w.block in set(proof.subjects)]
            with tempfile.TemporaryDirectory(prefix="ix-zisk-reexec-") as tmp:
                ex = self.execute(env, blocks, tmp)
            _check(ex.claim.subject_root == proof.claim.subject_root
                   and ex.claim.assumptions_root == proof.claim.assumptions_root
                   and ex.claim.env_hash == proof.claim.env_hash,
                   f"{label}: re-execution commits a different claim")


def _check_witness(proof: Proof, label: str) -> None:
    c = proof.claim
    _check(c.failures == 0, f"{label}: failures = {c.failures}")
    _check(merkle_root(proof.subjects) == c.subject_root, f"{label}: subject list does not hash to the committed root")
    _check(merkle_root(proof.assumptions) == c.assumptions_root,
           f"{label}: assumption list does not hash to the committed root")


class ZiskAggProver(_ZiskBackend):
    """Mode-1 aggregation: verify children in-circuit, check witnesses, discharge."""

    name = BACKEND
    arity = 16  # Ix's default; 16 children of ~336 kB stay far under the 512 MB guest heap

    @property
    def program_ids(self) -> tuple[Address, Address]:
        return Address(self._vk("leaf")), Address(self._vk("agg"))

    def _child_blob(self, child: Proof, allowed: Sequence[bytes], expect_id: Address, i: int) -> bytes:
        label = f"zisk agg child {i}"
        _check(child.backend == BACKEND, f"{label}: a {child.backend!r} proof cannot be verified by the Zisk guest")
        pf = self._parse(child.body, label)
        vk = pf.program_vk_bytes
        _check(vk in allowed, f"{label}: program vk is neither the leaf nor the aggregation ELF's")
        publics = pf.parsed_publics(label)
        if vk == allowed[1]:
            _check(publics.id == expect_id, f"{label}: aggregate child commits a different vks_id")
        _check(publics.failures == 0, f"{label}: failures = {publics.failures}")
        _check(publics.subject_root == child.claim.subject_root and publics.assumptions_root == child.claim.assumptions_root,
               f"{label}: claim differs from the proof's publics")
        _check_witness(child, label)
        return pf.blob().to_bytes()

    def aggregate(self, children: list[Proof], workdir) -> Proof:
        if not children:
            raise InputError("zisk aggregation needs at least one child proof")
        leaf_vk, agg_vk = (bytes(v) for v in self.program_ids)
        allowed = [leaf_vk, agg_vk]
        expect_id = vks_id(leaf_vk, agg_vk)
        blobs = [self._child_blob(c, allowed, expect_id, i) for i, c in enumerate(children)]
        witness = [(c.subjects, c.assumptions) for c in children]
        subjects = sorted({a for c in children for a in c.subjects})
        outstanding = sorted({a for c in children for a in c.assumptions} - set(subjects))
        label = f"zisk agg of {len(children)}"
        pf, body, run = self._prove("agg", agg_stdin(MODE_DISCHARGE, allowed, blobs, witness), Path(workdir), label)
        claim = pf.parsed_publics(label).agg_claim()
        _check(pf.program_vk_bytes == agg_vk, f"{label}: proof vk is not the aggregation ELF's vk")
        self._check_agg_claim(claim, expect_id, len(children), label)
        _check(claim.subject_root == merkle_root(subjects), f"{label}: committed subject diverges from the union of children")
        _check(claim.assumptions_root == merkle_root(outstanding), f"{label}: discharge diverged from the host mirror")
        return Proof(
            backend=BACKEND,
            kind="agg",
            program_id=agg_vk,
            claim=claim,
            subjects=subjects,
            assumptions=outstanding,
            body=body,
            kernel_version=children[0].kernel_version,
            stats=self._stats(run, body, pf),
        )

    @staticmethod
    def _check_agg_claim(claim: Claim, expect_id: Address, n: int | None, label: str) -> None:
        _check(claim.vks_id == expect_id, f"{label}: committed vks_id is not blake3(leaf vk ‖ agg vk)")
        _check(claim.mode == MODE_DISCHARGE, f"{label}: mode {claim.mode}, expected 1 (discharge)")
        _check(claim.failures == 0, f"{label}: failures = {claim.failures}")
        if n is not None:
            _check(claim.checked == n, f"{label}: commits {claim.checked} children, {n} were given")

    def verify(self, proof: Proof) -> None:
        label = f"zisk agg {_short(proof.subjects)}"
        _check(proof.backend == BACKEND and proof.kind == "agg", f"{label}: not a zisk aggregate proof")
        leaf_vk, agg_vk = (bytes(v) for v in self.program_ids)
        pf = self._parse(proof.body, label)
        _check(pf.program_vk_bytes == agg_vk and proof.program_id == agg_vk, f"{label}: vk is not the aggregation ELF's vk")
        _check(pf.parsed_publics(label).agg_claim() == proof.claim, f"{label}: claim differs from the proof's publics")
        self._check_agg_claim(proof.claim, vks_id(leaf_vk, agg_vk), None, label)
        _check_witness(proof, label)
        self._verify_body(proof.body, label)
