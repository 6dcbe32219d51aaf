"""The real CLI entry (`ixcore.cli.main`): `ix inspect` on every file kind, `ix plugins`,
and every malformed input exiting 2 with one line on stderr and no traceback."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import test_formats_ixes
import test_formats_ixprof

from ixcore import hookimpl, proofio
from ixcore.address import ZERO, Address
from ixcore.cli import main
from ixcore.errors import InputError
from ixcore.formats.ixes import write_ixes
from ixcore.formats.sniff import inspect_file
from ixcore.manifest import tree_depth, tree_from_json
from ixcore.merkle import merkle_root
from ixcore.model import Claim, Proof, WorkItem
from ixcore.plugins import PluginHost
from ixcore.store.atomic import with_checksum


@pytest.fixture
def run_ix(capsys):
    """Run `ix ARGS...` in-process through the real entry point: (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        with pytest.raises(SystemExit) as info:
            main(list(args))
        out, err = capsys.readouterr()
        return info.value.code, out, err

    return run


def assert_one_line_error(code: int, err: str, *needles: str) -> None:
    assert code == 2, err
    lines = [line for line in err.strip().splitlines() if not line.startswith("ix: warning: ")]
    assert len(lines) == 1 and lines[0].startswith("ix: error: "), err
    assert "Traceback" not in err and all(n in lines[0] for n in needles), err


def test_inspect_profile_json(run_ix, shared_dir):
    path = shared_dir / "golden/ix/profiles/synth_n200.v2.ixprof"
    code, out, _ = run_ix("inspect", str(path), "--json")
    doc = json.loads(out)
    assert code == 0 and doc["type"] == "ixprof" and doc["version"] == 2
    assert (doc["blocks"], doc["edges"], doc["total_heartbeats"]) == (200, 523, 178682)
    top = doc["top_blocks"]
    assert len(top) == 10 and top[0]["heartbeats"] >= top[-1]["heartbeats"]


def test_inspect_profile_human(run_ix, shared_dir):
    code, out, _ = run_ix("inspect", str(shared_dir / "golden/ix/profiles/edge_two_clusters.v1.ixprof"))
    assert code == 0 and "top_blocks" in out and "IXPROF v1" in out


def test_inspect_manifest_with_sidecar(run_ix, shared_dir, tmp_path):
    source = shared_dir / "golden/ix/main/ixes/synth_n200.v2_k8.ixes"
    path = tmp_path / "m.ixes"
    path.write_bytes(source.read_bytes())
    write_ixes(test_formats_ixes.loads_ixes(source.read_bytes()), path, meta={"partitioner": "ix-rust", "k": 8, "eps": 0.05})
    code, out, _ = run_ix("--json", "inspect", str(path))
    doc = json.loads(out)
    assert code == 0 and doc["type"] == "ixes" and doc["shards"] == 8 and doc["blocks"] == 200
    golden_tree = json.loads((shared_dir / "golden/ix/main/results/synth_n200.v2_k8.json").read_text())["tree"]
    assert doc["tree_depth"] == tree_depth(tree_from_json(golden_tree)) >= 3 and doc["ix_main_readable"] is True
    assert doc["total_cross_ingress"] == sum(s["cross_ingress"] for s in doc["per_shard"])
    assert doc["meta"]["partitioner"] == "ix-rust" and doc["meta"]["k"] == 8


def test_inspect_flags_manifests_ix_main_rejects(run_ix, shared_dir):
    code, out, _ = run_ix("inspect", "--json", str(shared_dir / "golden/ix/main/ixes/edge_n1.v2_k3.ixes"))
    doc = json.loads(out)
    assert code == 0 and doc["ix_main_readable"] is False and doc["empty_shards"] == 2


def _proof() -> Proof:
    subjects = [Address.hash(b"a"), Address.hash(b"b")]
    claim = Claim(Address.hash(b"env"), 0, merkle_root(subjects), ZERO, 2)
    return Proof("native", "leaf", Address.hash(b"prog"), claim, sorted(subjects), (), b"body", "k1", {"seconds": 1.5})


@pytest.mark.parametrize("stored", [False, True])
def test_inspect_proof(run_ix, tmp_path, stored):
    path = tmp_path / "p.proof"
    data = proofio.dumps(_proof())
    path.write_bytes(with_checksum(data) if stored else data)
    code, out, _ = run_ix("inspect", "--json", str(path))
    doc = json.loads(out)
    assert code == 0 and doc["type"] == "proof" and doc["store_checksum"] is stored
    assert doc["subjects"] == 2 and doc["unconditional"] and doc["proof_id"] == str(proofio.proof_id(_proof()))


def test_unknown_file_type(run_ix, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello\n")
    assert_one_line_error(*run_ix("inspect", str(path))[::2], "notes.txt", "unknown file type")
    assert_one_line_error(*run_ix("inspect", str(tmp_path / "absent.ixes"))[::2], "file not found")


class TinyEnv:
    def __init__(self, path):
        self.path = path

    def work_items(self):
        a = Address.hash(self.path.read_bytes())
        return [WorkItem(a, a, [a], [a])]

    def env_root(self):
        return merkle_root(t for w in self.work_items() for t in w.proven_targets)


class TinyFormat:
    name = "tiny"

    def sniff(self, path):
        return Path(path).read_bytes().startswith(b"TINY")

    def load(self, path):
        return TinyEnv(Path(path))


class TinyPlugin:
    __name__ = "tiny-format"

    @hookimpl
    def ix_register_env_formats(self, register):
        register("tiny", lambda config: TinyFormat())


def test_env_formats_are_asked_after_the_core_formats(tmp_path):
    path = tmp_path / "e.tiny"
    path.write_bytes(b"TINY env")
    host = PluginHost(autoload=False, plugins=(TinyPlugin(),))
    doc = inspect_file(path, host)
    assert doc["type"] == "env" and doc["format"] == "tiny" and doc["blocks"] == 1
    assert doc["env_root"] == str(TinyEnv(path).env_root())
    other = tmp_path / "x.bin"
    other.write_bytes(b"OTHER")
    with pytest.raises(InputError, match=r"unknown file type \(checked: ixprof, ixes, proof, .*env:tiny"):
        inspect_file(other, host)


BAD_FILES = {f"ixprof {k}": (v[0], ".ixprof") for k, v in test_formats_ixprof.MALFORMED.items()}
BAD_FILES.update({f"ixes {k}": (v[0], ".ixes") for k, v in test_formats_ixes.MALFORMED.items()})


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_malformed_input_exits_2_with_one_line(run_ix, tmp_path, case):
    data, suffix = BAD_FILES[case]
    path = tmp_path / f"bad{suffix}"
    path.write_bytes(data)
    code, _out, err = run_ix("inspect", str(path))
    assert_one_line_error(code, err, str(path), "offset ")


def test_console_script_prints_no_traceback(tmp_path):
    path = tmp_path / "bad.ixes"
    path.write_bytes(b"IXES\0\0\0\0" + b"\1" * 5)
    out = subprocess.run([sys.executable, "-m", "ixcore", "inspect", str(path)], capture_output=True, text=True, timeout=120)
    assert_one_line_error(out.returncode, out.stderr, "bad.ixes", "offset 8", "truncated")


def test_bad_config_exits_2_naming_the_key(run_ix, tmp_path, shared_dir):
    config = tmp_path / "ix.toml"
    config.write_text("[partition]\nshards = 'four'\n")
    code, _, err = run_ix("--config", str(config), "inspect", str(shared_dir / "golden/ix/profiles/edge_n1.v2.ixprof"))
    assert_one_line_error(code, err, "'partition.shards' must be an integer")


def test_plugins_json_lists_the_four_distributions(run_ix):
    code, out, _ = run_ix("plugins", "--json")
    doc = json.loads(out)
    assert code == 0
    assert {"ix-native", "ix-partitioners", "ix-zisk", "ix-sp1"} <= {d["name"] for d in doc["distributions"]}
    assert {("store", "fs"), ("executor", "local")} <= {(p["role"], p["name"]) for p in doc["plugins"]}
