"""`ix schedule`, `ix fleet`, `ix shard --fleet` and `ix shard compare --fleet` through the CLI."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

FLEET = """
[[fleet.workers]]
name = "big"
count = 2
ram_gib = 512
cost_model = "zisk-main"
[[fleet.workers]]
name = "small"
count = 4
ram_gib = 128
cost_model = "zisk-main"
"""


def ix(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "ixcore", *map(str, args)], check=False, capture_output=True, text=True, cwd=cwd)


@pytest.fixture(scope="module")
def profile(shared_dir):
    return shared_dir / "golden/ix/profiles/synth_n5000.v2.ixprof"


@pytest.fixture
def fleet(tmp_path):
    path = tmp_path / "fleet.toml"
    path.write_text(FLEET)
    return path


def test_shard_with_a_fleet_records_the_choice_and_schedule_reads_it(profile, fleet, tmp_path):
    from ixcore.formats.ixes import read_ixes, read_ixes_meta

    out = tmp_path / "m.ixes"
    run = ix("shard", profile, "--fleet", fleet, "--partitioner", "range", "--out", out, "--json")
    assert run.returncode == 0, run.stderr
    meta = read_ixes_meta(out)
    rec = meta["fleet"]
    assert rec["chosen_k"] == meta["k"] == len(read_ixes(out).shards)
    assert rec["fleet"]["workers"] == 6 and rec["search"] == "shards" and "model" in rec["model"]
    assert all(r["makespan_s"] >= rec["runners_up"][0]["makespan_s"] for r in rec["runners_up"])

    png = tmp_path / "g.png"
    sched = ix("schedule", out, "--fleet", fleet, "--png", png, "--json")  # the profile comes from the sidecar
    assert sched.returncode == 0, sched.stderr
    data = json.loads(sched.stdout)
    assert data["profile"] == str(profile) and data["makespan_s"] == pytest.approx(rec["predicted_makespan_s"])
    assert data["leaves"] == len(read_ixes(out).shards) and "model" in data["model"]
    assert {r["class"] for r in data["classes"]} == {"big", "small"} and 0 <= data["idle_fraction"] < 1
    assert data["critical_path"][-1]["finish_s"] == pytest.approx(data["makespan_s"])
    assert png.read_bytes()[:4] == b"\x89PNG"
    human = ix("schedule", out, "--fleet", fleet)
    assert human.returncode == 0 and "predicted makespan" in human.stdout and "a model" in human.stdout.replace("\n", " ")


def test_schedule_errors_are_one_line_with_exit_2(profile, fleet, tmp_path):
    out = tmp_path / "m.ixes"
    assert ix("shard", profile, "--shards", 2, "--partitioner", "range", "--cost-model", "zisk-main", "--out", out).returncode == 0
    tiny = tmp_path / "tiny.toml"
    tiny.write_text(FLEET.replace("512", "38").replace("128", "38"))  # 85 % of 38 < the 33.1 GiB base
    run = ix("schedule", out, "--fleet", tiny)
    assert run.returncode == 2 and "cannot hold the prover's base" in run.stderr and "Traceback" not in run.stderr
    run = ix("schedule", out, "--fleet", fleet)  # 2 shards of 5,000 blocks: too big for any class
    assert run.returncode == 2 and "fits no worker class" in run.stderr and "heaviest block" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
    no_fleet = ix("schedule", out, cwd=tmp_path)
    assert no_fleet.returncode == 2 and "needs a fleet" in no_fleet.stderr
    conflict = ix("shard", profile, "--fleet", fleet, "--shards", 3, "--out", tmp_path / "x.ixes")
    assert conflict.returncode == 2 and "drop --shards" in conflict.stderr


def test_compare_with_a_fleet_adds_campaign_columns(profile, fleet, tmp_path):
    run = ix("shard", "compare", profile, "--partitioners", "range", "--shards", 200,
             "--fleet", fleet, "--out-dir", tmp_path, "--json")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    row = data["results"][0]
    assert row["makespan_s"] > 0 and row["worker_hours"] > 0 and row["peak_ram_gib"] > 0
    assert data["cost_model"] == "zisk-main"  # without --cost-model: the fleet's, not the leaf prover's


def test_fleet_check_and_fit(fleet, tmp_path):
    run = ix("fleet", "check", fleet, "--json")
    assert run.returncode == 0, run.stderr
    assert [c["name"] for c in json.loads(run.stdout)["classes"]] == ["big", "small"]
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"aggregations": 1, "phases": {"fold": 0.1}, "shards": [
        {"status": "proven", "work": 1000, "seconds": 0.3}, {"status": "proven", "work": 3000, "seconds": 0.5}]}))
    fit = ix("fleet", "fit", report, "--workers", 2, "--json")
    assert fit.returncode == 0, fit.stderr
    data = json.loads(fit.stdout)
    assert data["time"]["slope"] == pytest.approx(100.0) and data["time"]["base"] == pytest.approx(0.2)
    assert set(data["run"]) >= {"start_base_s", "start_per_unit_s", "wave_s", "agg_per_unit_s"}
