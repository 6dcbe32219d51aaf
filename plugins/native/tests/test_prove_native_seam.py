"""The kernel seam of the native leaf prover, and the registered native provers proving
real lean4export files (../shared) end to end through the pipeline."""
from __future__ import annotations

import pytest

from ix_native.demo_env import write_demo_env
from ix_native.env import NdjsonFormat
from ix_native.kernel_seam import check_blocks, native_leaf_prover
from ix_native.profiler import KernelProfiler
from ixcore.errors import VerificationError
from ixcore.executors import LocalExecutor
from ixcore.pipeline import Backends, PlanSettings, prove_env
from ixcore.verify import verify_root


def test_verdicts_name_exactly_the_corrupted_blocks(tmp_path):
    rep = write_demo_env(tmp_path / "bad.ndjson", constants=120, seed=3, corrupt=2)
    env = NdjsonFormat().load(rep.path)
    blocks = [w.block for w in env.work_items()]
    verdicts = check_blocks(env, blocks)
    assert [v.block for v in verdicts] == blocks
    rejected = {env.name_of(v.block) for v in verdicts if not v.ok}
    assert rejected == set(rep.corrupted)
    assert all(v.reason for v in verdicts if not v.ok) and not any(v.reason for v in verdicts if v.ok)


def test_leaf_work_is_the_profiles_heartbeats(tmp_path):
    env = NdjsonFormat().load(write_demo_env(tmp_path / "d.ndjson", constants=120, seed=3).path)
    blocks = [w.block for w in env.work_items()]
    work = {v.block: v.work for v in check_blocks(env, blocks)}
    prof = KernelProfiler().profile(env)
    idx = prof.index()
    assert sum(work.values()) > 0
    assert all(int(prof.heartbeats[idx[b]]) == work[b] for b in blocks)


def test_a_shard_admits_its_dependencies_and_re_executes(tmp_path):
    env = NdjsonFormat().load(write_demo_env(tmp_path / "d.ndjson", constants=120, seed=3).path)
    # the last blocks in dependency order: their references lie mostly outside the shard
    shard = env.closure([w.block for w in env.work_items()])[-5:]
    leaf = native_leaf_prover()
    proof = leaf.prove(env, shard, tmp_path / "leaf")
    assert proof.claim.failures == 0 and proof.claim.checked == len(shard)
    outside = {r for b in shard for r in env.block_refs(b)} - set(shard)
    assert outside and set(proof.assumptions) == outside
    assert proof.stats["work"] > 0 and proof.stats["peak_memory"] > 0
    leaf.verify(proof, reexecute=True, env=env)


def _registered(host, jobs: int) -> Backends:
    leaf = host.create("leaf_prover", "native", {})
    return Backends(
        host.create("env_format", "ndjson", {}), leaf, host.create("agg_prover", "native", {}), LocalExecutor(jobs),
        None, host.create("profiler", "kernel", {}), host.create("partitioner", "mtkahypar", {}), "mtkahypar",
    )


@pytest.mark.parametrize("export", [
    "lean4export/good/Nat.add_succ.ndjson",
    "rpylean/good/Inductive.ndjson",
    "rpylean/good/Basic.ndjson",
    "nyaya/good/init-prelude.ndjson",  # 2,059 constants, about 10 s on two cores
])
def test_real_export_proves_to_an_unconditional_root(shared_dir, host, export, tmp_path):
    path = shared_dir / "lean-exports" / export
    backends = _registered(host, jobs=2)
    res = prove_env(path, backends, PlanSettings(jobs=2), workdir=tmp_path)
    assert res.unconditional and len(res.leaves) >= 2
    assert res.root.claim.subject_root == res.env_root
    agg = backends.agg_prover
    assert verify_root(res.root, leaf_id=backends.leaf_prover.program_id, agg_id=agg.program_ids[1],
                       backend_check=agg.verify, env_root=res.env_root).ok


def test_real_export_the_kernel_rejects_fails_naming_it(shared_dir, host, tmp_path):
    path = shared_dir / "lean-exports" / "nyaya" / "bad" / "bogus1.ndjson"
    with pytest.raises(VerificationError, match=r"kernel rejected 1 item\(s\) in 1 shard\(s\) \(shard \d+: thm\)"):
        prove_env(path, _registered(host, jobs=1), PlanSettings(jobs=1), workdir=tmp_path)
