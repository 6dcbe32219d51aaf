"""The CLI as scripts and people use it: piped output is whole, -q keeps the result line,
-v counts however spelled, global options work after the command, --config is honoured
(and a missing one is an error) everywhere, typos get suggestions, .ixe inputs to the
ndjson-only backends fail with one line."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from ixcore.cli import _verbosity


def ix(*args, cwd=None, **env):
    run_env = dict(os.environ, **env)
    run_env.pop("COLUMNS", None)
    return subprocess.run([sys.executable, "-m", "ixcore", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env=run_env, timeout=300)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    d = tmp_path_factory.mktemp("habits")
    made = ix("demo-env", "--constants", "40", d / "demo.ndjson")
    assert made.returncode == 0, made.stderr
    return d / "demo.ndjson"


def test_piped_tables_are_never_cut():
    out = ix("plugins")
    assert out.returncode == 0
    assert "…" not in out.stdout
    # the longest hint sits on one line, whole (a pipe is not a terminal: no wrapping)
    line = next(ln for ln in out.stdout.splitlines() if "│ zisk" in ln and "leaf_prover" in ln)
    assert "set plugins.zisk.leaf_elf" in line


def test_piped_prove_lines_are_whole(demo, tmp_path):
    out = ix("prove", demo, "--no-store", "--out", tmp_path / "run")
    assert out.returncode == 0, out.stderr
    first = out.stdout.splitlines()[0]
    assert first.startswith(str(demo)) and first.endswith("verified, unconditional")
    assert any(ln.strip().startswith("phases: load") and ln.rstrip().endswith("s") for ln in out.stdout.splitlines())


def test_quiet_keeps_the_result_line(demo, tmp_path):
    out = ix("-q", "prove", demo, "--no-store", "--out", tmp_path / "run")
    assert out.returncode == 0
    assert out.stdout.splitlines() == [f"{demo}: verified, unconditional"]
    late = ix("prove", demo, "--no-store", "--out", tmp_path / "run2", "-q")
    assert late.stdout.splitlines() == [f"{demo}: verified, unconditional"]


@pytest.mark.parametrize("argv,count", [(["-v", "-v", "x"], 2), (["-vv"], 2), (["--verbose", "--verbose"], 2),
                                        (["-v", "prove", "-v"], 2), (["-vvv"], 3), (["x", "--", "-vv"], 0)])
def test_verbosity_counts_however_spelled(argv, count):
    assert _verbosity(argv) == count


def test_missing_config_is_an_error_for_every_command(tmp_path):
    for args in (["--config", tmp_path / "nope.toml", "plugins"], ["plugins", "--config", tmp_path / "nope.toml"]):
        out = ix(*args)
        assert out.returncode == 2 and "nope.toml: config file not found" in out.stderr


def test_global_options_after_the_command(tmp_path):
    (tmp_path / "ix.toml").write_text("[plugins\n")  # broken TOML: only an error if it is read
    out = ix("plugins", "--config", tmp_path / "ix.toml", "-v")
    assert out.returncode == 2 and "not valid TOML" in out.stderr


def test_unknown_command_suggests():
    out = ix("pluginz")
    assert out.returncode == 2 and "Did you mean 'plugins'?" in out.stderr


def test_ixe_input_to_ndjson_only_backends_is_one_line(tmp_path):
    from ixcore.ixon.fixtures import write_fixture_ixe

    fx = write_fixture_ixe(tmp_path / "fx.ixe")
    for args, needle in ((["prove", fx, "--no-store", "--out", tmp_path / "r"], "leaf provers that read ixe"),
                         (["profile", fx, "--out", tmp_path / "p.ixprof"], "profilers that read ixe: static"),
                         (["check", fx], "ix check reads lean4export NDJSON")):
        out = ix(*args)
        assert out.returncode == 2, (args, out.stderr)
        assert needle in out.stderr and "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_json_stays_clean(demo, tmp_path):
    out = ix("prove", demo, "--no-store", "--out", tmp_path / "run", "--json")
    assert json.loads(out.stdout)["verified"] is True


def test_config_is_found_upwards_and_a_conflict_is_an_error(tmp_path):
    from ixcore.config import load_config
    from ixcore.errors import ConfigError

    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    (tmp_path / "ix.toml").write_text('partitioner = "range"\n')
    config = load_config(cwd=sub)
    assert config["partitioner"] == "range" and config.source == str(tmp_path / "ix.toml")
    (tmp_path / "a" / "pyproject.toml").write_text('[tool.ix]\npartitioner = "kahypar"\n')
    assert load_config(cwd=sub)["partitioner"] == "kahypar"  # the nearest wins
    (tmp_path / "a" / "ix.toml").write_text('partitioner = "range"\n')
    with pytest.raises(ConfigError, match="both ix.toml and"):
        load_config(cwd=sub)


def test_inspect_accepts_a_run_directory(demo, tmp_path):
    run = tmp_path / "run"
    assert ix("prove", demo, "--no-store", "--out", run).returncode == 0
    out = ix("inspect", run, "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["type"] == "run" and data["verified"] is True and data["root_proof"]["kind"] == "agg"
    bad = ix("inspect", tmp_path)
    assert bad.returncode == 2 and "without report.json" in bad.stderr


def test_backend_names_complete(tmp_path):
    out = ix("prove", "x", "--partitioner", "mt", _IX_COMPLETE="bash_complete", COMP_WORDS="ix prove x --partitioner mt",
             COMP_CWORD="4")
    assert "mtkahypar" in out.stdout


@pytest.mark.parametrize("argv", [("check", "{demo}"), ("plugins",), ("prove", "{demo}", "--out", "{tmp}/run")])
def test_a_closed_pipe_exits_141_whoever_writes(demo, tmp_path, argv):
    """`ix … | head` where the reader has gone: rich's console and plain writes alike end
    with 141 (128 + SIGPIPE), never 1 (a failed verification) and never a traceback."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before ix writes its first byte
    try:
        args = [a.format(demo=demo, tmp=tmp_path) for a in argv]
        out = subprocess.run([sys.executable, "-m", "ixcore", *args], stdout=write_end, stderr=subprocess.PIPE,
                             text=True, timeout=300, check=False)
    finally:
        os.close(write_end)
    assert out.returncode == 141, out.stderr
    assert "Traceback" not in out.stderr
