"""Work items, closures, sub-envs and the leaf claim rule on the multi-block fixture and
the spec's Nat example; the pipeline Env contract of `IxeEnv`."""
from __future__ import annotations

import json

import pytest

from ixcore.address import Address
from ixcore.errors import InputError
from ixcore.formats.ixe import dumps_ixe, loads_ixe
from ixcore.ixon.claims import leaf_claim, leaf_claim_lists
from ixcore.ixon.constant import ctor_proj_address, indc_proj_address
from ixcore.ixon.fixtures import fixture_env, write_fixture_ixe
from ixcore.ixon.names import Name
from ixcore.ixon.work import bfs_closure, block_of_addr, build_anon_work, build_sub_env, closure_edges
from ixcore.merkle import merkle_root


@pytest.fixture(scope="module")
def ixe(tmp_path_factory):
    from ixcore.formats.ixe import IxeFormat

    return IxeFormat().load(write_fixture_ixe(tmp_path_factory.mktemp("ixe") / "fx.ixe"))


def _addr(env, name: str) -> Address:
    return env.named[Name.parse(name)].addr


def test_work_enumeration_follows_ix(ixe):
    env = ixe.env
    work = build_anon_work(env)
    assert [w.addr for w in work] == sorted(w.addr for w in work)
    even_odd = block_of_addr(env, _addr(env, "Even"))
    item = next(w for w in work if w.addr == even_odd)
    names = ["Even", "Even.zero", "Even.succ", "Odd", "Odd.succ"]
    assert list(item.targets) == [_addr(env, n) for n in names]  # constructors right after their member
    assert item.targets[:2] == (indc_proj_address(0, even_odd), ctor_proj_address(0, 0, even_odd))
    assert item.primary == item.targets[0] and item.proven_targets == (even_odd, *item.targets)
    rec = next(w for w in work if w.addr == _addr(env, "Nat.rec"))
    assert not rec.is_block and rec.proven_targets == (rec.addr,) == rec.targets
    # The union of proven targets is every stored constant.
    assert {t for w in work for t in w.proven_targets} == set(env.consts)


def test_env_root_is_the_header_root(ixe):
    items = ixe.work_items()
    assert len(items) == 15
    assert ixe.env_root() == ixe.header_root() == merkle_root(t for w in items for t in w.proven_targets)
    assert [w.block for w in items] == sorted(w.block for w in items)
    nat = next(w for w in items if w.names[:1] == ("Nat",))
    assert nat.names == ("Nat", "Nat.zero", "Nat.succ") and ixe.name_of(nat.block) == "Nat"


def test_block_of_addr_and_closure_edges(ixe):
    env = ixe.env
    nat_block = block_of_addr(env, _addr(env, "Nat.succ"))
    assert block_of_addr(env, nat_block) == nat_block
    unknown = Address(bytes(range(32)))
    assert block_of_addr(env, unknown) == unknown
    assert set(closure_edges(env, nat_block)) == {_addr(env, n) for n in ("Nat", "Nat.zero", "Nat.succ")}
    assert closure_edges(env, _addr(env, "Nat")) == [nat_block]
    two = _addr(env, "Fixture.two")
    blob = next(iter(env.blobs))
    assert blob in closure_edges(env, two)
    assert blob in bfs_closure(env, [two])


def test_nat_sub_env_matches_the_spec_bytes(ixe, shared_dir):
    """The expected bytes are derived from the spec (§10.4), not written by Ix."""
    doc = json.loads((shared_dir / "golden/ixon-vectors/ixon_vectors.json").read_text())["derived_envs"]["envs"][1]
    nat = block_of_addr(ixe.env, _addr(ixe.env, "Nat"))
    data = ixe.sub_env_bytes([nat])
    assert data.hex() == doc["hex"] and len(data) == 348
    expected = doc["expected_leaf_publics_reuse_mode"]
    check = ixe.check_list([nat])
    assert [str(a) for a in check] == expected["check_list"]
    claim = leaf_claim(loads_ixe(data), check)
    assert str(claim.subject_root) == expected["subject_root"]
    assert str(claim.assumptions_root) == expected["assumptions_root"]
    assert claim.checked_count == expected["checked_count"]


