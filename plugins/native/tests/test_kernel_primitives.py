"""Nat literal acceleration is switched on exactly when the environment's definitions earn it.

Nat is validated when its constructors arrive (after the type itself), and `Nat.add` when
its definition satisfies `add x 0 ≡ x`, `add x (succ y) ≡ succ (add x y)` over locals
(test_kernel_primitive_forgeries.py tries to break that). Without the first, every `2^64`-sized
literal computation falls back to unary `Nat.rec` (an init-prelude run once exhausted memory
that way); without the second, a forged `Nat.add` would make GMP disagree with delta.
"""
from __future__ import annotations

import attrs
import pytest

from ix_native.lean.checker import Kernel
from ix_native.lean.expr import LIT, mk_app, mk_bvar, mk_const, mk_lam, mk_lit
from ix_native.lean.name import Name
from ix_native.lean.nat import NAT, NAT_SUCC, NAT_ZERO
from ix_native.lean.tc import TypeChecker

NAT_ADD = Name.from_str("Nat.add")


@pytest.fixture
def add_succ(shared_dir):
    """lean4export's `Nat.add_succ` export: Nat, Nat.add by structural recursion, a theorem."""
    from ix_native.lean.export import read_export

    return read_export(shared_dir / "lean-exports" / "lean4export" / "good" / "Nat.add_succ.ndjson")


def _prefix_through(exp, name):
    """The declarations of exp up to and including the one named name."""
    for i, d in enumerate(exp.decls):
        if d.name is name:
            return exp.decls[: i + 1]
    raise AssertionError(f"{name} not in {exp.path}")


def _whnf_add(kernel, a, b):
    tc = TypeChecker(kernel.env, prim_ok=kernel.validated.__contains__)
    r = tc.whnf(mk_app(mk_app(mk_const(NAT_ADD), mk_lit(a)), mk_lit(b)))
    return r, tc.ctr


def test_checking_nat_and_nat_add_enables_their_acceleration(add_succ):
    kernel = Kernel()
    stats = kernel.check_all(add_succ)
    assert all(s.ok for s in stats)
    assert {NAT, NAT_ZERO, NAT_SUCC, NAT_ADD} <= kernel.validated
    big = 1 << 64
    r, ctr = _whnf_add(kernel, big, big)
    assert r.tag == LIT and r.value == 2 * big
    assert ctr.nat_arith > 0 and NAT_ADD not in ctr.delta_unfolds  # GMP, not delta


def test_a_forged_nat_add_is_not_accelerated_and_reduces_by_its_own_definition(add_succ):
    decls = _prefix_through(add_succ, NAT_ADD)
    nat = mk_const(NAT)
    first = mk_lam(Name.from_str("a"), nat, mk_lam(Name.from_str("b"), nat, mk_bvar(1)))  # a + b := a
    kernel = Kernel()
    for d in decls[:-1]:
        assert kernel.check(d).ok
    assert kernel.check(attrs.evolve(decls[-1], value=first)).ok  # well typed, just wrong
    assert NAT in kernel.validated and NAT_ADD not in kernel.validated
    r, ctr = _whnf_add(kernel, 2, 3)
    assert r.tag == LIT and r.value == 2
    assert ctr.nat_arith == 0 and NAT_ADD in ctr.delta_unfolds
