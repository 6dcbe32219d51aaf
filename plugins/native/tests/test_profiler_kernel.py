"""The `kernel` profiler: per-block counters and delta edges, independent of --jobs."""
from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from ix_native.demo_env import write_demo_env
from ix_native.env import NdjsonFormat
from ix_native.profiler import KernelProfiler
from ixcore.errors import InputError


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    path = tmp_path_factory.mktemp("prof") / "demo.ndjson"
    write_demo_env(path, constants=250, seed=11)
    return NdjsonFormat().load(path)


@pytest.fixture(scope="module")
def prof(env):
    return KernelProfiler().profile(env)


def block_named(env, name):
    return next(w.block for w in env.work_items() if name in w.names)


def test_profile_is_identical_for_any_job_count(env, prof):
    two = KernelProfiler().profile(env, jobs=2)
    assert two == prof
    assert np.array_equal(two.extra["lean_heartbeats"], prof.extra["lean_heartbeats"])


def test_columns_and_delta_edges(env, prof):
    assert list(prof.addrs) == [w.block for w in env.work_items()]
    idx = prof.index()
    assert int(prof.heartbeats.sum()) > 0 and int(prof.whnf.sum()) > 0 and int(prof.subst.sum()) > 0
    assert (prof.extra["lean_heartbeats"] >= prof.heartbeats).all()
    for i, a in enumerate(prof.addrs):
        assert int(prof.sizes[i]) == env.block_size(a)
        assert i not in set(prof.producers(i).tolist())
    # a computed fact about a generated Nat function unfolds that function's block
    fact, fn = next((w, str(n)) for w in env.work_items() if w.names[0].startswith("Demo.fact")
                    for n in _consts(env.decls_of(w.block)[0].type) if str(n).startswith(("Demo.fn", "Demo.rec")))
    producers = {prof.addrs[j] for j in prof.producers(idx[fact.block])}
    assert block_named(env, fn) in producers
    assert producers <= set(env.closure([fact.block]))


def _consts(e):
    from ix_native.address import expr_children
    from ix_native.lean.expr import CONST

    stack, out = [e], []
    while stack:
        x = stack.pop()
        if x.tag == CONST:
            out.append(x.name)
        stack += expr_children(x)
    return out


def test_subset_profile_keeps_producers(env, prof):
    fact = next(w.block for w in env.work_items() if w.names[0].startswith("Demo.fact"))
    sub = KernelProfiler().profile(env, blocks=[fact])
    idx, full = sub.index(), prof.index()
    assert fact in idx
    assert int(sub.heartbeats[idx[fact]]) == int(prof.heartbeats[full[fact]])
    assert {sub.addrs[j] for j in sub.producers(idx[fact])} == {prof.addrs[j] for j in prof.producers(full[fact])}
    assert int(sub.heartbeats.sum()) == int(sub.heartbeats[idx[fact]])


def test_rejected_block_is_an_error_naming_it(tmp_path):
    path = tmp_path / "bad.ndjson"
    rep = write_demo_env(path, constants=60, seed=2, corrupt=1)
    with pytest.raises(InputError, match=rf"rejects block {rep.corrupted[0]}"):
        KernelProfiler().profile(NdjsonFormat().load(path))


def test_cli_writes_ixprof_v2(env, prof, tmp_path):
    from ixcore.cli import cli
    from ixcore.formats.ixprof import read_ixprof
    from ixcore.plugins import PluginHost

    PluginHost().add_commands(cli)
    out = tmp_path / "p.ixprof"
    res = CliRunner().invoke(cli, ["profile", str(env.path), "--out", str(out), "--jobs", "2", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["blocks"] == prof.n and data["edges"] == prof.num_edges
    back = read_ixprof(out)
    assert back == prof and back.version == 2
    assert np.array_equal(back.extra["lean_heartbeats"], prof.extra["lean_heartbeats"])


def test_pool_workers_share_the_parsed_export(env, prof, monkeypatch):
    """Workers are forked after the parse: none of them reads the file again."""
    import ix_native.lean.export as export_mod

    env.load_full()

    def no_read(path):
        raise AssertionError(f"a profiler worker re-parsed {path}")

    monkeypatch.setattr(export_mod, "read_export", no_read)
    assert KernelProfiler().profile(env, jobs=2) == prof
