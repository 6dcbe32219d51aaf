"""A string literal unfolds to `String.ofList [Char.ofNat c, ...]` only once those constants
have the types that expansion assumes; with a `String.ofList` of another type the literal
stays as it is (the official kernel expands it regardless)."""
from __future__ import annotations

import prim_forgery_env as P
import pytest

from ix_native.lean.checker import Kernel
from ix_native.lean.export import read_export
from ix_native.lean.expr import mk_app, mk_const, mk_lit
from ix_native.lean.level import L_ZERO
from ix_native.lean.name import Name
from ix_native.lean.nat import STRING_OFLIST
from ix_native.lean.tc import TypeChecker

N = Name.from_str


def _expanded_a():
    char = mk_const(N("Char"))
    nil = mk_app(mk_const(N("List.nil"), (L_ZERO,)), char)
    a = mk_app(mk_const(N("Char.ofNat")), mk_lit(ord("a")))
    return mk_app(mk_const(STRING_OFLIST), mk_app(mk_app(mk_app(mk_const(N("List.cons"), (L_ZERO,)), char), a), nil))


@pytest.mark.parametrize("honest", (True, False))
def test_string_literals_expand_only_with_well_typed_constructors(tmp_path, honest):
    codomain = P.const("String") if honest else P.NAT
    exp = read_export(P.string_env(tmp_path / "s.ndjson", codomain))
    kernel = Kernel()
    assert all(s.ok for s in kernel.check_all(exp))
    assert (STRING_OFLIST in kernel.validated) is honest
    tc = TypeChecker(kernel.env, prim_ok=kernel.validated.__contains__)
    assert tc.is_def_eq(mk_lit("a"), _expanded_a()) is honest
