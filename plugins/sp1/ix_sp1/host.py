"""Driving Ix's SP1 host binary (`sp1-host`, built from ix/sp1/host) as an external program.

Ix's host speaks `--execute`, `--ixe PATH` and `--json FILE` (per-run metrics:
`cycles`, `execute-time`, `prove-time`, `peak-rss`). ix also needs five flags Ix's host
does not have yet, because Ix never binds the SP1 subject to a shard: `--check-list FILE`
(packed primaries; Ix only builds check lists from `--consts` names), `--publics-out FILE`
(the 104 committed bytes), `--proof-out FILE` (`SP1ProofWithPublicValues::save`),
`--verify FILE` (load and verify a saved proof) and `--vkey-out FILE` (the guest's 32-byte
vk hash). docs/zk-backends.md lists the patch.

    [plugins.sp1]
    host = "/opt/ix/sp1/target/release/sp1-host"   # default: sp1-host on PATH
    prover = "cpu"        # SP1_PROVER: cpu, cuda, mock, network
    vk = "<64 hex>"       # optional pin of the guest vk; default: asked from the host
    cost_model = "zisk-main"
    timeout_s = 7200
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import attrs

from ixcore.config import check_table
from ixcore.costmodel import DEFAULT_ZISK_MODEL
from ixcore.errors import ConfigError, MissingRequirement, VerificationError
from ixcore.external import ToolRun, run_tool
from ixcore.roles import Requirement

SCHEMA = {"host": str, "prover": str, "vk": str, "cost_model": str, "timeout_s": (int, float)}
PROVERS = ("cpu", "cuda", "mock", "network")
HOST_NAME = "sp1-host"
INSTALL_HINT = "build Ix's SP1 host (ix/sp1/host, `cargo build --release`) with ix's flags and set plugins.sp1.host"


@attrs.frozen
class Sp1Settings:
    host: Path | None = None
    prover: str = "cpu"
    vk: bytes | None = None
    cost_model: str = DEFAULT_ZISK_MODEL
    timeout_s: float | None = None

    @classmethod
    def from_table(cls, table: dict) -> "Sp1Settings":
        check_table(table, SCHEMA, "plugins.sp1")
        prover = table.get("prover", "cpu")
        if prover not in PROVERS:
            raise ConfigError(f"plugins.sp1.prover must be one of {', '.join(PROVERS)}, got {prover!r}")
        vk = table.get("vk")
        if vk is not None:
            try:
                raw = bytes.fromhex(vk)
            except ValueError:
                raw = b""
            if len(raw) != 32:
                raise ConfigError("plugins.sp1.vk must be 64 hex digits")
            vk = raw
        host = table.get("host")
        return cls(Path(os.path.expanduser(host)) if host else None, prover, vk,
                   table.get("cost_model", DEFAULT_ZISK_MODEL), table.get("timeout_s"))


class Sp1Host:
    def __init__(self, settings: Sp1Settings):
        self.settings = settings

    def path(self) -> Path:
        configured = self.settings.host
        if configured is not None:
            if configured.is_file():
                return configured
            raise MissingRequirement(f"{configured} does not exist: " + INSTALL_HINT)
        found = shutil.which(HOST_NAME)
        if not found:
            raise MissingRequirement(f"{HOST_NAME} not found on PATH: " + INSTALL_HINT)
        return Path(found)

    def requirements(self) -> list[Requirement]:
        try:
            path = self.path()
        except MissingRequirement as exc:
            return [Requirement(HOST_NAME, False, str(exc))]
        run = run_tool([path, "--version"], timeout_s=60)
        version = run.stdout.strip().split()[-1] if run.ok and run.stdout.strip() else None
        return [Requirement(HOST_NAME, run.ok, str(path) if run.ok else run.tail(), version)]

    def run(self, args: list[str], what: str, *, proving: bool = False) -> ToolRun:
        env = dict(os.environ, SP1_PROVER=self.settings.prover)
        if proving:
            # Ix's guest hashes through a BLAKE3 precompile whose recursion shapes are
            # missing from SP1's vk_map.bin; Ix proves with this bypass (not production-safe).
            env["WITHOUT_VK_VERIFICATION"] = "1"
        run = run_tool([self.path(), *args], env=env, timeout_s=self.settings.timeout_s)
        if not run.ok:
            raise VerificationError(f"{what}: sp1-host failed (rc {run.returncode}): {run.tail()}")
        return run


def execute_args(ixe: Path, check_list: Path, publics: Path, metrics: Path) -> list[str]:
    return ["--execute", "--ixe", str(ixe), "--check-list", str(check_list), "--publics-out", str(publics), "--json", str(metrics)]


def prove_args(ixe: Path, check_list: Path, publics: Path, proof: Path, metrics: Path) -> list[str]:
    return ["--ixe", str(ixe), "--check-list", str(check_list), "--publics-out", str(publics),
            "--proof-out", str(proof), "--json", str(metrics)]


def verify_args(proof: Path, publics: Path) -> list[str]:
    return ["--verify", str(proof), "--publics-out", str(publics)]


def vkey_args(out: Path) -> list[str]:
    return ["--vkey-out", str(out)]
