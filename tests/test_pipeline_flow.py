"""End-to-end flow with the test-double leaf prover and the real native aggregator."""
from __future__ import annotations

import pytest
from pipeline_doubles import ToyFormat, backends, range_manifest, write_toy_env

from ixcore.errors import InputError, VerificationError
from ixcore.pipeline import PlanSettings, prove_env
from ixcore.store import FsStore


@pytest.fixture
def env_file(tmp_path):
    return write_toy_env(tmp_path / "a.toy.json", 40)


def run(env_file, tmp_path, k=4, store=None, jobs=1, arity=4, manifest=None, **kw):
    env = ToyFormat().load(env_file)
    manifest = manifest or range_manifest(env, k)
    return prove_env(env_file, backends(store=store, jobs=jobs, **kw), PlanSettings(arity=arity, jobs=jobs),
                     manifest=manifest, workdir=tmp_path / "work")


def test_whole_env_gives_unconditional_root_equal_to_env_root(env_file, tmp_path):
    res = run(env_file, tmp_path)
    assert res.ok and res.unconditional
    assert res.root.claim.subject_root == res.env_root
    assert res.root.claim.mode == 1 and res.fold.aggregations >= 1
    assert [s.status for s in res.shards] == ["proven"] * 4


def test_parallel_jobs_give_the_same_root(env_file, tmp_path):
    one = run(env_file, tmp_path, jobs=1)
    two = run(env_file, tmp_path, jobs=2)
    assert one.root.claim == two.root.claim


def test_rerun_proves_nothing_and_still_verifies(env_file, tmp_path):
    store = FsStore(tmp_path / "store")
    first = run(env_file, tmp_path, store=store)
    again = run(env_file, tmp_path, store=FsStore(tmp_path / "store"))
    assert first.unconditional and again.unconditional
    assert [s.status for s in again.shards] == ["reused"] * 4
    # the first run banked its root: the re-run folds that one stored proof (a toy env
    # given manifest takes the full path rather than reusing that root whole)
    assert not again.leaves and again.stored == (first.root,) and again.fold.aggregations == 1
    assert again.root.claim.subject_root == again.env_root


def test_single_shard_still_aggregates_once(env_file, tmp_path):
    res = run(env_file, tmp_path, k=1)
    assert res.fold.aggregations == 1 and res.root.kind == "agg"


def test_leaf_with_failures_is_rejected_and_not_stored(tmp_path):
    env_file = write_toy_env(tmp_path / "bad.toy.json", 12, bad={5})
    store = FsStore(tmp_path / "store")
    with pytest.raises(VerificationError, match="kernel rejected 1 item"):
        run(env_file, tmp_path, store=store, jobs=1)
    stored = [store.get(e.id) for e in store.entries()]  # the 3 good shards are banked
    assert len(stored) == 3 and all(p.claim.failures == 0 for p in stored) and store.verify().ok
    bad_block = [w for w in ToyFormat().load(env_file).work_items() if w.names == ("c5",)][0].block
    assert bad_block not in store.covered()


def test_manifest_missing_a_block_is_an_input_error(env_file, tmp_path):
    env = ToyFormat().load(env_file)
    m = range_manifest(env, 4)
    import attrs
    short = attrs.evolve(m, shards=(m.shards[0], m.shards[1], m.shards[2], attrs.evolve(m.shards[3], blocks=m.shards[3].blocks[1:])))
    with pytest.raises(InputError, match="neither in a shard nor covered"):
        run(env_file, tmp_path, manifest=short)


def novel_manifest(env, store, k):
    """What store-aware planning hands the prover: shards over the uncovered blocks only."""
    from ixcore.manifest import ShardEntry, ShardManifest, balanced_agg_tree

    covered = store.covered()
    novel = [w.block for w in env.work_items() if not set(w.proven_targets) <= covered]
    chunks = [novel[i * len(novel) // k : (i + 1) * len(novel) // k] for i in range(k)]
    return ShardManifest(0, [ShardEntry(i, len(c), len(c), 0, None, c, ()) for i, c in enumerate(chunks)],
                         balanced_agg_tree(0, k))


def test_second_env_sharing_most_blocks_proves_only_the_novel_ones(tmp_path):
    import json

    a_file = write_toy_env(tmp_path / "a.toy.json", 40)
    blocks = json.loads(a_file.read_text())["blocks"][:36]
    blocks += [{"name": f"d{i}", "refs": ["c35", f"c{i}"] + ([f"d{i-1}"] if i else []), "bad": False} for i in range(4)]
    b_file = tmp_path / "b.toy.json"
    b_file.write_text(json.dumps({"blocks": blocks}))
    store = FsStore(tmp_path / "store")
    first = run(a_file, tmp_path, store=store)
    assert first.unconditional
    b_env = ToyFormat().load(b_file)
    second = run(b_file, tmp_path, store=store, manifest=novel_manifest(b_env, store, 2))
    proven_blocks = sum(len(p.subjects) for p in second.leaves)
    assert proven_blocks == 4 and proven_blocks / len(b_env.work_items()) == 0.1
    assert second.ok and second.unconditional
    assert second.extra_subjects == 4  # A's c36..c39 came along inside a reused leaf


def test_interrupted_run_resumes_from_banked_leaves(tmp_path):
    env_file = write_toy_env(tmp_path / "r.toy.json", 24)
    store = FsStore(tmp_path / "store")
    env = ToyFormat().load(env_file)
    m = range_manifest(env, 4)
    # a run that dies after banking two leaves: bank them by hand, as the pipeline does on arrival
    from pipeline_doubles import ToyLeafProver

    for s in m.shards[:2]:
        store.put(ToyLeafProver().prove(env, list(s.blocks), tmp_path))
    res = run(env_file, tmp_path, store=store, manifest=m)
    assert [s.status for s in res.shards] == ["reused", "reused", "proven", "proven"]
    assert res.unconditional and res.root.claim.subject_root == res.env_root
