"""The Zisk versions ix drives, one table per line, derived from the tools' own clap definitions.

`clap_tables.json` is the clap argument table of every `cargo-zisk` / `ziskemu` subcommand at
each golden ref (regenerated from ../shared/golden/zisk/cli by scripts/gen_clap_tables.py and
compared with it by the tests). Each `VersionLine` looks its flags up there by the Rust field
name, so a flag the real tool lacks cannot be emitted: the lookup fails when the table is built.

What clap does not describe (proof-file codec, verkey file name, printed lines) is taken from
../shared/golden/zisk/formats.md and cited per field; the tests check those strings against it.

Supported: 0.18.x (golden v0.18.0; Ix #411 pins the argumentcomputer/zisk fork at 0.18) and
1.0.x (golden pre-develop-1.0.0-beta; Ix main pins the fork's 1.0.0-alpha). 0.16 and 0.17
are refused: no fork of them carries the BLAKE3 precompile Ix's guests call, and their proof
files (bincode 1) are not implemented. 1.1 and later are refused: their blob and verifier
arguments changed and no source of them was available to verify against.
"""
from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources

import attrs

from ixcore.errors import MissingRequirement

EXECUTORS = ("assembly", "emulator")


@cache
def clap_tables() -> dict:
    return json.loads(resources.files("ix_zisk").joinpath("clap_tables.json").read_text())


def clap_args(ref: str, binary: str, command: str) -> list[dict]:
    """The clap arguments of `binary command` at a golden ref ('' = the binary itself)."""
    try:
        return clap_tables()["refs"][ref]["binaries"][binary][command]
    except KeyError:
        raise KeyError(f"{binary} {command!r} is not defined at zisk {ref}") from None


def _flag(ref: str, binary: str, command: str, field: str, *, takes_value: bool) -> str:
    """`--long` of the argument bound to Rust field `field`, checked for value-taking."""
    for arg in clap_args(ref, binary, command):
        if arg["field"] == field and arg["long"] and arg["takes_value"] == takes_value:
            return "--" + arg["long"]
    kind = "option" if takes_value else "switch"
    raise KeyError(f"zisk {ref}: {binary} {command} has no {kind} for field {field!r}")


def _optional_flag(ref: str, binary: str, command: str, field: str, *, takes_value: bool) -> str | None:
    try:
        return _flag(ref, binary, command, field, takes_value=takes_value)
    except KeyError:
        return None


def _gated_by_cpu_only(ref: str, binary: str, command: str, long: str) -> bool:
    """`--gpu` is compiled out of `cpu-only` builds (`#[cfg(not(feature = "cpu-only"))]`)."""
    for arg in clap_args(ref, binary, command):
        if arg["long"] == long.removeprefix("--"):
            return any("cpu-only" in c for c in arg["cfg"] or ())
    return False


@attrs.frozen
class VersionLine:
    """Everything ix needs to know about one Zisk line; flags come from the clap tables."""

    name: str
    golden_ref: str
    versions: str                 # human-readable list for error messages
    setup_command: str            # subcommand that writes the program's .verkey.bin
    proof_codec: str              # "0.18" or "1.0" (ix_zisk.proof)
    verkey_tag: str | None        # hash-mode tag in the verkey file name (1.0: "poseidon1")
    proof_time_re: re.Pattern     # the seconds the prover reports
    steps_re: re.Pattern          # the step count `prove` reports

    def flag(self, command: str, field: str, *, takes_value: bool = True, binary: str = "cargo-zisk") -> str:
        return _flag(self.golden_ref, binary, command, field, takes_value=takes_value)

    def optional_flag(self, command: str, field: str, *, takes_value: bool, binary: str = "cargo-zisk") -> str | None:
        return _optional_flag(self.golden_ref, binary, command, field, takes_value=takes_value)

    def executor_flags(self, command: str, executor: str) -> tuple[str, ...]:
        """0.18 runs ASM unless `--emulator`; 1.0 runs the emulator unless `--asm` (switches)."""
        asm = self.optional_flag(command, "asm", takes_value=False)
        emulator = self.optional_flag(command, "emulator", takes_value=False)
        if asm is not None:
            return (asm,) if executor == "assembly" else ()
        if emulator is not None:
            return (emulator,) if executor == "emulator" else ()
        return ()

    def gpu_flag(self, command: str, compute_mode: str) -> str | None:
        """`--gpu` where the subcommand defines it and this build compiled it in."""
        flag = self.optional_flag(command, "gpu", takes_value=False)
        if flag and compute_mode != "gpu" and _gated_by_cpu_only(self.golden_ref, "cargo-zisk", command, flag):
            return None
        return flag


LINES = {
    "0.18": VersionLine(
        "0.18", "v0.18.0", "0.18.x", "program-setup", "0.18", None,
        # formats.md v0.18.0 Stdout: `Proof Time: {:.3} seconds`, `Execution completed in {}ms, steps: {}`
        re.compile(r"Proof Time: ([0-9.]+) seconds"), re.compile(r"Execution completed in \d+ms, steps: (\d+)"),
    ),
    "1.0": VersionLine(
        "1.0", "pre-develop-1.0.0-beta", "1.0.x (1.0.0-alpha, 1.0.0-beta)", "setup", "1.0", "poseidon1",
        # formats.md 1.0.0-beta Stdout (user prove): `Proof generated in {:.3}s, steps: {}`
        re.compile(r"Proof generated in ([0-9.]+)s, steps: \d+"), re.compile(r"Proof generated in [0-9.]+s, steps: (\d+)"),
    ),
}
SUPPORTED = ", ".join(line.versions for line in LINES.values())

# `cargo-zisk 0.18.0 [gpu] (<sha> <timestamp>)`: clap prints the binary name and
# ZISK_VERSION_MESSAGE (ziskbuild/src/lib.rs at both refs).
_VERSION_RE = re.compile(r"cargo-zisk\s+(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.]+)?(?:\s+\[(cpu|gpu)\])?")


@attrs.frozen
class ZiskVersion:
    major: int
    minor: int
    patch: int
    pre: str
    compute_mode: str  # "cpu" or "gpu", from the version message
    line: VersionLine

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}{self.pre}"


def parse_version(text: str, source: str = "cargo-zisk --version") -> ZiskVersion:
    """The probe: a version with a table, or a one-line refusal listing the supported ones."""
    m = _VERSION_RE.search(text)
    if not m:
        raise MissingRequirement(f"{source}: cannot read a version from {text.strip()[:80]!r}")
    major, minor, patch, pre = int(m[1]), int(m[2]), int(m[3]), m[4] or ""
    line = LINES.get(f"{major}.{minor}")
    shown = f"{major}.{minor}.{patch}{pre}"
    if line is None:
        raise MissingRequirement(f"cargo-zisk {shown} is not supported; supported: {SUPPORTED}")
    if m[5] is None:
        raise MissingRequirement(f"{source}: {text.strip()[:80]!r} does not say whether it is a cpu or gpu build")
    return ZiskVersion(major, minor, patch, pre, m[5], line)
