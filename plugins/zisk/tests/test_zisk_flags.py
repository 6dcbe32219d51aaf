"""Version tables against the golden data: the clap extract, the probe, and every argv per line."""
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from ix_zisk.flags import (
    ProveOptions,
    emulate_argv,
    parse_emulator_steps,
    parse_proof_time,
    parse_prove_steps,
    prove_argv,
    setup_argv,
    verify_argv,
)
from ix_zisk.versions import LINES, clap_tables, parse_version
from ixcore.errors import MissingRequirement

HERE = Path(__file__).resolve().parent
GOLDEN = HERE.parents[2] / ".." / "shared" / "golden" / "zisk"
E, I, O, K = Path("g.elf"), Path("in.bin"), Path("out.bin"), Path("/pk")
needs_golden = pytest.mark.skipif(not GOLDEN.is_dir(), reason=f"golden data {GOLDEN} is absent")


@needs_golden
def test_clap_tables_match_golden():
    """ix_zisk/clap_tables.json is exactly what scripts/gen_clap_tables.py makes of the golden files."""
    spec = importlib.util.spec_from_file_location("gen_clap_tables", HERE.parent / "scripts" / "gen_clap_tables.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    assert clap_tables() == json.loads(json.dumps(gen.extract(GOLDEN / "cli")))
    for ref in gen.REFS:
        assert clap_tables()["refs"][ref]["commit"] == json.loads((GOLDEN / "cli" / f"{ref}.json").read_text())["commit"]


@needs_golden
def test_non_clap_facts_are_in_formats_md():
    """The printed lines and file names the tables use are quoted in golden/zisk/formats.md."""
    text = (GOLDEN / "formats.md").read_text()
    for quoted in ("`Proof Time: {:.3} seconds`", "`Execution completed in {}ms, steps: {}`",
                   "`Proof generated in {:.3}s, steps: {}`", "<hash_mode tag: poseidon1|poseidon2>_<blowup=2>_<arity=4>.verkey.bin",
                   "<ROM_BLOWUP_FACTOR>_<ROM_MERKLE_TREE_ARITY>.verkey.bin", "`ZISK_PUBLICS + 4` = **68**",
                   "`cargo-zisk setup`", "`program-setup` exists only in `cargo-zisk-dev`", 'e.g. "Poseidon1"'):
        assert quoted in text, quoted
    eco = GOLDEN.parent.parent / "spec" / "ecosystem.md"  # the emulator's metrics line (§4.3)
    assert not eco.is_file() or "process_rom() steps=N" in eco.read_text()


@pytest.mark.parametrize("text, version, line, mode", [
    ("cargo-zisk 0.18.0 [gpu] (0123abc 2026-05-15T00:00:00)", "0.18.0", "0.18", "gpu"),
    ("cargo-zisk 0.18.3 [cpu] (abc)", "0.18.3", "0.18", "cpu"),
    ("cargo-zisk 1.0.0-alpha [cpu] (abc)", "1.0.0-alpha", "1.0", "cpu"),
    ("cargo-zisk 1.0.0-beta [gpu] (abc)", "1.0.0-beta", "1.0", "gpu"),
])
def test_probe_accepts_lines_with_a_table(text, version, line, mode):
    v = parse_version(text)
    assert (str(v), v.line.name, v.compute_mode) == (version, line, mode)


@pytest.mark.parametrize("version", ["0.15.0", "0.16.1", "0.17.0", "1.1.0-alpha", "1.3.0-alpha", "2.0.0"])
def test_probe_refuses_versions_without_a_table(version):
    with pytest.raises(MissingRequirement) as exc:
        parse_version(f"cargo-zisk {version} [gpu] (abc)")
    msg = str(exc.value)
    assert "\n" not in msg and f"cargo-zisk {version} is not supported; supported: 0.18.x, 1.0.x" in msg


def test_unreadable_version_is_missing_requirement():
    with pytest.raises(MissingRequirement, match="cannot read a version"):
        parse_version("zisk something")


def _v(text):
    return parse_version(f"cargo-zisk {text}")


@pytest.mark.parametrize("version, executor, argv", [
    ("0.18.0 [gpu]", "assembly", "prove --elf g.elf --inputs in.bin --output out.bin --proving-key /pk --gpu --max-witness-stored 10"),
    ("0.18.0 [gpu]", "emulator", "prove --elf g.elf --inputs in.bin --output out.bin --proving-key /pk --emulator --gpu --max-witness-stored 10"),
    ("0.18.0 [cpu]", "assembly", "prove --elf g.elf --inputs in.bin --output out.bin --proving-key /pk --max-witness-stored 10"),
    ("1.0.0-alpha [gpu]", "assembly", "prove --elf g.elf --inputs in.bin --output out.bin --proving-key /pk --asm --gpu --max-witness-stored 10"),
    ("1.0.0-beta [gpu]", "emulator", "prove --elf g.elf --inputs in.bin --output out.bin --proving-key /pk --gpu --max-witness-stored 10"),
])
def test_prove_argv_per_line(version, executor, argv):
    got = prove_argv(_v(version), E, I, O, ProveOptions(K, True, executor, 10))
    assert " ".join(got) == argv
    assert not any(a.startswith("-") and not a.startswith("--") for a in got)  # never a short flag


def test_setup_verify_emulate_argv_per_line():
    opts = ProveOptions(K, True, "assembly", None)
    assert setup_argv(_v("0.18.0 [gpu]"), E, opts) == ["program-setup", "--elf", "g.elf", "--proving-key", "/pk", "--gpu"]
    # 1.0: `cargo-zisk setup` (program-setup is cargo-zisk-dev only); it has --asm and no --gpu
    assert setup_argv(_v("1.0.0-beta [gpu]"), E, opts) == ["setup", "--elf", "g.elf", "--proving-key", "/pk", "--asm"]
    for v in ("0.18.0 [gpu]", "1.0.0-alpha [cpu]"):
        assert verify_argv(_v(v), O) == ["verify", "--proof", "out.bin"]
        assert emulate_argv(_v(v), E, I, O) == ["--elf", "g.elf", "--inputs", "in.bin", "--output", "out.bin", "--log-metrics"]


def test_output_parsers_per_line():
    v18, v10 = _v("0.18.0 [cpu]"), _v("1.0.0-beta [cpu]")
    log18 = "INFO: Proof Time: 5.097 seconds\nExecution completed in 5097ms, steps: 4450272"
    log10 = "--- PROVE SUMMARY -------------\nProof generated in 12.345s, steps: 53239676\nProof saved to x"
    assert (parse_proof_time(v18, log18), parse_prove_steps(v18, log18)) == (5.097, 4450272)
    assert (parse_proof_time(v10, log10), parse_prove_steps(v10, log10)) == (12.345, 53239676)
    assert parse_proof_time(v10, log18) is None and parse_proof_time(v18, log10) is None
    assert parse_emulator_steps("process_rom() steps=4450272 duration=0.1 tp=44 Msteps/s") == 4450272


def test_every_line_builds_from_its_golden_ref():
    """Each table resolves every flag it uses in its own ref; a flag missing there raises."""
    for line in LINES.values():
        for field in ("elf", "inputs", "output", "proving_key", "max_witness_stored"):
            assert line.flag("prove", field).startswith("--")
        assert line.flag(line.setup_command, "elf") == "--elf"
    with pytest.raises(KeyError, match="no switch for field 'gpu'"):
        LINES["1.0"].flag("setup", "gpu", takes_value=False)


def _standin(version, mode, *argv):
    env = {"IX_STANDIN_ZISK_VERSION": version, "IX_STANDIN_ZISK_MODE": mode, "PATH": "/usr/bin:/bin", "HOME": "/nonexistent"}
    return subprocess.run([sys.executable, str(HERE / "standins" / "cargo_zisk.py"), *argv],
                          capture_output=True, text=True, env=env, timeout=60, check=False)


@pytest.mark.parametrize("version, mode, argv, error", [
    ("1.0.0-beta", "gpu", ["prove", "--elf", "e", "--input", "i"], "unexpected argument '--input' found"),
    ("0.16.1", "gpu", ["prove", "--elf", "e", "--gpu"], "unexpected argument '--gpu' found"),
    ("0.18.0", "cpu", ["prove", "--elf", "e", "--gpu"], "unexpected argument '--gpu' found"),
    ("1.0.0-beta", "gpu", ["setup", "--elf", "e", "--gpu"], "unexpected argument '--gpu' found"),
    ("0.18.0", "gpu", ["rom-vkey", "--elf", "e"], "unrecognized subcommand 'rom-vkey'"),
    ("1.0.0-beta", "gpu", ["program-setup", "--elf", "e"], "unrecognized subcommand 'program-setup'"),
    ("1.0.0-beta", "gpu", ["prove", "--elf", "e", "--emulator"], "unexpected argument '--emulator' found"),
    ("0.18.0", "gpu", ["prove", "--elf", "e", "--emulator=1"], "unexpected value '1' for '--emulator'"),
    ("0.18.0", "gpu", ["prove", "--elf"], "a value is required for '--elf'"),
    ("0.18.0", "gpu", ["prove", "--elf", "e", "--elf", "f"], "'--elf' cannot be used multiple times"),
    ("0.18.0", "gpu", ["prove", "--emulator", "--asm", "a"], "'--emulator' cannot be used with '--asm'"),
    ("1.0.0-beta", "gpu", ["prove", "--unlock-mapped-memory"], "required arguments were not provided:\n  --asm"),
    ("0.18.0", "gpu", ["verify"], "required arguments were not provided:\n  --proof"),
])
def test_standin_rejects_what_the_real_tool_rejects(version, mode, argv, error):
    """The stand-ins parse with the golden clap table of the version they impersonate."""
    run = _standin(version, mode, *argv)
    assert run.returncode == 2 and error in run.stderr, run.stderr


def test_standin_accepts_the_deprecated_input_alias_up_to_0_18():
    run = _standin("0.18.0", "gpu", "verify", "--proof", "/nonexistent/proof.bin", "--input", "x")
    assert "unexpected argument '--input'" in run.stderr  # verify has no --input ...
    run = _standin("0.18.0", "gpu", "prove", "--input", "/nonexistent", "--elf")
    assert "a value is required for '--elf'" in run.stderr  # ... prove accepts it as --inputs' alias
