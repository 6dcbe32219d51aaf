"""`ix shard` and `ix shard compare` through the real CLI (exit codes, JSON, files)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest


def ix(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "ixcore", *map(str, args)], capture_output=True, text=True, cwd=cwd)


@pytest.fixture(scope="module")
def profile(shared_dir):
    return shared_dir / "golden/ix/profiles/synth_n200.v1.ixprof"


def test_shard_writes_a_manifest_and_its_sidecar(profile, tmp_path):
    from ixcore.formats.ixes import read_ixes, read_ixes_meta

    out = tmp_path / "m.ixes"
    run = ix("shard", profile, "--shards", 4, "--partitioner", "range", "--cost-model", "zisk-411", "--out", out, "--json")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["summary"]["shards"] == 4 and data["meta"]["partitioner"] == "range"
    assert len(read_ixes(out).shards) == 4
    meta = read_ixes_meta(out)
    assert meta["cost_model"] == "zisk-411" and meta["k"] == 4 and meta["seed"] == 42


def test_shard_cap_mode_from_ram(profile, tmp_path):
    run = ix("shard", profile, "--max-ram", 512, "--cost-model", "zisk-411", "--partitioner", "range", "--out", tmp_path / "c.ixes", "--json")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["meta"]["mode"] == "pack"
    shards = data["summary"]["per_shard"]
    assert all(s["ram_gib"] <= 512 * 0.85 + 1e-6 or s["blocks"] == 1 for s in shards)  # alone: the atomic floor


@pytest.mark.parametrize("args,needle", [
    (["--shards", "0"], "at least 1"),
    (["--shards", "2", "--cost-model", "nope"], "unknown cost model"),
    (["--shards", "2", "--partitioner", "metis"], "unknown partitioner"),
])
def test_bad_input_exits_2_with_one_line(profile, tmp_path, args, needle):
    run = ix("shard", profile, *args, "--out", tmp_path / "x.ixes")
    assert run.returncode == 2
    assert needle in run.stderr and "Traceback" not in run.stderr


def test_malformed_profile_exits_2(tmp_path):
    bad = tmp_path / "bad.ixprof"
    bad.write_bytes(b"IXPROF\0\0" + b"\x07\0\0\0")
    run = ix("shard", bad, "--shards", 2, "--out", tmp_path / "x.ixes")
    assert run.returncode == 2 and "bad.ixprof" in run.stderr and "Traceback" not in run.stderr


def test_compare_writes_table_json_chart_and_checks_determinism(profile, tmp_path):
    run = ix("shard", "compare", profile, "--partitioners", "range,mtkahypar", "--shards", 4, "--cost-model", "zisk-411",
             "--out-dir", tmp_path, "--json")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    rows = {r["partitioner"]: r for r in data["results"]}
    assert rows["mtkahypar"]["byte_identical_rerun"] is True
    assert rows["mtkahypar"]["km1"] < rows["range"]["km1"]
    assert (tmp_path / "compare.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads((tmp_path / "compare.json").read_text())["results"] == data["results"]


def test_compare_writes_where_out_says_and_nothing_without_it(profile, tmp_path):
    run = ix("shard", "compare", profile, "--partitioners", "range", "--shards", 4, "--out", tmp_path / "c" / "cmp.json",
             cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "c" / "cmp.json").is_file() and (tmp_path / "c" / "cmp.png").is_file()
    assert not list(tmp_path.glob("compare.*"))
    run = ix("shard", "compare", profile, "--partitioners", "range", "--shards", 4, cwd=tmp_path)
    assert run.returncode == 0 and "no files written" in run.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c"]


def test_store_aware_shard_leaves_out_covered_blocks(profile, tmp_path):
    from ixcore.address import ZERO
    from ixcore.formats.ixes import read_ixes
    from ixcore.formats.ixprof import read_ixprof
    from ixcore.merkle import merkle_root
    from ixcore.model import Claim, Proof
    from ixcore.store import FsStore

    blocks = read_ixprof(profile).addrs
    covered = blocks[:50]
    claim = Claim(ZERO, 0, merkle_root(covered), ZERO, len(covered))
    FsStore(tmp_path / "store").put(Proof("native", "leaf", ZERO, claim, sorted(covered), (), b"", "test"))
    out = tmp_path / "m.ixes"
    run = ix("shard", profile, "--shards", 2, "--partitioner", "range", "--store", tmp_path / "store", "--out", out, "--json")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["meta"]["excluded_blocks"] == 50
    planned = {b for s in read_ixes(out).shards for b in s.blocks}
    assert planned == set(blocks[50:])


def test_shard_an_environment_through_its_static_profile(shared_dir, tmp_path, host):
    assert "ndjson" in host.registry("env_format"), "ix-native (installed by scripts/install.sh) is not registered"
    env = shared_dir / "lean-exports/nyaya/good/perf/app-lam.ndjson"
    run = ix("shard", env, "--shards", 3, "--partitioner", "mtkahypar", "--cost-model", "zisk-411", "--out", tmp_path / "e.ixes", "--json")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["summary"]["shards"] == 3 and len(data["meta"]["env_root"]) == 64
