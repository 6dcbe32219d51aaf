"""The `ix` start-up stays light: a command imports what it runs, not every command's
libraries (numpy, rich, the proof and key modules, every env format). Each case runs in
a fresh interpreter and lists the modules it imported."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

#: Modules (by prefix) that neither `ix --version`, `ix check --help` nor `ix --json
#: check FILE.ndjson` needs.
NOT_FOR_CHECK = ("numpy", "matplotlib", "ixcore.formats", "ixcore.proofio", "ixcore.verify",
                 "ixcore.keys", "ix_native.env", "concurrent.futures.process")
#: Also not needed before any command runs.
NOT_FOR_HELP = NOT_FOR_CHECK + ("rich", "ix_native.lean", "ixcore.config")

EXPORT = '{"meta":{"format":{"version":"3.1.0"}}}\n'


def _imported(args: list[str]) -> list[str]:
    code = (
        "import sys, json\n"
        "from ixcore.cli import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, None), exc.code\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stderr.strip().splitlines()[-1])


def _heavy(modules: list[str], prefixes: tuple[str, ...]) -> list[str]:
    return [m for m in modules if any(m == p or m.startswith(p + ".") for p in prefixes)]


@pytest.mark.parametrize("args", [["--version"], ["check", "--help"]])
def test_version_and_help_import_no_command_libraries(args):
    assert _heavy(_imported(args), NOT_FOR_HELP) == []


def test_check_of_an_export_imports_no_other_format_or_command(tmp_path):
    path = tmp_path / "empty.ndjson"
    path.write_text(EXPORT)
    modules = _imported(["--json", "check", str(path)])
    assert "ix_native.lean.checker" in modules  # the case did check the file
    assert _heavy(modules, NOT_FOR_CHECK) == []


def test_a_builtin_command_still_loads_on_demand():
    """Built-in commands are imported when named (or listed), with the global options."""
    modules = _imported(["verify", "--help"])
    assert "ixcore.verify" in modules


def test_a_fully_reused_prove_imports_no_planning_or_plotting_libraries(tmp_path, monkeypatch):
    """The re-run of a proven env verifies the stored root and writes the report: no
    numpy, rich, matplotlib, partitioner, kernel or fleet model (ixcore.reuse)."""
    from ix_native.demo_env import write_demo_env

    monkeypatch.setenv("IX_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("IX_NO_ENV_CACHE", raising=False)
    env = write_demo_env(tmp_path / "d.ndjson", constants=60, seed=3).path
    args = ["--json", "prove", str(env), "--store", str(tmp_path / "st"), "--jobs", "1"]
    first = _imported([*args, "--out", str(tmp_path / "r1")])
    assert "numpy" in first  # the first run plans and proves
    again = _imported([*args, "--out", str(tmp_path / "r2")])
    assert "ixcore.reuse" in again
    heavy = ("numpy", "matplotlib", "rich", "ix_partitioners.mtkahypar_partitioner", "ix_native.lean.checker",
             "ix_native.lean.export", "gmpy2", "ixcore.fleet")  # not even the parser: the env is sniffed, its root read from the index
    assert _heavy(again, heavy) == []


def test_the_builtin_command_table_names_each_command_s_module():
    """`BUILTIN_MODULES` (which module to import for a command name) matches the modules."""
    import importlib
    import pkgutil

    from ixcore import cli

    found = {}
    for info in pkgutil.iter_modules(cli.__path__):
        if not info.name.startswith("_") and info.name != "context":
            for command in getattr(importlib.import_module(f"ixcore.cli.{info.name}"), "COMMANDS", ()):
                found[command.name] = info.name
    assert found == cli.BUILTIN_MODULES
