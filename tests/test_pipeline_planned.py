"""The pipeline planning its own shards (store-aware), with the `range` partitioner."""
from __future__ import annotations

import attrs
import pytest
from pipeline_doubles import backends, write_toy_env

from ixcore.pipeline import PlanSettings, prove_env
from ixcore.store import FsStore


@pytest.fixture
def planned(host):
    assert "range" in host.registry("partitioner"), "ix-partitioners (installed by scripts/install.sh) is not registered"
    return host.create("partitioner", "range", {})


def test_store_aware_planning_profiles_and_proves_only_novel_blocks(planned, tmp_path):
    env_file = write_toy_env(tmp_path / "p.toy.json", 30)
    store = FsStore(tmp_path / "store")
    b = attrs.evolve(backends(store=store, jobs=2), partitioner=planned, partitioner_name="range")
    first = prove_env(env_file, b, PlanSettings(shards=3, jobs=2), workdir=tmp_path / "w1")
    assert first.unconditional and len(first.leaves) == 3 and "plan" in first.phases
    again = prove_env(env_file, b, PlanSettings(shards=3, jobs=2), workdir=tmp_path / "w2")
    assert again.unconditional and not again.leaves and "profile" not in again.phases
    assert again.root.claim.subject_root == again.env_root
