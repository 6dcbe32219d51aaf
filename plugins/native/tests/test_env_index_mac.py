"""The env-index cache is a speed-up, never an authority (issue 10, part 5): an entry is
used only when its MAC verifies under this machine's key and binds the source file's
hash; `ix verify` never reads the cache at all."""
from __future__ import annotations

import json
import subprocess
import sys

import blake3
import pytest

from ix_native.demo_env import write_demo_env
from ix_native.env import NdjsonFormat
from ix_native.env_index import _HEADER, _SUMMARY, FORMAT_VERSION, MAGIC, EnvIndex, IndexCache
from ixcore.cli import main


@pytest.fixture
def files(tmp_path):
    good = write_demo_env(tmp_path / "good.ndjson", constants=120, seed=2).path
    bad = write_demo_env(tmp_path / "bad.ndjson", constants=120, seed=2, corrupt=2)
    return good, bad


def unkeyed_entry(index: EnvIndex, key: str) -> bytes:
    """What someone without the key can write: the old layout, a plain checksum."""
    payload = index.to_bytes(key, b"\0" * 32)[_HEADER.size:]
    summary = _SUMMARY.pack(index.root, len(index.addrs))
    return _HEADER.pack(MAGIC, FORMAT_VERSION, blake3.blake3(summary + payload).digest(), index.root, len(index.addrs)) + payload


def poison(cache_entry: IndexCache, index: EnvIndex, how: str) -> None:
    cache_entry.directory.mkdir(parents=True, exist_ok=True)
    if how == "unkeyed":
        data = unkeyed_entry(index, cache_entry.key)
    else:  # a valid MAC, but under another machine's key
        data = index.to_bytes(cache_entry.key, blake3.blake3(b"someone else's key").digest())
    cache_entry.file.write_bytes(data)


@pytest.mark.parametrize("how", ["unkeyed", "other key"])
def test_entry_without_our_key_is_ignored_and_rebuilt(cache, files, how):
    good, bad = files
    good_index = NdjsonFormat().load(good)._ix
    entry = IndexCache.for_env(bad.path)
    poison(entry, good_index, how)  # bad.ndjson's entry claims good's blocks and root
    env = NdjsonFormat().load(bad.path)
    assert env._full is not None  # parsed: the entry was not used
    assert env.env_root() != good_index.root
    assert EnvIndex.from_bytes(entry.file.read_bytes(), entry.key, _secret()).root == env.env_root()  # rewritten


def test_authentic_entry_of_another_file_is_ignored_and_rebuilt(cache, files):
    good, bad = files
    NdjsonFormat().load(good)
    NdjsonFormat().load(bad.path)
    src, dst = IndexCache.for_env(good), IndexCache.for_env(bad.path)
    dst.file.write_bytes(src.file.read_bytes())  # authentic, but made for good.ndjson
    env = NdjsonFormat().load(bad.path)
    assert env._full is not None and env.env_root() == NdjsonFormat().load(bad.path, trust=False).env_root()


def test_an_entry_made_here_is_used(cache, files, monkeypatch):
    good, _ = files
    cold = NdjsonFormat().load(good)
    monkeypatch.setattr("ix_native.lean.export.read_export", lambda p: pytest.fail("parsed although cached"))
    assert NdjsonFormat().load(good).env_root() == cold.env_root()


@pytest.mark.parametrize("where", ["root", "count", "payload"])
def test_an_entry_edited_on_disk_gives_no_indexed_root(cache, files, where):
    """What a re-run reuses a stored root by (`indexed_root`: the header's env root and
    block count) is refused once any byte the MAC covers is changed, and the entry dropped."""
    good, bad = files
    bad_root = NdjsonFormat().load(bad.path, trust=False).env_root()
    index = NdjsonFormat().load(good)._ix
    assert NdjsonFormat().indexed_root(good) == (index.root, len(index.addrs))
    entry = IndexCache.for_env(good)
    data = bytearray(entry.file.read_bytes())
    at = {"root": _HEADER.size - _SUMMARY.size, "count": _HEADER.size - 4, "payload": _HEADER.size + 10}[where]
    data[at : at + 4] = bytes(bad_root)[:4] if where == "root" else bytes(x ^ 1 for x in data[at : at + 4])
    entry.file.write_bytes(bytes(data))
    assert NdjsonFormat().indexed_root(good) is None and not entry.file.exists()


def _secret() -> bytes:
    from ix_native.env_index import mac_key

    return mac_key()


def test_poisoned_cache_cannot_make_prove_or_verify_accept_a_bad_env(cache, files, tmp_path, capsys, monkeypatch):
    """The attack of issue 10 (5): bad.ndjson's cache entry holds good.ndjson's index.
    Unkeyed, prove ignores it (the store holds good's root, banked by the first run, and
    the entry would name it); even an entry carrying our own MAC is never read by verify."""
    good, bad = files
    monkeypatch.chdir(tmp_path)
    run = subprocess.run([sys.executable, "-m", "ixcore", "prove", str(good), "--store", "s", "--out", "rg", "--json"],
                         check=False, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    good_index = NdjsonFormat().load(good)._ix

    poison(IndexCache.for_env(bad.path), good_index, "unkeyed")
    with pytest.raises(SystemExit) as info:
        main(["prove", str(bad.path), "--store", "s", "--out", "rb"])
    _out, err = capsys.readouterr()
    assert info.value.code == 1 and all(n in err for n in bad.corrupted), err

    entry = IndexCache.for_env(bad.path)
    entry.file.write_bytes(good_index.to_bytes(entry.key, _secret()))  # as if the MAC were beaten
    with pytest.raises(SystemExit) as info:
        main(["verify", "rg", "--env", str(bad.path), "--json"])
    out, _err = capsys.readouterr()
    subject = next(c for c in json.loads(out)["checks"] if c["name"] == "subject")
    assert info.value.code == 1 and not subject["ok"]
    assert entry.file.read_bytes() == good_index.to_bytes(entry.key, _secret())  # not even touched
