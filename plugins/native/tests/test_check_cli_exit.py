"""`ix check` leaves by os._exit after flushing (no teardown of the expression graph): the
report must still be complete on a pipe, and the exit codes unchanged."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ix_native.demo_env import write_demo_env

IX = str(Path(sys.executable).with_name("ix"))


def test_report_is_complete_and_exit_code_zero(tmp_path):
    ok = write_demo_env(tmp_path / "ok.ndjson", constants=120, seed=2).path
    res = subprocess.run([IX, "--json", "check", str(ok), str(ok)], capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)  # the whole document arrived before the process left
    assert [r["verdict"] for r in doc["results"]] == ["accept", "accept"]


def test_a_rejected_file_exits_1_with_the_whole_report(tmp_path):
    ok = write_demo_env(tmp_path / "ok.ndjson", constants=120, seed=2).path
    bad = write_demo_env(tmp_path / "bad.ndjson", constants=120, seed=2, corrupt=1).path
    res = subprocess.run([IX, "--json", "check", str(ok), str(bad)], capture_output=True, text=True, check=False)
    assert res.returncode == 1, res.stderr
    doc = json.loads(res.stdout)
    assert [r["verdict"] for r in doc["results"]] == ["accept", "reject"]


def test_mismatch_still_exits_1(tmp_path):
    bad = write_demo_env(tmp_path / "bad.ndjson", constants=120, seed=2, corrupt=1).path
    manifest = tmp_path / "MANIFEST.tsv"
    manifest.write_text("file\texpected\nbad.ndjson\taccept\n")
    res = subprocess.run([IX, "check", str(bad), "--expect", str(manifest)], capture_output=True, text=True,
                         check=False)
    assert res.returncode == 1, (res.stdout, res.stderr)
