"""`ix store ls|verify|gc|rebuild --json` on a store with one good and one corrupt proof."""
from __future__ import annotations

import json

from click.testing import CliRunner
from test_store_fs import leaf

from ixcore.cli import cli
from ixcore.store import FsStore


def invoke(*args):
    """As `ix` runs it: standalone_mode=False, so a command's return value is the exit code."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, standalone_mode=False)


def test_store_commands(tmp_path):
    store = FsStore(tmp_path)
    good = store.put(leaf([1, 2], [3]))
    bad = store.put(leaf([4]))
    path = tmp_path / "proofs" / str(bad)[:2] / f"{bad}.proof"
    path.write_bytes(path.read_bytes()[:-1] + b"\x00")
    ls = json.loads(invoke("store", "ls", "--store", str(tmp_path), "--json").output)
    assert {r["id"] for r in ls["proofs"]} == {str(good), str(bad)}
    res = invoke("store", "verify", "--store", str(tmp_path), "--json")
    out = json.loads(res.output)
    assert res.return_value == 1 and not out["ok"] and "checksum mismatch" in out["problems"][0]
    gc = json.loads(invoke("store", "gc", "--store", str(tmp_path), "--json").output)
    assert gc["quarantined"] == 1
    assert json.loads(invoke("store", "verify", "--store", str(tmp_path), "--json").output)["ok"]
    assert json.loads(invoke("store", "rebuild", "--store", str(tmp_path), "--json").output) == {"proofs": 1}
