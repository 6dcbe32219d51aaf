"""Command lines for `cargo-zisk` and `ziskemu`, built from the version line's clap-derived flags.

Only long flags are emitted (`-a` meant `--aggregation`, then `--no-aggregation`, then
`--asm`). Every flag is looked up in the golden clap table of the probed version, so an
argv here is one the real tool accepts.
"""
from __future__ import annotations

import re
from pathlib import Path

import attrs

from .versions import ZiskVersion


@attrs.frozen
class ProveOptions:
    proving_key: Path | None = None
    gpu: bool = False
    executor: str = "assembly"
    max_witness_stored: int | None = None


def _key(version: ZiskVersion, command: str, opts: ProveOptions) -> list[str]:
    if opts.proving_key is None:
        return []
    return [version.line.flag(command, "proving_key"), str(opts.proving_key)]


def _gpu(version: ZiskVersion, command: str, opts: ProveOptions) -> list[str]:
    flag = version.line.gpu_flag(command, version.compute_mode) if opts.gpu else None
    return [flag] if flag else []


def prove_argv(version: ZiskVersion, elf: Path, inputs: Path, output: Path, opts: ProveOptions) -> list[str]:
    """`cargo-zisk prove` writing the final (aggregated VadcopFinal) proof to the file `output`."""
    line, cmd = version.line, "prove"
    argv = [cmd, line.flag(cmd, "elf"), str(elf), line.flag(cmd, "inputs"), str(inputs),
            line.flag(cmd, "output"), str(output), *_key(version, cmd, opts)]
    argv += line.executor_flags(cmd, opts.executor)
    argv += _gpu(version, cmd, opts)
    if opts.max_witness_stored is not None:
        argv += [line.flag(cmd, "max_witness_stored"), str(opts.max_witness_stored)]
    return argv


def setup_argv(version: ZiskVersion, elf: Path, opts: ProveOptions) -> list[str]:
    """The program setup that writes the ELF's `.verkey.bin` into zisk's cache."""
    line = version.line
    cmd = line.setup_command
    argv = [cmd, line.flag(cmd, "elf"), str(elf), *_key(version, cmd, opts)]
    argv += line.executor_flags(cmd, opts.executor)
    return argv + _gpu(version, cmd, opts)


def verify_argv(version: ZiskVersion, proof: Path) -> list[str]:
    return ["verify", version.line.flag("verify", "proof"), str(proof)]


def emulate_argv(version: ZiskVersion, elf: Path, inputs: Path, publics_out: Path) -> list[str]:
    """`ziskemu`: run, write the public output bytes, print `process_rom() steps=N ...`."""
    line = version.line

    def f(field: str, takes_value: bool = True) -> str:
        return line.flag("", field, takes_value=takes_value, binary="ziskemu")

    return [f("elf"), str(elf), f("inputs"), str(inputs), f("output"), str(publics_out), f("log_metrics", False)]


def parse_emulator_steps(text: str) -> int | None:
    """`process_rom() steps=N duration=...` (ziskemu --log-metrics, emulator.rs at both refs)."""
    found = re.findall(r"process_rom\(\) steps=(\d+)", text)
    return int(found[-1]) if found else None


def parse_prove_steps(version: ZiskVersion, text: str) -> int | None:
    found = version.line.steps_re.findall(text)
    return int(found[-1]) if found else None


def parse_proof_time(version: ZiskVersion, text: str) -> float | None:
    m = version.line.proof_time_re.search(text)
    return float(m[1]) if m else None
