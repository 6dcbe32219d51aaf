"""The leaf's sub-env is checked from the declarations it was written from, never from
anything but the bytes its claim binds: same verdicts and work as parsing the file, and a
file changed after writing is parsed, not trusted."""
from __future__ import annotations

import blake3
import pytest

from ix_native.demo_env import write_demo_env
from ix_native.env import NativeEnv, NdjsonFormat
from ix_native.kernel_seam import check_blocks, native_leaf_prover
from ix_native.subenv import SubEnv, load_sub_env


@pytest.fixture(scope="module")
def corrupt_env(tmp_path_factory):
    rep = write_demo_env(tmp_path_factory.mktemp("env") / "bad.ndjson", constants=150, seed=5, corrupt=3)
    return NdjsonFormat().load(rep.path)


def _shards(env):
    order = env.closure([w.block for w in env.work_items()])
    return [order[: len(order) // 2], order[len(order) // 2 :], order[-7:]]


def test_written_sub_env_checks_as_its_parsed_file(corrupt_env, tmp_path):
    for k, shard in enumerate(_shards(corrupt_env)):
        path = corrupt_env.write_sub_env(shard, tmp_path / f"sub-{k}")
        mem = load_sub_env(path)
        assert isinstance(mem, SubEnv)
        assert mem.digest == blake3.blake3(path.read_bytes()).digest()
        parsed = NdjsonFormat().load(path)
        assert [[d.name for d in mem.decls_of(b)] for b in shard] == [[d.name for d in parsed.decls_of(b)] for b in shard]
        assert check_blocks(mem, shard) == check_blocks(parsed, shard)


def test_corpus_sub_env_checks_as_its_parsed_file(shared_dir, tmp_path):
    env = NdjsonFormat().load(shared_dir / "lean-exports/nyaya/good/init-prelude.ndjson")
    order = env.closure([w.block for w in env.work_items()])
    shard = order[len(order) // 2 : len(order) // 2 + 40]
    path = env.write_sub_env(shard, tmp_path / "sub")
    assert check_blocks(load_sub_env(path), shard) == check_blocks(NdjsonFormat().load(path), shard)


def test_a_sub_env_changed_after_writing_is_parsed(corrupt_env, tmp_path):
    shard = _shards(corrupt_env)[2]
    path = corrupt_env.write_sub_env(shard, tmp_path / "sub")
    data = path.read_bytes()
    path.write_bytes(data.replace(b'"isUnsafe":false', b'"isUnsafe":true ', 1))
    got = load_sub_env(path)
    assert isinstance(got, NativeEnv)
    # taken once: a second load of the same bytes parses too
    path.write_bytes(data)
    assert isinstance(load_sub_env(path), NativeEnv)


def test_a_sub_env_written_elsewhere_is_parsed(corrupt_env, tmp_path):
    shard = _shards(corrupt_env)[2]
    corrupt_env.write_sub_env(shard, tmp_path / "a")
    other = tmp_path / "b"
    other.write_bytes((tmp_path / "a").read_bytes())
    assert isinstance(load_sub_env(other), NativeEnv)


def test_leaf_claim_binds_the_written_bytes_and_re_executes(corrupt_env, tmp_path):
    leaf = native_leaf_prover()
    for k, shard in enumerate(_shards(corrupt_env)):
        proof = leaf.prove(corrupt_env, shard, tmp_path / f"leaf-{k}")
        assert bytes(proof.claim.env_hash) == blake3.blake3((tmp_path / f"leaf-{k}" / "sub-env").read_bytes()).digest()
        if not proof.claim.failures:
            leaf.verify(proof, reexecute=True, env=corrupt_env)
    assert any(leaf.prove(corrupt_env, s, tmp_path / "again").claim.failures for s in _shards(corrupt_env))
