"""ixcore.testing run on ixcore's own backends, and the kit catching broken backends
(a kit whose checks cannot fail would prove nothing)."""
from __future__ import annotations

import numpy as np
import pytest

from ixcore import testing
from ixcore.manifest import balanced_agg_tree
from ixcore.partition import PartitionResult
from ixcore.plugins import PluginHost
from ixcore.roles import ROLES


@pytest.fixture(scope="module")
def host():
    return PluginHost(autoload=False)


def test_fs_store_conforms(host):
    testing.check_store(lambda root: host.create("store", "fs", {"path": str(root)}), corrupt=testing.fs_store_corrupt)


def test_local_executor_conforms(host):
    testing.check_executor(lambda: host.create("executor", "local", {"jobs": 2}))


def test_static_profiler_conforms(host):
    testing.check_profiler(lambda: host.create("profiler", "static", {}))


def test_ixe_env_format_conforms(host, tmp_path):
    from ixcore.ixon.fixtures import write_fixture_ixe

    sample = write_fixture_ixe(tmp_path / "fixture.ixe")
    testing.check_env_format(lambda: host.create("env_format", "ixe", {}), sample)


def test_tiny_env_is_an_env():
    testing._check_env(testing.tiny_env())


def test_every_role_has_a_check():
    """A new role without a check_<role> in the kit fails here."""
    assert {f"check_{role}" for role in ROLES} <= set(testing.__all__)


class Lopsided:
    """Everything in shard 0 except one block per other shard: valid, badly unbalanced,
    and claims determinism while shuffling by a global counter."""

    name, version, deterministic = "lopsided", "0", True
    calls = 0

    def partition(self, hypergraph, k, eps, seed):
        n = hypergraph.n
        k = max(1, min(k, n))
        parts = np.zeros(n, dtype=np.int32)
        Lopsided.calls += 1
        order = np.random.default_rng(Lopsided.calls).permutation(n)
        parts[order[: k - 1]] = np.arange(1, k)
        return PartitionResult(parts, k, balanced_agg_tree(0, k), {})


def test_kit_catches_imbalance_and_false_determinism():
    with pytest.raises(testing.ConformanceError) as info:
        testing.check_partitioner(Lopsided)
    assert {"balance", "deterministic"} <= set(info.value.failures)


def test_expected_failed_must_fail_and_must_exist():
    with pytest.raises(testing.ConformanceError) as info:
        testing.check_executor(lambda: PluginHost(autoload=False).create("executor", "local", {}),
                               expected_failed={"every_job_once": "claimed broken", "nonsense": "typo"})
    assert set(info.value.failures) == {"every_job_once", "nonsense"}


class Forgetful:
    """A store that stores nothing durable and verifies nothing."""

    name = "forgetful"

    def __init__(self, root):
        self.proofs = {}

    def put(self, proof):
        from ixcore.proofio import proof_id

        self.proofs[proof_id(proof)] = proof
        return proof_id(proof)

    def get(self, pid):
        return self.proofs[pid]

    def has(self, pid):
        return pid in self.proofs

    def covered(self, keys=None):
        return {s for p in self.proofs.values() for s in p.subjects}

    def entries(self, keys=None):
        return []

    def find_covering(self, needed, novel, keys=None):
        return []

    def verify(self):
        from ixcore.store import StoreCheck

        return StoreCheck(len(self.proofs), ())

    def gc(self, live_keys=None):
        return None


def test_kit_catches_a_forgetful_store():
    with pytest.raises(testing.ConformanceError) as info:
        testing.check_store(Forgetful, corrupt=lambda store, pid: None)
    assert {"refuses_failures", "index", "reopen", "verify_finds_corruption"} <= set(info.value.failures)


@pytest.mark.slow
def test_dask_executor_conforms(host):
    pytest.importorskip("distributed", reason="the dask executor needs ixcore[dask]")
    testing.check_executor(lambda: host.create("executor", "dask", {"workers": 2}))


def test_every_shipped_backend_registers_properly():
    """Every installed backend (built-ins and the shipped plugins): summary, protocol from an
    empty table, and an unknown [plugins.<name>] key rejected."""
    host = PluginHost()
    for role in ROLES:
        for reg in host.registry(role).entries():
            if reg.distribution in ("ixcore", "ix-native", "ix-partitioners", "ix-zisk", "ix-sp1"):
                testing.check_registration(host, role, reg.name)
