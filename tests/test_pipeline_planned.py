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


class _CountingProfiler:
    name = "counting"

    def __init__(self):
        self.calls = 0

    def profile(self, env, blocks=None, jobs=1, progress=None):
        self.calls += 1
        return "measured"


class _StaticEnv:
    def static_profile(self):
        return "static"


@pytest.mark.parametrize(("settings", "expected"), [
    (PlanSettings(jobs=1), "static"),
    (PlanSettings(jobs=2), "static"),     # a kernel profile would cost a kernel pass as long as the proof
    (PlanSettings(jobs=2, max_ram_gib=8.0), "measured"),
    (PlanSettings(jobs=1, max_cost=1e6), "measured"),
    (PlanSettings(jobs=2, fleet=object()), "measured"),  # a fleet's lines are in measured units
])
def test_a_native_run_measures_its_profile_only_for_a_cost_cap_or_a_fleet(settings, expected):
    from types import SimpleNamespace

    from ixcore.pipeline import Backends, _profile

    profiler = _CountingProfiler()
    native = SimpleNamespace(name="native", backend="native")
    b = Backends(env_format=None, leaf_prover=native, agg_prover=None, executor=None, profiler=profiler)
    assert _profile(_StaticEnv(), b, ["a"], settings, []) == expected
    assert profiler.calls == (expected == "measured")
