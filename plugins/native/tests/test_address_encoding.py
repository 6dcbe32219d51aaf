"""Canonical encoding: invariance (ids, file order, environment) and sensitivity (anything
that can change the kernel's verdict changes the address)."""
from __future__ import annotations

import io

import blake3
import pytest

from ix_native.address import Encoder, encode_name, uvarint
from ix_native.demo_terms import (
    L_ONE,
    TYPE,
    Axiom,
    Ctor,
    Definition,
    IndType,
    Local,
    NdjsonWriter,
    app,
    arrow,
    const,
    derive_inductive,
    lam,
    lit,
    sort,
)
from ix_native.env import NdjsonFormat
from ix_native.lean.expr import mk_app, mk_const, mk_lit
from ix_native.lean.name import Name

NAT = const("Nat")


def nat_block():
    return derive_inductive((), 0, [IndType("Nat", TYPE, (Ctor("Nat.zero", NAT), Ctor("Nat.succ", arrow(NAT, NAT))))])


def load(tmp_path, decls, name="env.ndjson"):
    buf = io.BytesIO()
    w = NdjsonWriter(buf)
    for d in decls:
        w.declare(d)
    p = tmp_path / name
    p.write_bytes(buf.getvalue())
    return NdjsonFormat().load(p)


def addr_of(env, name):
    return next(w.block for w in env.work_items() if name in w.names)


def test_uvarint_and_name_vectors():
    assert uvarint(0) == b"\x00"
    assert uvarint(127) == b"\x7f"
    assert uvarint(128) == b"\x80\x01"
    assert uvarint(300) == b"\xac\x02"
    assert encode_name(Name.from_str("Nat.add")) == b"\x02\x00\x03Nat\x00\x03add"
    assert encode_name(Name.from_str("x.7")) == b"\x02\x00\x01x\x01\x07"


def test_independent_of_file_order_and_environment(tmp_path):
    a, b = Axiom("A", (), NAT), Axiom("B", (), NAT)
    e1 = load(tmp_path, [nat_block(), a, b], "one.ndjson")
    e2 = load(tmp_path, [nat_block(), b, a, Axiom("C", (), NAT)], "two.ndjson")
    for n in ("Nat", "A", "B"):
        assert addr_of(e1, n) == addr_of(e2, n)
    assert e1.env_root() != e2.env_root()


def test_recursor_order_in_the_export_does_not_matter(tmp_path):
    from ix_native.demo_env import DemoEnvBuilder
    from ix_native.demo_terms import InductiveBlock

    b = DemoEnvBuilder(3)
    b.prelude()
    b.fam_nested_ind()
    pos = max(i for i, d in enumerate(b.decls) if isinstance(d, InductiveBlock))
    rose = b.decls[pos]
    assert len(rose.recs) == 2  # Rose.rec and the auxiliary Rose.rec_1
    e1 = load(tmp_path, b.decls[:pos] + [rose], "a.ndjson")
    e2 = load(tmp_path, b.decls[:pos] + [rose.with_recs(reversed(rose.recs))], "b.ndjson")
    name = rose.types[0].name
    assert addr_of(e1, name) == addr_of(e2, name)


@pytest.mark.parametrize(
    "variant",
    ["value", "hints", "name", "levelparam", "type"],
)
def test_verdict_relevant_changes_change_the_address(tmp_path, variant):
    base = Definition("f", (), NAT, lit(5), 1)
    changed = {
        "value": Definition("f", (), NAT, lit(6), 1),
        "hints": Definition("f", (), NAT, lit(5), 2),
        "name": Definition("g", (), NAT, lit(5), 1),
        "levelparam": Definition("f", ("u",), NAT, lit(5), 1),
        "type": Definition("f", (), sort(L_ONE), NAT, 1),
    }[variant]
    e1 = load(tmp_path, [nat_block(), base], "a.ndjson")
    e2 = load(tmp_path, [nat_block(), changed], "b.ndjson")
    b1 = {w.block for w in e1.work_items()}
    b2 = {w.block for w in e2.work_items()}
    assert len(b1 - b2) == 1


def test_binder_names_are_metadata(tmp_path):
    x, y = Local("x", NAT), Local("y", NAT)
    e1 = load(tmp_path, [nat_block(), Definition("f", (), arrow(NAT, NAT), lam([x], x), 1)], "a.ndjson")
    e2 = load(tmp_path, [nat_block(), Definition("f", (), arrow(NAT, NAT), lam([y], y), 1)], "b.ndjson")
    assert addr_of(e1, "f") == addr_of(e2, "f")


def test_dependency_change_propagates_to_consumers(tmp_path):
    g = Definition("g", (), NAT, app(const("Nat.succ"), const("f")), 2)
    e1 = load(tmp_path, [nat_block(), Definition("f", (), NAT, lit(5), 1), g], "a.ndjson")
    e2 = load(tmp_path, [nat_block(), Definition("f", (), NAT, lit(6), 1), g], "b.ndjson")
    assert addr_of(e1, "g") != addr_of(e2, "g")
    assert addr_of(e1, "f") in e1.block_refs(addr_of(e1, "g"))


def test_literals_are_domain_separated_from_constants():
    enc = Encoder()
    n = mk_lit(int.from_bytes(b"Nat", "little"))
    s = mk_lit("Nat")
    c = mk_const(Name.from_str("Nat"))
    hashes = {enc.expr_hash(n), enc.expr_hash(s), enc.expr_hash(c)}
    assert len(hashes) == 3
    # a literal payload never hashes to an address: node hashes carry the 'E' domain byte
    assert enc.expr_hash(s) != blake3.blake3(b"Nat").digest()


def test_hashing_is_iterative_and_memoised():
    enc = Encoder()
    f = mk_const(Name.from_str("Nat.succ"))
    e = mk_lit(0)
    for _ in range(50_000):  # far deeper than Python's recursion limit
        e = mk_app(f, e)
    h = enc.expr_hash(e)
    assert len(h) == 32
    names, size = enc.walk([e])
    assert [str(x) for x in names] == ["Nat.succ"]
    assert size > 50_000 * 60
