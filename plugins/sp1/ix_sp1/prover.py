"""The SP1 leaf prover: Ix's SP1 guest on closure sub-envs with shard check lists.

Unlike Ix's host, every proof is bound on the host: failures must be 0, the committed
env hash must be the shipped sub-env's, the subject must be the shard's proven targets
and the assumptions must equal the host mirror. SP1 has no aggregation guest here, so
capabilities lack "aggregate": the pipeline ends with the set of leaf proofs and a
host-side discharge check, reported as "not aggregated".
"""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

from ixcore.address import ZERO, Address
from ixcore.errors import InputError, VerificationError
from ixcore.leafinput import LeafInput, leaf_input
from ixcore.merkle import merkle_root
from ixcore.model import Execution, Proof

from . import host as h
from .publics import Sp1Publics

BACKEND = "sp1"


def _check(cond: bool, message: str) -> None:
    if not cond:
        raise VerificationError(message)


def _metrics(path: Path) -> dict:
    """Ix's `--json` file: `{"env": {...}}`, one entry for the single run we ask for."""
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text())
    except ValueError as exc:
        raise InputError(f"{path}: sp1-host metrics are not JSON: {exc}") from None
    return data.get("env", {}) if isinstance(data, dict) else {}


class Sp1LeafProver:
    name = BACKEND
    capabilities = frozenset({"execute", "prove"})

    def __init__(self, settings: h.Sp1Settings, host: h.Sp1Host | None = None):
        self.settings = settings
        self.host = host or h.Sp1Host(settings)
        self._vk: bytes | None = settings.vk

    @property
    def program_id(self) -> Address:
        if self._vk is None:
            with tempfile.TemporaryDirectory(prefix="ix-sp1-vk-") as tmp:
                out = Path(tmp) / "vk.bin"
                self.host.run(h.vkey_args(out), "sp1 guest vk")
                raw = out.read_bytes() if out.is_file() else b""
                _check(len(raw) == 32, f"sp1-host --vkey-out wrote {len(raw)} bytes, expected a 32-byte vk hash")
                self._vk = raw
        return Address(self._vk)

    @property
    def kernel_version(self) -> str:
        return "sp1-guest:" + self.program_id.short()

    def cost_model(self):
        from ixcore.costmodel import get_cost_model

        return get_cost_model(self.settings.cost_model)

    @staticmethod
    def _stage(inp: LeafInput, wd: Path) -> tuple[Path, Path]:
        wd.mkdir(parents=True, exist_ok=True)
        ixe, check = wd / "shard.ixe", wd / "check.bin"
        ixe.write_bytes(inp.sub_env)
        check.write_bytes(inp.check_list)
        return ixe, check

    @staticmethod
    def _bind(publics: Sp1Publics, inp: LeafInput, label: str) -> None:
        _check(publics.failures == 0, f"{label}: the kernel rejected {publics.failures} item(s); nothing is kept")
        _check(publics.env_hash == inp.env_hash, f"{label}: committed env hash is not blake3 of the shipped sub-env")
        _check(publics.subject_root == inp.subject_root, f"{label}: committed subject is not the shard's proven targets")
        _check(publics.assumptions_root == inp.assumptions_root, f"{label}: committed assumptions diverge from the host mirror")

    def prove(self, env, blocks, workdir) -> Proof:
        inp = leaf_input(env, blocks)
        label = f"sp1 leaf {inp.subjects[0].short()}"
        wd = Path(workdir)
        ixe, check = self._stage(inp, wd)
        publics_path, proof_path, metrics_path = wd / "publics.bin", wd / "proof.bin", wd / "metrics.json"
        run = self.host.run(h.prove_args(ixe, check, publics_path, proof_path, metrics_path), label, proving=True)
        _check(proof_path.is_file() and publics_path.is_file(), f"{label}: sp1-host wrote no proof or public values")
        publics = Sp1Publics.from_bytes(publics_path.read_bytes(), str(publics_path))
        self._bind(publics, inp, label)
        body = proof_path.read_bytes()
        metrics = _metrics(metrics_path)
        return Proof(
            backend=BACKEND,
            kind="leaf",
            program_id=self.program_id,
            claim=publics.claim(self.program_id),
            subjects=inp.subjects,
            assumptions=inp.assumptions,
            body=body,
            kernel_version=self.kernel_version,
            stats={
                "seconds": float(metrics.get("prove-time", run.seconds)),
                "wall_seconds": run.seconds,
                "peak_memory": int(metrics.get("peak-rss") or run.peak_rss_bytes),
                "steps": None,  # Ix's host reports cycles on --execute only
                "proof_bytes": len(body),
            },
        )

    def execute(self, env, blocks, workdir) -> Execution:
        inp = leaf_input(env, blocks)
        label = f"sp1 execute {inp.subjects[0].short()}"
        wd = Path(workdir)
        ixe, check = self._stage(inp, wd)
        publics_path, metrics_path = wd / "publics.bin", wd / "metrics.json"
        run = self.host.run(h.execute_args(ixe, check, publics_path, metrics_path), label)
        publics = Sp1Publics.from_bytes(publics_path.read_bytes() if publics_path.is_file() else b"", str(publics_path))
        self._bind(publics, inp, label)
        metrics = _metrics(metrics_path)
        _check("cycles" in metrics, f"{label}: sp1-host reported no cycle count in {metrics_path}")
        return Execution(
            backend=BACKEND,
            claim=publics.claim(ZERO),
            steps=int(metrics["cycles"]),
            subjects=inp.subjects,
            assumptions=inp.assumptions,
            stats={"seconds": float(metrics.get("execute-time", run.seconds)),
                   "peak_memory": int(metrics.get("peak-rss") or run.peak_rss_bytes)},
        )

    def verify(self, proof: Proof, reexecute: bool = False, env=None) -> None:
        label = f"sp1 leaf {proof.subjects[0].short() if proof.subjects else 'empty'}"
        _check(proof.backend == BACKEND and proof.kind == "leaf", f"{label}: not an sp1 leaf proof")
        _check(proof.program_id == self.program_id, f"{label}: program id is not this guest's vk")
        c = proof.claim
        _check(c.failures == 0, f"{label}: failures = {c.failures}")
        _check(merkle_root(proof.subjects) == c.subject_root, f"{label}: subject list does not hash to the committed root")
        _check(merkle_root(proof.assumptions) == c.assumptions_root, f"{label}: assumption list does not hash to the committed root")
        with tempfile.TemporaryDirectory(prefix="ix-sp1-verify-") as tmp:
            proof_path, publics_path = Path(tmp) / "proof.bin", Path(tmp) / "publics.bin"
            proof_path.write_bytes(proof.body)
            self.host.run(h.verify_args(proof_path, publics_path), f"verify {label}")
            publics = Sp1Publics.from_bytes(publics_path.read_bytes() if publics_path.is_file() else b"", str(publics_path))
            _check(publics.claim(proof.program_id) == c, f"{label}: the verified proof commits a different claim")
            if reexecute:
                if env is None:
                    raise InputError(f"{label}: re-execution needs the environment")
                blocks = [w.block for w in env.work_items() if w.block in set(proof.subjects)]
                ex = self.execute(env, blocks, Path(tmp) / "reexec")
                _check(ex.claim.subject_root == c.subject_root and ex.claim.assumptions_root == c.assumptions_root
                       and ex.claim.env_hash == c.env_hash, f"{label}: re-execution commits a different claim")
