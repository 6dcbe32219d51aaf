"""Golden argv per Zisk version line: the same intent, the right flags for each CLI."""
from pathlib import Path

import pytest

from ixcore.errors import MissingRequirement
from ix_zisk.flags import ProveOptions, ZiskVersion, emulate_argv, parse_proof_time, parse_steps, parse_version, prove_argv, setup_argv, verify_argv, vkey_argv

E, I, O, K = Path("g.elf"), Path("in.bin"), Path("out.bin"), Path("/pk")


@pytest.mark.parametrize(
    "text, version, line",
    [
        ("cargo-zisk 0.15.0 (abc 2025-01-01)", (0, 15, 0), "0.16"),
        ("cargo-zisk 0.16.1 [cpu] (abc)", (0, 16, 1), "0.16"),
        ("cargo-zisk 0.17.0 [gpu] (abc)", (0, 17, 0), "0.17"),
        ("cargo-zisk 0.18.0 [gpu] (0123abc 2026-05-15T00:00:00)", (0, 18, 0), "0.17"),
        ("cargo-zisk 1.0.0-beta [cpu]", (1, 0, 0), "1.0"),
    ],
)
def test_version_lines(text, version, line):
    v = parse_version(text)
    assert (v.major, v.minor, v.patch) == version and v.line == line


def test_unreadable_version_is_missing_requirement():
    with pytest.raises(MissingRequirement, match="cannot read a version"):
        parse_version("zisk something")


OPTS = ProveOptions(proving_key=K, gpu=True, executor="assembly", max_witness_stored=10)


@pytest.mark.parametrize(
    "version, executor, argv",
    [
        ("0.16.0", "assembly", "prove --elf g.elf --input in.bin --output-dir out.bin --proving-key /pk --aggregation --gpu --max-witness-stored 10"),
        ("0.16.0", "emulator", "prove --elf g.elf --input in.bin --output-dir out.bin --proving-key /pk --aggregation --emulator --gpu --max-witness-stored 10"),
        ("0.18.0", "assembly", "prove --elf g.elf --inputs in.bin --output out.bin --proving-key /pk --gpu --max-witness-stored 10"),
        ("0.18.0", "emulator", "prove --elf g.elf --inputs in.bin --output out.bin --proving-key /pk --emulator --gpu --max-witness-stored 10"),
        ("1.0.0", "assembly", "prove --elf g.elf --inputs in.bin --output out.bin --proving-key /pk --asm --gpu --max-witness-stored 10"),
        ("1.0.0", "emulator", "prove --elf g.elf --inputs in.bin --output out.bin --proving-key /pk --gpu --max-witness-stored 10"),
    ],
)
def test_prove_argv_golden(version, executor, argv):
    v = parse_version(f"cargo-zisk {version}")
    opts = ProveOptions(K, True, executor, 10)
    got = prove_argv(v, E, I, O, opts)
    assert " ".join(got) == argv
    assert "-a" not in got  # the short flag that changed meaning twice is never emitted


def test_minimal_prove_argv_and_other_commands():
    v18 = ZiskVersion(0, 18, 0)
    assert prove_argv(v18, E, I, O, ProveOptions()) == ["prove", "--elf", "g.elf", "--inputs", "in.bin", "--output", "out.bin"]
    assert setup_argv(ZiskVersion(0, 16, 0), E, OPTS) == ["rom-setup", "--elf", "g.elf", "--proving-key", "/pk", "--gpu"]
    assert setup_argv(v18, E, ProveOptions()) == ["program-setup", "--elf", "g.elf"]
    assert vkey_argv(E, O, ProveOptions()) == ["rom-vkey", "--elf", "g.elf", "--vkey-file", "out.bin"]
    assert verify_argv(O) == ["verify", "--proof", "out.bin"]
    assert emulate_argv(E, I, O) == ["--elf", "g.elf", "--inputs", "in.bin", "--output", "out.bin", "--log-metrics"]


def test_output_parsers():
    assert parse_steps("process_rom() steps=4450272 duration=0.1 tp=44 Msteps/s") == 4450272
    assert parse_steps("STEPS: 12") == 12
    assert parse_steps("Execution completed in 5097ms, steps: 4450272") == 4450272
    assert parse_steps("nothing") is None
    assert parse_proof_time("INFO: Proof Time: 5.097 seconds") == 5.097
