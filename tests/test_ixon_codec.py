"""Ixon codec: upstream byte examples, the validated prelude vectors, malformed input,
and hypothesis round-trips (decode(encode(x)) == x and encode(decode(b)) == b)."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ixcore.address import Address
from ixcore.errors import InputError
from ixcore.ixon import constant as C
from ixcore.ixon import expr as E
from ixcore.ixon.tags import Reader, tag0, tag2, tag4
from ixcore.ixon.univ import UIMax, UMax, USucc, UVar, UZero, decode_univ, encode_univ

U64_MAX = (1 << 64) - 1


def test_tag_heads_match_upstream_examples():
    assert tag4(1, 5) == bytes.fromhex("15")
    assert tag4(2, 256) == bytes.fromhex("290001")
    assert tag2(0, 15) == bytes.fromhex("0f")
    assert tag2(3, 100) == bytes.fromhex("e064")
    assert tag0(42) == bytes.fromhex("2a")
    assert tag0(1000) == bytes.fromhex("81e803")
    assert (len(tag0(127)), len(tag0(128)), len(tag4(0, 7)), len(tag4(0, 8))) == (1, 2, 1, 2)
    assert len(tag0(U64_MAX)) == len(tag2(1, U64_MAX)) == len(tag4(3, U64_MAX)) == 9


def test_reader_accepts_nonminimal_but_rejects_nine_byte_counts():
    assert Reader(bytes.fromhex("8005")).tag0() == 5  # lenient, like Ix's decoder
    with pytest.raises(InputError, match="offset 0: expected a Tag0 varint with at most 8 value bytes"):
        Reader(bytes([0x88]) + bytes(9), "x.bin").tag0()


def test_universe_examples():
    cases = {
        "00": UZero(), "0100": USucc(UZero()), "0300": USucc(USucc(USucc(UZero()))), "c0": UVar(0),
        "c1": UVar(1), "01c0": USucc(UVar(0)), "4000c1": UMax(UZero(), UVar(1)),
        "40c040c10100": UMax(UVar(0), UMax(UVar(1), USucc(UZero()))),
    }
    for hexstr, u in cases.items():
        assert encode_univ(u).hex() == hexstr
        assert decode_univ(Reader(bytes.fromhex(hexstr))) == u


def test_expression_examples_and_maximal_telescopes():
    v = E.Var
    cases = {
        "10": v(0), "00": E.Sort(0), "2000": E.Ref(0), "22000001": E.Ref(0, (0, 1)), "b5": E.Share(5),
        "7313121110": E.App(E.App(E.App(v(3), v(2)), v(1)), v(0)),
        "8300000010": E.Lam(E.Sort(0), E.Lam(E.Sort(0), E.Lam(E.Sort(0), v(0)))), "1808": v(8),
        "91b0b4": E.All(E.Share(0), E.Share(4)),  # a Share body ends the telescope
    }
    for hexstr, e in cases.items():
        assert E.encode_expr(e).hex() == hexstr
        assert E.decode_expr(Reader(bytes.fromhex(hexstr))) == e
    # A non-maximal telescope decodes but is a different byte string (hence address).
    assert E.encode_expr(E.decode_expr(Reader(bytes.fromhex("71711110" "12")))) == bytes.fromhex("72111012")


@pytest.mark.parametrize("hexstr, message", [
    ("70", "offset 0: expected a telescope of at least one App/Lam/All"),
    ("c0", "offset 0: expected an expression flag 0x0..0xB, found 0xC"),
    ("7110", "offset 2: expected an expression head, found end of data"),
])
def test_malformed_expressions(hexstr, message):
    with pytest.raises(InputError, match=message):
        E.decode_expr(Reader(bytes.fromhex(hexstr), "e.bin"))


def test_deep_terms_do_not_recurse():
    e = E.Var(0)
    for i in range(20000):
        e = E.App(E.Var(1), e) if i % 2 else E.Lam(E.Sort(0), e)
    data = E.encode_expr(e)
    r = Reader(data)
    E.skip_expr(r)
    assert r.at_end()
    assert E.encode_expr(E.decode_expr(Reader(data))) == data


def _vectors(shared_dir):
    return json.loads((shared_dir / "golden/ixon-vectors/ixon_vectors.json").read_text())["validated_constants"]["vectors"]


def test_validated_vectors_rebuild_bit_for_bit(shared_dir):
    """Every constant of appendix A decodes, re-encodes to the same bytes, and hashes to
    the address Ix pins (transitively, for the Muts blocks)."""
    vectors = _vectors(shared_dir)
    assert len(vectors) == 28
    for v in vectors:
        data = bytes.fromhex(v["constant_hex"])
        c = C.decode_constant(data, v["name"])
        assert c.encode() == data, v["name"]
        assert str(c.address()) == v["address"], v["name"]


def test_projection_addresses_are_derived(shared_dir):
    by_name = {v["name"]: v for v in _vectors(shared_dir)}
    nat_block = Address.from_hex(by_name["Nat (Muts block)"]["address"])
    assert str(C.indc_proj_address(0, nat_block)) == by_name["Nat"]["address"]
    assert str(C.ctor_proj_address(0, 0, nat_block)) == by_name["Nat.zero"]["address"]
    assert str(C.ctor_proj_address(0, 1, nat_block)) == by_name["Nat.succ"]["address"]
    assert C.member_targets(((C.MUT_INDC, 2),), nat_block) == [
        Address.from_hex(by_name[n]["address"]) for n in ("Nat", "Nat.zero", "Nat.succ")
    ]


def test_vector_tables_are_exposed_to_scans(shared_dir):
    by_name = {v["name"]: bytes.fromhex(v["constant_hex"]) for v in _vectors(shared_dir)}
    rec = C.scan_constant(by_name["Nat.rec"])
    assert rec.head == 0xD1 and len(rec.refs) == 3 and rec.const_refs == {0, 1, 2}
    assert C.scan_constant(by_name["Nat"]).block == Address(by_name["Nat"][2:34])
    assert C.scan_constant(by_name["Int (Muts block)"]).members == ((C.MUT_INDC, 2),)


@pytest.mark.parametrize("hexstr, message", [
    ("d8", "offset 0: expected a constant head C\\?/D0-D7, found d8"),
    ("a0", "offset 0: expected a constant head"),
    ("d2020000000000", "offset 1: expected axiom is_unsafe \\(00 or 01\\), found 02"),
    ("d200000000000099", "offset 7: expected end of constant, found 1 trailing bytes"),
    ("c105", "offset 1: expected a mutual member tag 0..2, found 5"),
    ("d00c00000000", "offset 1: expected definition kind<=2 and safety<=2"),
])
def test_malformed_constants(hexstr, message):
    with pytest.raises(InputError, match=message):
        C.decode_constant(bytes.fromhex(hexstr), "c.bin")


# --- hypothesis round-trips ------------------------------------------------------------

small = st.integers(0, 300)
big = st.one_of(small, st.integers(0, U64_MAX))
univs = st.recursive(
    st.one_of(st.just(UZero()), st.builds(UVar, small)),
    lambda inner: st.one_of(st.builds(USucc, inner), st.builds(UMax, inner, inner), st.builds(UIMax, inner, inner)),
    max_leaves=8,
)
leaves = st.one_of(
    st.builds(E.Sort, big), st.builds(E.Var, big), st.builds(E.Str, small), st.builds(E.Nat, small),
    st.builds(E.Share, small), st.builds(E.Ref, small, st.lists(small, max_size=3).map(tuple)),
    st.builds(E.Rec, small, st.lists(small, max_size=3).map(tuple)),
)
exprs = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.builds(E.App, inner, inner), st.builds(E.Lam, inner, inner), st.builds(E.All, inner, inner),
        st.builds(E.Let, st.booleans(), inner, inner, inner), st.builds(E.Prj, small, small, inner),
    ),
    max_leaves=12,
)
addresses = st.binary(min_size=32, max_size=32).map(Address)
ctors = st.builds(C.Constructor, st.booleans(), small, small, small, small, exprs)
rules = st.builds(C.RecursorRule, small, exprs)
definitions = st.builds(C.Definition, st.integers(0, 2), st.integers(0, 2), small, exprs, exprs)
inductives = st.builds(C.Inductive, st.booleans(), small, small, small, exprs, st.lists(ctors, max_size=3))
recursors = st.builds(C.Recursor, st.booleans(), st.booleans(), small, small, small, small, small, exprs, st.lists(rules, max_size=3))
infos = st.one_of(
    definitions, recursors, st.builds(C.Axiom, st.booleans(), small, exprs),
    st.builds(C.Quotient, st.integers(0, 3), small, exprs),
    st.builds(C.InductiveProj, big, addresses), st.builds(C.ConstructorProj, big, big, addresses),
    st.builds(C.RecursorProj, big, addresses), st.builds(C.DefinitionProj, big, addresses),
    st.builds(C.Muts, st.lists(st.one_of(definitions, inductives, recursors), max_size=10)),
)
constants = st.builds(C.Constant, infos, st.lists(exprs, max_size=3), st.lists(addresses, max_size=3), st.lists(univs, max_size=3))


@given(univs)
def test_univ_roundtrip(u):
    data = encode_univ(u)
    r = Reader(data)
    assert decode_univ(r) == u and r.at_end()


@given(exprs)
def test_expr_roundtrip(e):
    data = E.encode_expr(e)
    assert E.decode_expr(Reader(data)) == e
    r = Reader(data)
    E.skip_expr(r)
    assert r.at_end()


@settings(max_examples=150)
@given(constants)
def test_constant_roundtrip(c):
    data = c.encode()
    assert C.decode_constant(data) == c
    assert C.decode_constant(data).encode() == data
    scan = C.scan_constant(data)
    assert scan.refs == c.refs and scan.head == data[0]
