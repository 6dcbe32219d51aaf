"""`ix prove` / `ix verify` end to end on demo envs with the defaults (mtkahypar, native
provers, local executor, fs store), through the real CLI in a subprocess: exit codes,
reuse by verification, tampering, rejected declarations, cross-env reuse, dask."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from ix_native.demo_env import write_demo_env
from ix_native.env import NdjsonFormat
from ixcore import proofio
from ixcore.store import FsStore


def ix(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ixcore", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def prove(cwd: Path, env: Path, *args: str) -> tuple[int, dict | None, str]:
    run = ix(cwd, "prove", str(env), "--json", *args)
    report = json.loads(run.stdout) if run.returncode == 0 else None
    return run.returncode, report, run.stderr


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return write_demo_env(tmp_path_factory.mktemp("demo") / "demo.ndjson", constants=400, seed=1).path


def test_prove_twice_reuses_by_verification_and_verify_checks_it(demo, tmp_path):
    rc, first, err = prove(tmp_path, demo)  # README defaults: .ix/store, .ix/runs/<timestamp>
    assert rc == 0, err
    assert first["verified"] and first["unconditional"] and first["subject_equals_env_root"]
    assert first["shards_proven"] >= 2 and first["aggregations"] >= 1 and first["blocks_proven"] == first["blocks"]
    assert {"load", "profile", "plan", "prove", "fold", "verify"} <= set(first["phases"])
    run1 = Path(tmp_path / first["out"])
    assert json.loads((run1 / "report.json").read_text())["root_claim"] == first["root_claim"]
    with Image.open(run1 / "cost.png") as chart:  # three panels side by side, drawn (not a blank canvas)
        assert chart.format == "PNG" and chart.size == (1400, 420)
        assert len(chart.convert("RGB").getcolors(1 << 16) or ()) > 10
    assert all(row["status"] == "proven" and row["work"] > 0 for row in first["shards"])

    rc, again, err = prove(tmp_path, demo)
    assert rc == 0, err
    assert again["out"] != first["out"]
    assert again["shards_proven"] == 0 and again["blocks_proven"] == 0
    # the first run banked its root: the re-run re-verifies it (tree re-derived) and reuses it whole
    assert again["stored_proofs_folded"] == 1 and again["aggregations"] == 0 and again["root_claim"] == first["root_claim"]
    assert any(c["name"] == "tree" and c["ok"] for c in again["checks"])
    assert again["verified"] and again["unconditional"] and again["subject_equals_env_root"]
    assert again["root_claim"]["subject_root"] == first["root_claim"]["subject_root"]
    report = json.loads((tmp_path / again["out"] / "report.json").read_text())
    assert report["plot"] == "no cost.png: stored proofs cover every block, so nothing was planned or measured"
    assert not (tmp_path / again["out"] / "cost.png").exists()

    root = tmp_path / again["out"] / "root.proof"
    assert ix(tmp_path, "verify", str(root), "--env", str(demo)).returncode == 0
    rerun = ix(tmp_path, "verify", str(root), "--env", str(demo), "--reexecute", "--json")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert any(c["name"] == "reexecute" and c["ok"] for c in json.loads(rerun.stdout)["checks"])

    data = root.read_bytes()
    proof = proofio.loads(data)
    at = data.index(bytes(proof.subjects[0]))  # a byte of the subject witness list
    forged = tmp_path / "forged-witness.proof"
    forged.write_bytes(data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :])
    assert ix(tmp_path, "verify", str(forged), "--env", str(demo)).returncode == 1
    root_hex = proof.claim.subject_root.hex().encode()
    at = data.index(root_hex)  # a hex digit of the subject root inside the aggregate's record
    forged.write_bytes(data[:at] + (b"0" if data[at:at + 1] != b"0" else b"1") + data[at + 1 :])
    assert ix(tmp_path, "verify", str(forged), "--env", str(demo)).returncode == 1


def test_rejected_declarations_exit_1_and_nothing_is_stored(tmp_path):
    rep = write_demo_env(tmp_path / "bad.ndjson", constants=400, seed=1, corrupt=3)
    rc, _report, err = prove(tmp_path, rep.path, "--store", "s", "--out", "run")
    assert rc == 1
    assert all(name in err for name in rep.corrupted), err
    assert "Traceback" not in err
    env = NdjsonFormat().load(rep.path)
    bad = {t for w in env.work_items() if set(w.names) & set(rep.corrupted) for t in w.proven_targets}
    assert len(bad) >= 3 and not bad & FsStore(tmp_path / "s").covered()


def test_cross_env_reuse_proves_only_the_new_blocks(demo, tmp_path):
    bigger = write_demo_env(tmp_path / "b.ndjson", constants=600, seed=1).path
    a_blocks = {w.block for w in NdjsonFormat().load(demo).work_items()}
    b_blocks = {w.block for w in NdjsonFormat().load(bigger).work_items()}
    assert a_blocks < b_blocks  # the generator grows a prefix: B shares every block of A
    rc, a, err = prove(tmp_path, demo, "--store", "s", "--out", "ra")
    assert rc == 0, err
    rc, b, err = prove(tmp_path, bigger, "--store", "s", "--out", "rb")
    assert rc == 0, err
    assert b["blocks"] == len(b_blocks) and b["blocks_proven"] == len(b_blocks - a_blocks)
    assert b["stored_proofs_folded"] >= 1
    assert b["verified"] and b["unconditional"] and b["subject_equals_env_root"]


def test_dask_executor_on_a_local_cluster(demo, tmp_path):
    rc, report, err = prove(tmp_path, demo, "--executor", "dask", "--jobs", "2", "--no-store", "--out", "run")
    assert rc == 0, err
    assert report["verified"] and report["unconditional"] and report["shards_proven"] >= 2
