"""The demo environment generator: deterministic, sized, parseable; CLI."""
from __future__ import annotations

import json

from click.testing import CliRunner

from ix_native.demo_env import write_demo_env
from ix_native.lean.export import read_export


def test_deterministic_for_a_seed(tmp_path):
    a = write_demo_env(tmp_path / "a.ndjson", constants=250, seed=5, corrupt=3)
    b = write_demo_env(tmp_path / "b.ndjson", constants=250, seed=5, corrupt=3)
    c = write_demo_env(tmp_path / "c.ndjson", constants=250, seed=6, corrupt=3)
    assert a.path.read_bytes() == b.path.read_bytes() != c.path.read_bytes()
    assert a.corrupted == b.corrupted


def test_size_and_structure(tmp_path):
    rep = write_demo_env(tmp_path / "d.ndjson", constants=600, seed=2, corrupt=8)
    assert 600 <= rep.constants < 660
    exp = read_export(rep.path)
    names = {str(n) for d in exp.decls for n in d.names()}
    assert set(rep.corrupted) <= names
    assert len(set(rep.corrupted_kinds)) == 8
    kinds = {d.kind for d in exp.decls}
    assert kinds == {"inductive", "def", "thm", "opaque", "axiom", "quot"}
    assert any(t.num_nested for d in exp.decls if d.kind == "inductive" for t in d.types)
    assert any(len(d.types) > 1 for d in exp.decls if d.kind == "inductive")
    assert any(len(d.all) > 1 for d in exp.decls if d.kind == "def")


def test_cli_json(tmp_path):
    from ixcore.cli import cli
    from ixcore.plugins import PluginHost

    PluginHost().add_commands(cli)
    out = tmp_path / "e.ndjson"
    res = CliRunner().invoke(cli, ["demo-env", str(out), "--constants", "80", "--seed", "3", "--corrupt", "2", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["path"] == str(out) and out.is_file()
    assert len(data["corrupted"]) == 2 and data["constants"] >= 80
