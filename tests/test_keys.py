"""The local signing key and the trust set (ixcore.keys) and `ix keys` through the real CLI."""
from __future__ import annotations

import json
import multiprocessing
import stat

import pytest

from ixcore import keys
from ixcore.cli import main
from ixcore.errors import ConfigError, InputError


@pytest.fixture
def key_dir(tmp_path, monkeypatch):
    d = tmp_path / "cfg" / "ix"
    monkeypatch.setenv("IX_KEY_DIR", str(d))
    return d


def run_ix(capsys, *args):
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    return info.value.code, out, err


def test_key_dir_defaults_to_the_user_config_dir(monkeypatch, tmp_path):
    monkeypatch.delenv("IX_KEY_DIR", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert keys.key_dir() == tmp_path / "xdg" / "ix"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert keys.key_dir() == tmp_path / "home" / ".config" / "ix"


def test_created_once_private_and_stable(key_dir):
    k = keys.local_key()
    assert k.path == key_dir / keys.KEY_FILE
    assert stat.S_IMODE(k.path.stat().st_mode) == 0o600
    again = keys._load_or_create(key_dir)
    assert again.public == k.public and keys.verify_signature(k.public, k.sign(b"m"), b"m")
    assert not keys.verify_signature(k.public, k.sign(b"m"), b"n")
    assert [p.name for p in key_dir.iterdir()] == [keys.KEY_FILE]  # no temp file left


def _make_key(directory):
    return keys._load_or_create(directory).public


def test_racing_processes_agree_on_one_key(tmp_path):
    with multiprocessing.get_context("fork").Pool(4) as pool:
        publics = pool.map(_make_key, [tmp_path / "k"] * 8)
    assert len(set(publics)) == 1


def test_key_readable_by_others_or_garbage_is_refused(key_dir):
    path = keys._load_or_create(key_dir).path
    path.chmod(0o644)
    with pytest.raises(ConfigError, match="too open"):
        keys._load_or_create(key_dir)
    path.chmod(0o600)
    path.write_text("not a key")
    with pytest.raises(ConfigError, match="not an unencrypted PEM"):
        keys._load_or_create(key_dir)


def test_public_key_parsing(tmp_path, key_dir):
    k = keys.local_key()
    assert keys.parse_public(k.public_hex, "x") == k.public
    assert keys.parse_public(keys.public_pem(k.public), "x") == k.public
    (tmp_path / "k.pub").write_text(keys.public_pem(k.public))
    assert keys.key_or_file("k.pub", tmp_path, "x") == k.public
    for bad in ("zz" * 32, "abc", ""):
        with pytest.raises(InputError):
            keys.parse_public(bad, "x")


def test_trust_set_sources(tmp_path, key_dir):
    from ixcore.config import Config

    other = keys._load_or_create(tmp_path / "other")
    third = keys._load_or_create(tmp_path / "third")
    keys.add_trusted(other.public, "worker 1")
    assert keys.add_trusted(other.public) == (key_dir / keys.TRUSTED_FILE, False)
    (tmp_path / "third.pub").write_text(third.public_hex)
    (tmp_path / "ix.toml").write_text("")
    cfg = Config({"trusted_keys": ["third.pub"]}, str(tmp_path / "ix.toml"))
    trust = keys.TrustSet.load(cfg)
    assert trust.source_of(keys.local_key().public) == "this machine"
    assert trust.source_of(other.public) == str(key_dir / keys.TRUSTED_FILE)
    assert "trusted_keys" in trust.source_of(third.public)
    with pytest.raises(ConfigError, match="must be a string"):
        keys.TrustSet.load(Config({"trusted_keys": [3]}, "ix.toml"))
    with pytest.raises(InputError, match="neither a hex public key nor a readable key file"):
        keys.TrustSet.load(Config({"trusted_keys": ["nope.pub"]}, str(tmp_path / "ix.toml")))


def test_ix_keys_commands(tmp_path, key_dir, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_ix(capsys, "keys", "show", "--json")
    shown = json.loads(out)
    assert code == 0 and shown["path"] == str(key_dir / keys.KEY_FILE) and shown["fingerprint"].startswith("ed25519:")
    code, out, _ = run_ix(capsys, "keys", "export")
    assert code == 0 and out.strip() == shown["public_key"]
    code, _, _ = run_ix(capsys, "keys", "export", "--pem", "--out", "me.pem")
    assert code == 0 and keys.key_or_file("me.pem", tmp_path, "x").hex() == shown["public_key"]

    other = keys._load_or_create(tmp_path / "other")
    (tmp_path / "other.pub").write_text(other.public_hex + "\n")
    code, out, _ = run_ix(capsys, "keys", "trust", "other.pub", "--json")
    assert code == 0 and json.loads(out)["added"] is True
    code, out, _ = run_ix(capsys, "keys", "trust", other.public_hex, "--json")
    assert code == 0 and json.loads(out)["added"] is False
    code, out, _ = run_ix(capsys, "keys", "list", "--json")
    listed = {r["public_key"]: r["source"] for r in json.loads(out)["trusted"]}
    assert listed == {shown["public_key"]: "this machine", other.public_hex: str(key_dir / keys.TRUSTED_FILE)}
    code, _, err = run_ix(capsys, "keys", "trust", "deadbeef")
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err


def test_prove_refuses_a_key_dir_inside_the_store(tmp_path, capsys, monkeypatch):
    from ix_native.demo_env import write_demo_env

    env = write_demo_env(tmp_path / "e.ndjson", constants=20, seed=1).path
    monkeypatch.setenv("IX_KEY_DIR", str(tmp_path / "s" / "keys"))
    monkeypatch.chdir(tmp_path)
    code, _, err = run_ix(capsys, "prove", str(env), "--store", "s", "--out", "run")
    assert code == 2 and "inside" in err and "IX_KEY_DIR" in err
