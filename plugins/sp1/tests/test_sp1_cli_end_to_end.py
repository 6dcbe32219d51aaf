"""The user path on one manifest of the fixture .ixe (stand-in toolchains on PATH):
`ix prove` with zisk, `ix compare` of two runs, and sp1 as Ix's host allows (execute only)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

IX = [sys.executable, "-m", "ixcore"]


def _ix(*args, cwd):
    return subprocess.run([*IX, *args], cwd=cwd, capture_output=True, text=True, env=dict(os.environ), timeout=300, check=False)


@pytest.fixture
def project(tmp_path, monkeypatch, fixture_env, make_manifest, standin_installer):
    load_installer = standin_installer
    from ixcore.formats.ixes import write_ixes

    zisk = load_installer("zisk").install_zisk(tmp_path, monkeypatch)
    load_installer("sp1").install_sp1(tmp_path, monkeypatch)
    (tmp_path / "ix.toml").write_text(
        # zk leaf provers plan from the static profile (ixcore's built-in `static` profiler),
        # which keeps this test independent of the native kernel
        'agg_prover = "zisk"\nprofiler = "static"\n[plugins.zisk]\n'
        + "".join(f'{k} = "{v}"\n' for k, v in zisk.items())
        + '[plugins.sp1]\nprover = "mock"\n'
    )
    write_ixes(make_manifest(fixture_env, 3), tmp_path / "m.ixes")
    monkeypatch.chdir(tmp_path)
    return tmp_path, Path(fixture_env.path)


def test_zisk_proves_sp1_executes_then_compare(project):
    """`ix prove` with zisk twice (two arities) and `ix compare`; sp1 refuses to prove with
    the requirement (exit 3, one line, nothing run) and calibrates by executing."""
    cwd, env = project
    common = ["--manifest", "m.ixes", "--no-store", "--jobs", "1", "--json"]
    runs = {}
    for arity in ("2", "3"):
        z = _ix("prove", str(env), "--leaf-prover", "zisk", "--out", f"run-{arity}", "--arity", arity, *common, cwd=cwd)
        assert z.returncode == 0, z.stderr
        runs[arity] = json.loads(z.stdout)
        assert runs[arity]["verified"] and runs[arity]["unconditional"] and runs[arity]["subject_equals_env_root"]
    s = _ix("prove", str(env), "--leaf-prover", "sp1", "--out", "run-sp1", "--arity", "2", *common, cwd=cwd)
    assert s.returncode == 3 and "needs Ix's sp1-host with flags --check-list" in s.stderr, s.stderr
    assert "Traceback" not in s.stderr and not (cwd / "run-sp1" / "report.json").exists()
    cal = _ix("calibrate", str(env), "--manifest", "m.ixes", "--leaf-prover", "sp1", "--out", "sp1-cal.json", "--json", cwd=cwd)
    assert cal.returncode == 0, cal.stderr
    assert all(r["steps"] > 0 for r in json.loads((cwd / "sp1-cal.json").read_text())["shards"])

    c = _ix("compare", "run-2", "run-3/report.json", "--png", "cmp.png", "--json", cwd=cwd)
    assert c.returncode == 0, c.stderr
    cmp = json.loads(c.stdout)
    assert cmp["all_claims_equal"] and len(cmp["shards"]) == 3
    assert all(r["steps"][0] > 0 and r["steps"][0] == r["steps"][1] for r in cmp["shards"])
    assert (cwd / "cmp.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    human = _ix("compare", "run-2", "run-3", cwd=cwd)
    assert human.returncode == 0 and "equal" in human.stdout


def test_compare_rejects_a_non_report(tmp_path):
    bad = tmp_path / "report.json"
    bad.write_text('{"shards": [{"shard": "x"}]}')
    r = _ix("compare", str(bad), str(bad), cwd=tmp_path)
    assert r.returncode == 2 and "shards[0] has no integer 'shard' id" in r.stderr and "Traceback" not in r.stderr
