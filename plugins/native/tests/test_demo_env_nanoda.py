"""nanoda (an independent Rust Lean 4 kernel, ../shared/anchors/nanoda) is the oracle for
the demo generator: every generated environment is accepted, every corruption rejected.

nanoda re-derives each recursor and asserts that the exported one is *structurally
different* from its own (it expects Lean's binder infos, which differ from what nanoda
builds), so an accepted env also says the recursors carry the binder infos Lean writes.
"""
from __future__ import annotations

import subprocess

import pytest

from ix_native.demo_env import CORRUPTIONS, write_demo_env


@pytest.fixture
def nanoda(shared_dir):
    root = shared_dir / "anchors" / "nanoda"
    if not (root / "nanoda_bin").is_file():
        pytest.skip(f"{root}/nanoda_bin is absent: the nanoda oracle test needs it")

    def run(path) -> subprocess.CompletedProcess:
        with open(path, "rb") as fh:
            return subprocess.run([str(root / "nanoda_bin"), str(root / "config.json")], stdin=fh, check=False,
                                  capture_output=True, text=True, timeout=300)

    return run


@pytest.mark.parametrize("seed", [1, 2, 3, 7, 11])
def test_generated_envs_are_accepted(nanoda, tmp_path, seed):
    rep = write_demo_env(tmp_path / "ok.ndjson", constants=1500, seed=seed)
    res = nanoda(rep.path)
    assert res.returncode == 0, res.stderr[-2000:]
    assert f"Checked {rep.constants} declarations with no errors" in res.stdout  # nanoda counts constants


@pytest.mark.parametrize("kind", CORRUPTIONS)
def test_each_corruption_is_rejected(nanoda, tmp_path, kind):
    """One corruption per env: nanoda stops at its first error, so a mixed env would only
    show that one of them is caught."""
    rep = write_demo_env(tmp_path / "bad.ndjson", constants=300, seed=4, corrupt=1, corrupt_kinds=(kind,))
    res = nanoda(rep.path)
    assert res.returncode == 101, (res.returncode, res.stdout[-500:], res.stderr[-2000:])
    assert "panicked" in res.stderr


@pytest.mark.parametrize("k", [1, 8])
def test_corrupt_k_envs_are_rejected(nanoda, tmp_path, k):
    rep = write_demo_env(tmp_path / "bad.ndjson", constants=300, seed=5, corrupt=k)
    assert nanoda(rep.path).returncode == 101
