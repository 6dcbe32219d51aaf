"""Driving Ix's SP1 host binary (`sp1-host`, built from ix/sp1/host) as it is.

Its flags (golden ix-sp1-host-*.json): `--execute --meta --ixe --constant --skip-deps` at
#411 (c88df18f); `--execute --meta --ixe --consts --consts-file --skip-deps --json --texray`
at main (df8f1117). Execute prints `failures: N`, `claim: CheckEnv { subject=<8 bytes hex>…,
assumptions=<8 bytes hex>… } (checked=N)` and `cycles: N`; with `--json F` (main only) it
merges `{"env": {"cycles", "execute-time", "throughput", "peak-rss", "status"}}` into F.
Prove (no `--execute`) proves, verifies in-process and prints sizes and times, but writes
no proof file and no public values, so ix cannot keep, bind or re-verify an SP1 proof:
this backend executes only. docs/zk-backends.md describes the host patch proving needs.

    [plugins.sp1]
    host = "/opt/ix/sp1/target/release/sp1-host"   # default: sp1-host on PATH
    prover = "cpu"        # SP1_PROVER: cpu, cuda, mock (the host's sdk has no `network`)
    cost_model = "zisk-main"
    timeout_s = 7200
"""
from __future__ import annotations

import os
import re
import shutil
from functools import cached_property
from pathlib import Path

import attrs

from ixcore.config import check_table
from ixcore.costmodel import DEFAULT_ZISK_MODEL
from ixcore.errors import ConfigError, MissingRequirement
from ixcore.external import ToolRun, run_tool
from ixcore.roles import Requirement

SCHEMA = {"host": str, "prover": str, "cost_model": str, "timeout_s": (int, float)}
# Ix's sp1-sdk is built without the `network` feature: SP1_PROVER=network hits unreachable!().
PROVERS = ("cpu", "cuda", "mock")
HOST_NAME = "sp1-host"
INSTALL_HINT = "build Ix's SP1 host (ix/sp1, `cargo build --release --bin sp1-host`) and set plugins.sp1.host"
EXECUTE_FLAGS = ("--execute", "--ixe")
PROVE_PATCH_FLAGS = ("--check-list", "--publics-out", "--proof-out", "--verify", "--vkey-out")
PROVE_HINT = ("sp1 cannot prove with Ix's sp1-host: it proves, verifies and discards the proof (no proof file, "
              "no public values); proving needs Ix's sp1-host with flags " + ", ".join(PROVE_PATCH_FLAGS)
              + " (patch: docs/zk-backends.md)")


@attrs.frozen
class Sp1Settings:
    host: Path | None = None
    prover: str = "cpu"
    cost_model: str = DEFAULT_ZISK_MODEL
    timeout_s: float | None = None

    @classmethod
    def from_table(cls, table: dict) -> Sp1Settings:
        check_table(table, SCHEMA, "plugins.sp1")
        prover = table.get("prover", "cpu")
        if prover not in PROVERS:
            raise ConfigError(f"plugins.sp1.prover must be one of {', '.join(PROVERS)} "
                              f"(Ix's sp1-host is built without the sdk's network feature), got {prover!r}")
        host = table.get("host")
        return cls(Path(os.path.expanduser(host)) if host else None, prover,
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

    @cached_property
    def flags(self) -> frozenset[str]:
        """The long flags the host's `--help` lists (clap): which generation of Ix's host this is."""
        run = run_tool([self.path(), "--help"], timeout_s=60)
        if not run.ok:
            raise MissingRequirement(f"{HOST_NAME} --help failed (rc {run.returncode}): {run.tail()}")
        found = frozenset(re.findall(r"(--[a-z][a-z0-9-]*)", run.stdout))
        missing = [f for f in EXECUTE_FLAGS if f not in found]
        if missing:
            raise MissingRequirement(f"{self.path()}: needs Ix's sp1-host with flags {', '.join(EXECUTE_FLAGS)}; "
                                     f"--help lists no {', '.join(missing)}")
        return found

    def requirements(self) -> list[Requirement]:
        try:
            path, flags = self.path(), self.flags
        except MissingRequirement as exc:
            return [Requirement(HOST_NAME, False, str(exc))]
        gen = "main (--json)" if "--json" in flags else "#411 (no --json)"
        return [Requirement(HOST_NAME, True, f"{path}: Ix host {gen}; execute only ({PROVE_HINT})")]

    def execute(self, ixe: Path, metrics: Path) -> ToolRun:
        """`--execute --ixe F [--json M]`: the guest checks every work item of F (no check list)."""
        args = ["--execute", "--ixe", str(ixe)]
        if "--json" in self.flags:
            args += ["--json", str(metrics)]
        env = dict(os.environ, SP1_PROVER=self.settings.prover)
        return run_tool([self.path(), *args], env=env, timeout_s=self.settings.timeout_s)
