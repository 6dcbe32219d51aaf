"""`ix prove` sizing default, run directories and argument errors (no plugin needed)."""
from __future__ import annotations

import subprocess
import sys

from ixcore.cli.prove import fresh_run_dir
from ixcore.pipeline import default_shard_count


def test_default_shards_keep_every_worker_busy_and_aggregate_several_leaves():
    assert default_shard_count(jobs=1, blocks=100) == 2
    assert default_shard_count(jobs=2, blocks=100) == 2
    assert default_shard_count(jobs=8, blocks=100) == 8
    assert default_shard_count(jobs=8, blocks=3) == 3
    assert default_shard_count(jobs=4, blocks=1) == 1


def test_runs_of_the_same_second_get_their_own_directories(tmp_path):
    made = [fresh_run_dir(tmp_path / "runs") for _ in range(3)]
    assert len(set(made)) == 3 and all(p.is_dir() and not any(p.iterdir()) for p in made)


def test_two_sizes_are_a_config_error_exit_2(tmp_path):
    env = tmp_path / "env.ndjson"
    env.write_text("{}\n")
    run = subprocess.run([sys.executable, "-m", "ixcore", "prove", str(env), "--shards", "2", "--max-cost", "5"],
                         capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == ["ix: error: --shards, --max-ram and --max-cost are alternatives; give one"]
