"""The env index cache: a hit reproduces a cold load without parsing, a changed file or a
damaged cache file is never trusted, the export loads lazily and must match the index."""
from __future__ import annotations

import pickle

import pytest

from ix_native.demo_env import write_demo_env
from ix_native.env import NdjsonFormat
from ix_native.env_index import IndexCache, cache_dir
from ixcore.errors import InputError


@pytest.fixture
def env_file(tmp_path):
    path = tmp_path / "demo.ndjson"
    write_demo_env(path, constants=200, seed=3)
    return path


def snapshot(env):
    items = env.work_items()
    names = {str(t): env.name_of(t) for w in items for t in w.proven_targets}
    sizes = [env.block_size(w.block) for w in items]
    refs = [sorted(env.block_refs(w.block)) for w in items]
    return items, env.env_root(), names, sizes, refs


def index_files(d):
    return sorted(p for p in d.glob("*.idx"))


def test_hit_matches_cold_load_without_parsing(cache, env_file, monkeypatch):
    cold = NdjsonFormat().load(env_file)
    assert len(index_files(cache)) == 1
    # a hit must not parse the export at all
    monkeypatch.setattr("ix_native.lean.export.read_export", _forbidden_parse)
    warm = NdjsonFormat().load(env_file)
    assert warm._full is None
    assert snapshot(warm) == snapshot(cold)
    assert warm.closure([w.block for w in warm.work_items()[:3]]) == cold.closure([w.block for w in cold.work_items()[:3]])
    assert warm.static_profile().addrs == cold.static_profile().addrs


def _forbidden_parse(path):
    raise AssertionError(f"export {path} parsed although its index is cached")


def test_modified_file_misses(cache, env_file):
    first = NdjsonFormat().load(env_file)
    with open(env_file, "a") as fh:
        fh.write("\n")  # same declarations, different bytes: a different key
    second = NdjsonFormat().load(env_file)
    assert second._full is not None  # parsed, not taken from the old entry
    assert len(index_files(cache)) == 2
    assert second.env_root() == first.env_root()


@pytest.mark.parametrize("damage", ["flip_payload_byte", "truncate", "wrong_magic"])
def test_corrupt_cache_file_is_ignored_and_rewritten(cache, env_file, damage):
    cold = NdjsonFormat().load(env_file)
    (f,) = index_files(cache)
    good = f.read_bytes()
    if damage == "flip_payload_byte":
        bad = good[:-10] + bytes([good[-10] ^ 1]) + good[-9:]
    elif damage == "truncate":
        bad = good[:20]
    else:
        bad = b"NOTANIDX" + good[8:]
    f.write_bytes(bad)
    again = NdjsonFormat().load(env_file)
    assert again._full is not None  # the damaged entry was not used
    assert f.read_bytes() == good
    assert snapshot(again) == snapshot(cold)


def test_entry_for_another_key_is_not_trusted(cache, env_file, tmp_path):
    NdjsonFormat().load(env_file)
    other = tmp_path / "other.ndjson"
    write_demo_env(other, constants=120, seed=5)
    # an intact entry copied under the other file's key: checksum fine, key wrong
    src = index_files(cache)[0]
    dst = IndexCache.for_env(other).file
    dst.write_bytes(src.read_bytes())
    env = NdjsonFormat().load(other)
    assert env._full is not None
    assert IndexCache.for_env(other).load().root == env.env_root()


def test_full_export_loads_lazily_on_write_sub_env(cache, env_file, tmp_path):
    cold = NdjsonFormat().load(env_file)
    warm = NdjsonFormat().load(env_file)
    assert warm._full is None
    block = next(w.block for w in warm.work_items() if "Nat.add" in w.names)
    out = warm.write_sub_env([block], tmp_path / "sub.ndjson")
    assert warm._full is not None
    assert out.read_bytes() == cold.write_sub_env([block], tmp_path / "sub-cold.ndjson").read_bytes()
    assert warm.block_record(block) == cold.block_record(block)


def test_index_that_disagrees_with_the_file_is_dropped(cache, env_file):
    NdjsonFormat().load(env_file)
    warm = NdjsonFormat().load(env_file)
    entry = warm._cache
    # the file changes under a lazily loaded env: the late parse must not be trusted
    write_demo_env(env_file, constants=150, seed=4)
    with pytest.raises(InputError, match="no longer matches its cached env index"):
        warm.decls_of(warm.work_items()[0].block)
    assert not entry.file.exists()


def test_pickled_env_reloads_the_export_in_the_worker(cache, env_file):
    NdjsonFormat().load(env_file)
    warm = NdjsonFormat().load(env_file)
    warm.load_full()
    clone = pickle.loads(pickle.dumps(warm))
    assert clone._full is None and snapshot(clone) == snapshot(warm)
    block = warm.work_items()[0].block
    assert [d.name for d in clone.decls_of(block)] == [d.name for d in warm.decls_of(block)]


def test_no_env_cache_disables_it(cache, env_file, monkeypatch):
    monkeypatch.setenv("IX_NO_ENV_CACHE", "1")
    assert cache_dir() is None
    NdjsonFormat().load(env_file)
    env = NdjsonFormat().load(env_file)
    assert env._full is not None
    assert not cache.exists()


def test_cache_dir_precedence(monkeypatch, tmp_path):
    monkeypatch.delenv("IX_NO_ENV_CACHE", raising=False)
    monkeypatch.setenv("IX_CACHE_DIR", str(tmp_path / "a"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert cache_dir() == tmp_path / "a"
    monkeypatch.delenv("IX_CACHE_DIR")
    assert cache_dir() == tmp_path / "x" / "ix" / "env-index"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "ix" / "env-index"
