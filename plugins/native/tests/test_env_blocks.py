"""NativeEnv: block grouping, work items, env root, static profile, closure sub-envs."""
from __future__ import annotations

import pytest

from ix_native.demo_env import write_demo_env
from ix_native.env import NdjsonFormat
from ixcore.errors import InputError
from ixcore.merkle import merkle_root


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("env") / "demo.ndjson"
    write_demo_env(path, constants=300, seed=7)
    return NdjsonFormat().load(path)


def item_named(env, name):
    return next(w for w in env.work_items() if name in w.names)


def test_block_grouping(demo):
    assert item_named(demo, "Nat").names == ("Nat", "Nat.zero", "Nat.succ", "Nat.rec")
    assert item_named(demo, "Quot").names == ("Quot", "Quot.mk", "Quot.lift", "Quot.ind")
    mutual = [w for w in demo.work_items() if any("isEven" in n for n in w.names)]
    assert mutual and all(len(w.names) == 2 and "isOdd" in w.names[1] for w in mutual)
    assert len(item_named(demo, "Nat.add").targets) == 1


def test_work_items_follow_ix_rule_shape(demo):
    items = demo.work_items()
    assert [w.block for w in items] == sorted(w.block for w in items)
    for w in items:
        assert w.primary == w.targets[0]
        if len(w.targets) == 1:
            assert w.proven_targets == (w.block,) == w.targets
        else:
            assert w.proven_targets == (w.block,) + w.targets
            assert len(set(w.targets)) == len(w.targets) and w.block not in w.targets
        assert demo.name_of(w.block) == w.names[0]
        assert [demo.name_of(t) for t in w.targets] == list(w.names)
    assert demo.env_root() == merkle_root(t for w in items for t in w.proven_targets)


def test_static_profile_matches_refs_and_sizes(demo):
    prof = demo.static_profile()
    items = demo.work_items()
    assert list(prof.addrs) == [w.block for w in items]
    idx = prof.index()
    for i, w in enumerate(items):
        assert int(prof.sizes[i]) == demo.block_size(w.block) > 0
        assert {prof.addrs[j] for j in prof.producers(i)} == demo.block_refs(w.block)
        assert int(prof.const_counts[i]) == len(w.targets)
    # Ix main's profile-free weights: size stands in for heartbeats and subst
    assert (prof.heartbeats == prof.sizes).all() and (prof.subst == prof.sizes).all()
    add = item_named(demo, "Nat.add").block
    assert item_named(demo, "Nat").block in demo.block_refs(add)
    assert idx[add] >= 0


def test_sub_env_is_a_closure_with_the_same_addresses(demo, tmp_path):
    fact = next(w for w in demo.work_items() if w.names[0].startswith("Demo.fact"))
    sub = NdjsonFormat().load(demo.write_sub_env([fact.block], tmp_path / "sub.ndjson"))
    got = {w.block for w in sub.work_items()}
    assert got == set(demo.closure([fact.block]))
    assert fact.block in got and got < {w.block for w in demo.work_items()}
    for w in sub.work_items():
        assert sub.block_refs(w.block) <= got


def test_sub_env_of_everything_reproduces_the_environment(demo, tmp_path):
    blocks = [w.block for w in demo.work_items()]
    sub = NdjsonFormat().load(demo.write_sub_env(blocks, tmp_path / "all.ndjson"))
    assert sub.env_root() == demo.env_root()


def test_corpus_sub_env_round_trip(shared_dir, tmp_path):
    env = NdjsonFormat().load(shared_dir / "lean-exports/nyaya/good/init-prelude.ndjson")
    items = env.work_items()
    pick = [items[len(items) // 3].block, items[-1].block]
    sub = NdjsonFormat().load(env.write_sub_env(pick, tmp_path / "sub.ndjson"))
    assert {w.block for w in sub.work_items()} == set(env.closure(pick))


def test_duplicate_declaration_is_an_input_error(tmp_path):
    src = tmp_path / "d.ndjson"
    write_demo_env(src, constants=30, seed=1)
    lines = src.read_text().splitlines()
    axiom = next(i for i, l in enumerate(lines) if l.startswith('{"def"'))
    (tmp_path / "dup.ndjson").write_text("\n".join(lines + [lines[axiom]]) + "\n")
    with pytest.raises(InputError, match=r"dup\.ndjson:\d+: duplicate declaration"):
        NdjsonFormat().load(tmp_path / "dup.ndjson")


def test_sniff_and_registry(host, tmp_path, demo):
    fmt = host.create("env_format", "ndjson")
    assert fmt.sniff(demo.path)
    (tmp_path / "x.json").write_text('{"not": "an export"}\n')
    assert not fmt.sniff(tmp_path / "x.json")
    assert not fmt.sniff(tmp_path / "missing.ndjson")
    assert fmt.load(demo.path).env_root() == demo.env_root()
