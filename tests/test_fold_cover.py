"""Folding cost follows the env, not the store: a small cover of what the run does not
prove, looked up by target (unrelated proofs are never read), closed over assumptions
only where nothing taken or novel discharges them."""
from __future__ import annotations

import sqlite3

from pipeline_doubles import (
    ToyFormat,
    ToyLeafProver,
    backends,
    range_manifest,
    write_toy_env,
)
from test_store_fs import a, entry, leaf

from ixcore.pipeline import PlanSettings, prove_env
from ixcore.store import FsStore, choose_cover, lookup_in


def test_greedy_takes_the_big_proof_not_every_overlapping_one():
    big = entry(0, [f"x{i}" for i in range(10)])
    windows = [entry(i + 1, [f"x{i}", f"x{i + 1}"]) for i in range(9)]
    chosen = choose_cover(lookup_in(windows + [big]), [a(f"x{i}") for i in range(10)], [])
    assert [e.id for e in chosen] == [a("p0")]


def test_assumptions_are_closed_over_only_when_nothing_discharges_them():
    # p0 covers x assuming y and n; n is novel, p1 covers y (taken), p2 also covers y (not needed)
    entries = [entry(0, ["x"], ["y", "n"]), entry(1, ["y", "z"]), entry(2, ["y"])]
    chosen = choose_cover(lookup_in(entries), [a("x")], [a("n")])
    assert [e.id for e in chosen] == [a("p0"), a("p2")]  # p2: covers y with no extra subject


def test_lookup_reads_only_proofs_touching_the_targets(tmp_path, monkeypatch):
    store = FsStore(tmp_path)
    wanted = store.put(leaf([1, 2], [3]))
    for i in range(50):
        store.put(leaf([1000 + i]))  # unrelated
    monkeypatch.setattr(store.index, "entries", lambda *a, **k: (_ for _ in ()).throw(AssertionError("full scan")))
    assert [e.id for e in store.find_covering([a(1), a(2)])] == [wanted]
    assert store.covered(among=[a(1), a(5), a(1003)]) == {a(1), a(1003)}


def test_a_version_1_index_is_upgraded_on_open(tmp_path):
    store = FsStore(tmp_path)
    pid = store.put(leaf([7, 8]))
    store.index.close()
    db = sqlite3.connect(tmp_path / "index.sqlite")
    db.execute("DROP TABLE subjects")
    db.execute("PRAGMA user_version = 0")
    db.commit()
    db.close()
    again = FsStore(tmp_path)
    assert [e.id for e in again.find_covering([a(7)])] == [pid]
    assert again.covered(among=[a(8)]) == {a(8)}


def test_overlapping_stored_proofs_do_not_grow_the_fold(tmp_path):
    """The issue's case in small: half the env proven earlier (2 leaves), then 60 proofs of
    overlapping windows of that half; the next run folds the 2 leaves, not 62 proofs."""
    env_file = write_toy_env(tmp_path / "e.toy.json", 80)
    env = ToyFormat().load(env_file)
    items = env.work_items()
    store = FsStore(tmp_path / "st")
    half = range_manifest(env, 4).shards[:2]
    for s in half:
        store.put(ToyLeafProver().prove(env, list(s.blocks), tmp_path))
    first_half = [b for s in half for b in s.blocks]
    for i in range(60):
        start = (i * 7) % (len(first_half) - 8)
        store.put(ToyLeafProver().prove(env, first_half[start : start + 8], tmp_path))
    res = prove_env(env_file, backends(store=store), PlanSettings(), manifest=range_manifest(env, 4), workdir=tmp_path / "w")
    assert res.unconditional and res.root.claim.subject_root == res.env_root
    assert len(res.stored) == 2 and res.extra_subjects == 0 and len(items) == 80