def test_sub_env_carries_blobs_hints_and_external_refs(ixe, tmp_path):
    env = ixe.env
    two_eq = _addr(env, "Fixture.two_eq")
    path = ixe.write_sub_env([two_eq], tmp_path / "sub.ixe")
    sub = loads_ixe(path.read_bytes())
    two = _addr(env, "Fixture.two")
    assert two in sub.consts and sub.hints[two] == env.hints[two] and set(sub.blobs) == set(env.blobs)
    assert sub.named == {} and list(sub.names.values()) == [Name(())]
    assert all(sub.consts[a] == env.consts[a] for a in sub.consts)  # verbatim
    subjects, assumptions = leaf_claim_lists(sub, ixe.check_list([two_eq]))
    assert subjects == [two_eq]
    assert assumptions == sorted({_addr(env, n) for n in ("Eq", "Eq.refl", "Nat", "Fixture.two")})


def test_claim_rule_mirrors_the_guest(ixe):
    env = ixe.env
    two = _addr(env, "Fixture.two")
    sub = build_sub_env(env, [two])
    blob = next(iter(env.blobs))
    assert leaf_claim_lists(sub, [two]) == ([two], [_addr(env, "Nat")])  # blob present: not assumed
    del sub.blobs[blob]
    assert leaf_claim_lists(sub, [two])[1] == sorted([_addr(env, "Nat"), blob])  # absent blob: assumed
    whole = leaf_claim(env)  # range mode over the whole env
    assert whole.assumptions == () and whole.subject_root == ixe.header_root()
    assert whole.checked_count == len(env.consts)
    assert leaf_claim(env, range_=(3, 5)).items == 2 and leaf_claim(env, range_=(9, 99)).items == len(build_anon_work(env)) - 9


def test_corrupt_constant_contributes_no_assumptions(ixe):
    """Ix's `get_const` returns None for a constant failing its deferred hash check."""
    env = ixe.env
    two = _addr(env, "Fixture.two")
    sub = build_sub_env(env, [two])
    sub.consts[two] = sub.consts[two][:-1] + b"\x01"
    assert leaf_claim_lists(sub, [two]) == ([two], [])


def test_unknown_blocks_are_input_errors(ixe):
    with pytest.raises(InputError, match="not work blocks of this env"):
        ixe.check_list([Address(bytes(32))])


def test_static_profile_keys_are_work_blocks(ixe, tmp_path):
    """No Ix-written .ixprof exists for any env we hold; what we can pin is that our
    profile's block keys are the work_block_addrs and survive the binary format."""
    from ixcore.formats.ixprof import read_ixprof, write_ixprof

    prof = ixe.static_profile()
    assert list(prof.addrs) == [w.block for w in ixe.work_items()]
    idx = prof.index()
    for w in ixe.work_items():
        i = idx[w.block]
        assert int(prof.sizes[i]) == ixe.block_size(w.block) == int(prof.heartbeats[i]) == int(prof.subst[i])
        assert {prof.addrs[j] for j in prof.producers(i)} == ixe.block_refs(w.block)
    even_odd = block_of_addr(ixe.env, _addr(ixe.env, "Even"))
    nat_block = block_of_addr(ixe.env, _addr(ixe.env, "Nat"))
    assert ixe.block_refs(even_odd) == {nat_block}
    assert int(prof.const_counts[idx[even_odd]]) == 6
    write_ixprof(prof, tmp_path / "fx.ixprof")
    assert list(read_ixprof(tmp_path / "fx.ixprof").addrs) == list(prof.addrs)


def test_inspect_and_registry_find_the_format(tmp_path, host):
    from ixcore.formats.sniff import inspect_file

    path = write_fixture_ixe(tmp_path / "fx.ixe")
    summary = inspect_file(path, host)
    assert summary["type"] == "env" and summary["format"] == "ixe" and summary["blocks"] == 15
    assert summary["env_root"] == str(fixture_env().root())
    assert dumps_ixe(host.create("env_format", "ixe", {}, check=False).load(path).env) == path.read_bytes()
