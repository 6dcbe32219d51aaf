"""`ix compare` compares what the runs claim: a shard reused from the store equals the run
that proved it, a different subject differs, and unmeasured values stay unknown."""
from __future__ import annotations

from pathlib import Path

from ixcore.cli.compare import RunReport, compare_runs


def report(rows):
    return RunReport(Path("r"), {r["shard"]: r for r in rows})


PROVEN = {"shard": 0, "status": "proven", "subject_root": "aa", "assumptions_root": "bb", "steps": None, "seconds": 1.5,
          "proof_size": 10, "peak_memory": 5}
REUSED = {"shard": 0, "status": "reused", "subject_root": "aa", "assumptions_root": "", "steps": None, "seconds": 0.0,
          "proof_size": 0, "peak_memory": 0}


def test_a_reused_shard_equals_the_run_that_proved_it():
    result = compare_runs(report([PROVEN]), report([REUSED]))
    assert result["shards"][0]["claim_equal"] is True and result["all_claims_equal"]


def test_different_subjects_or_assumptions_differ():
    other = dict(PROVEN, subject_root="cc")
    assert compare_runs(report([PROVEN]), report([other]))["shards"][0]["claim_equal"] is False
    other = dict(PROVEN, assumptions_root="dd")
    assert compare_runs(report([PROVEN]), report([other]))["shards"][0]["claim_equal"] is False


def test_a_report_without_claims_is_unknown_not_equal():
    blank = dict(PROVEN, subject_root="")
    result = compare_runs(report([PROVEN]), report([blank]))
    assert result["shards"][0]["claim_equal"] is None and not result["all_claims_equal"]


def test_unknown_steps_total_is_unknown():
    result = compare_runs(report([PROVEN]), report([dict(PROVEN, steps=7)]))
    assert result["totals"]["steps"] == [None, 7]
    assert result["totals"]["seconds"] == [1.5, 1.5]
