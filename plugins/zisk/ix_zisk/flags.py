"""Command lines for each Zisk CLI generation, from one table.

The same intent needs different flags per version line (ecosystem.md §4.2): the program
setup subcommand was renamed in 0.17; the short `-a` meant `--aggregation` (opt-in) up to
0.16, `--no-aggregation` in 0.17-0.18, and `--asm` in 1.0, where the ASM executor became
opt-in. We only ever emit long flags, so no short flag's meaning can drift under us.
"""
from __future__ import annotations

import re
from pathlib import Path

import attrs

from ixcore.errors import MissingRequirement

EXECUTORS = ("assembly", "emulator")


@attrs.frozen
class FlagSet:
    """What differs between version lines; everything else is shared."""

    line: str
    setup_command: str
    inputs_flag: str
    output_flag: str           # a file from 0.17 on, a directory up to 0.16
    output_is_dir: bool
    aggregation: tuple[str, ...]  # flags that make `prove` emit the final, guest-verifiable proof
    executor_flags: dict       # executor -> flags
    explicit_setup: bool       # up to 0.16 `prove` does not run the program setup itself


FLAG_SETS = {
    "0.16": FlagSet("0.16", "rom-setup", "--input", "--output-dir", True, ("--aggregation",),
                    {"assembly": (), "emulator": ("--emulator",)}, True),
    "0.17": FlagSet("0.17", "program-setup", "--inputs", "--output", False, (),
                    {"assembly": (), "emulator": ("--emulator",)}, False),
    "1.0": FlagSet("1.0", "program-setup", "--inputs", "--output", False, (),
                   {"assembly": ("--asm",), "emulator": ()}, False),
}

#: The file name `cargo-zisk prove` gives its final proof inside a 0.16 output directory.
PROOF_FILE_NAME = "vadcop_final_proof.bin"


@attrs.frozen(order=True)
class ZiskVersion:
    major: int
    minor: int
    patch: int
    raw: str = attrs.field(eq=False, order=False, default="")

    @property
    def line(self) -> str:
        if self.major >= 1:
            return "1.0"
        return "0.17" if self.minor >= 17 else "0.16"

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


_VERSION_RE = re.compile(r"cargo-zisk\s+(\d+)\.(\d+)\.(\d+)")


def parse_version(text: str, source: str = "cargo-zisk --version") -> ZiskVersion:
    """`cargo-zisk 0.18.0 [gpu] (<sha> <time>)` -> ZiskVersion(0, 18, 0)."""
    m = _VERSION_RE.search(text)
    if not m:
        raise MissingRequirement(f"{source}: cannot read a version from {text.strip()[:80]!r}")
    return ZiskVersion(int(m[1]), int(m[2]), int(m[3]), text.strip())


@attrs.frozen
class ProveOptions:
    proving_key: Path | None = None
    gpu: bool = False
    executor: str = "assembly"
    max_witness_stored: int | None = None


def _key(opts: ProveOptions) -> list[str]:
    return ["--proving-key", str(opts.proving_key)] if opts.proving_key else []


def prove_argv(version: ZiskVersion, elf: Path, inputs: Path, output: Path, opts: ProveOptions) -> list[str]:
    """`cargo-zisk prove …` writing the final proof to `output` (a directory up to 0.16)."""
    fs = FLAG_SETS[version.line]
    argv = ["prove", "--elf", str(elf), fs.inputs_flag, str(inputs), fs.output_flag, str(output), *_key(opts)]
    argv += list(fs.aggregation)
    argv += list(fs.executor_flags[opts.executor])
    if opts.gpu:
        argv.append("--gpu")
    if opts.max_witness_stored is not None:
        argv += ["--max-witness-stored", str(opts.max_witness_stored)]
    return argv


def setup_argv(version: ZiskVersion, elf: Path, opts: ProveOptions) -> list[str]:
    """Program (ROM) setup for an ELF, once per ELF change, before its first prove."""
    argv = [FLAG_SETS[version.line].setup_command, "--elf", str(elf), *_key(opts)]
    return argv + (["--gpu"] if opts.gpu else [])


def vkey_argv(elf: Path, out: Path, opts: ProveOptions) -> list[str]:
    """Write the ELF's program vk (4 u64 LE words) to `out`: the trusted pin."""
    return ["rom-vkey", "--elf", str(elf), *_key(opts), "--vkey-file", str(out)]


def verify_argv(proof: Path) -> list[str]:
    return ["verify", "--proof", str(proof)]


def emulate_argv(elf: Path, inputs: Path, publics_out: Path) -> list[str]:
    """`ziskemu` arguments: run, write the public output bytes, print step metrics."""
    return ["--elf", str(elf), "--inputs", str(inputs), "--output", str(publics_out), "--log-metrics"]


_STEPS_RE = re.compile(r"(?:STEPS:\s*|steps[=:]\s*)(\d+)")
_PROOF_TIME_RE = re.compile(r"Proof Time:\s*([0-9.]+)\s*seconds")


def parse_steps(text: str) -> int | None:
    """Steps from `ziskemu -m` (`steps=N`), `--steps` (`STEPS: N`) or prove logs (`steps: N`)."""
    found = _STEPS_RE.findall(text)
    return int(found[-1]) if found else None


def parse_proof_time(text: str) -> float | None:
    m = _PROOF_TIME_RE.search(text)
    return float(m[1]) if m else None
