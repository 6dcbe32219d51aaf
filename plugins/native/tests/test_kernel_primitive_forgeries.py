"""A forged Nat primitive is never accelerated, so it cannot prove False (issue 10, part 3).

Every forgery here is a well-typed definition named like a primitive (`Nat.add`, ...) that
differs from the real function somewhere: above a threshold (agreeing on every input below
16, which defeated the old five-sample check) or only at zero. Each must stay an ordinary
definition: not in `Kernel.validated`; `Nat.<op> a b = forged := rfl` checks (the kernel
agrees with the definition), `Nat.<op> a b = true := rfl` is rejected, and `T.contra : False`
(see `prim_forgery_env`) is rejected. With the sample check, every "above" forgery was
accelerated and `T.contra` checked. Honest definitions of the structurally recursive
operations, written differently from Lean's, must still be validated and accelerated.
"""
from __future__ import annotations

import prim_forgery_env as P
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ix_native.lean.checker import Kernel
from ix_native.lean.export import read_export
from ix_native.lean.expr import LIT, mk_app, mk_const, mk_lit
from ix_native.lean.name import Name
from ix_native.lean.nat import BOOL_FALSE_CONST, BOOL_TRUE_CONST
from ix_native.lean.tc import TypeChecker

#: Operations whose honest `T.<op>`-based definitions earn acceleration. div/mod are only
#: validated in Lean's fuel-based shape (test_kernel_divmod_primitives.py), shiftRight through
#: a validated div, gcd/land/lor/xor never (docs/kernel.md); here their forgeries are checked.
EQUATIONAL = ("add", "sub", "mul", "pow", "beq", "ble", "shiftLeft")
VERDICTS = ("T.good", "T.bad", "T.lemma", "T.contra")


def _check(tmp_path, op, definition, a, b, forged_value):
    path = P.write_env(tmp_path / f"{op}.ndjson", op, definition, a, b, forged_value)
    kernel = Kernel()
    stats = kernel.check_all(read_export(path), stop_on_error=False)
    verdicts = {str(s.name): s.ok for s in stats if str(s.name) in VERDICTS}
    others = [s.reason for s in stats if not s.ok and str(s.name) not in VERDICTS]
    assert not others, others  # the environment itself is well-formed
    return kernel, verdicts


def _perturbed(op, value, k=1):
    return (not value) if op in P.PREDICATES else value + k


def _assert_ordinary(kernel, verdicts, op):
    assert Name.from_str(f"Nat.{op}") not in kernel.validated
    assert verdicts == {"T.good": True, "T.bad": False, "T.lemma": True, "T.contra": False}, verdicts


@pytest.mark.parametrize("op", P.OPS)
def test_a_forgery_agreeing_below_16_is_not_accelerated(tmp_path, op):
    a, b = 17, 2
    forged = _perturbed(op, P.TRUE_FN[op](a, b))
    kernel, verdicts = _check(tmp_path, op, P.forged_above(op), a, b, forged)
    _assert_ordinary(kernel, verdicts, op)


@pytest.mark.parametrize("op", P.OPS)
def test_a_forgery_wrong_only_at_zero_is_not_accelerated(tmp_path, op):
    a, b = 5, 0
    forged = _perturbed(op, P.TRUE_FN[op](a, b))
    kernel, verdicts = _check(tmp_path, op, P.forged_at_zero(op), a, b, forged)
    _assert_ordinary(kernel, verdicts, op)


def test_the_issues_beq_is_zero_forgery_proves_nothing(tmp_path):
    """`Nat.beq a b := isZero a && isZero b` agrees with `==` at the old samples' zeros."""
    kernel, verdicts = _check(tmp_path, "beq", P.forged_beq_is_zero(), 3, 3, False)
    _assert_ordinary(kernel, verdicts, "beq")


@pytest.mark.parametrize("op", EQUATIONAL)
def test_honest_definitions_are_validated_and_accelerated(tmp_path, op):
    """`Nat.<op> := T.<op>` (plain `Nat.rec`, not Lean's `brecOn` shape) earns acceleration."""
    a, b = 17, 2
    value = P.TRUE_FN[op](a, b)
    kernel, verdicts = _check(tmp_path, op, P.honest(op), a, b, value)
    assert Name.from_str(f"Nat.{op}") in kernel.validated
    assert verdicts == {"T.good": True, "T.bad": True, "T.lemma": True, "T.contra": False}
    big = (1 << 70) + 5
    tc = TypeChecker(kernel.env, prim_ok=kernel.validated.__contains__)
    r = tc.whnf(mk_app(mk_app(mk_const(Name.from_str(f"Nat.{op}")), mk_lit(big)), mk_lit(3)))
    want = P.TRUE_FN[op](big, 3)
    if op in P.PREDICATES:
        assert r is (BOOL_TRUE_CONST if want else BOOL_FALSE_CONST)
    else:
        assert r.tag == LIT and r.value == want
    assert tc.ctr.nat_arith > 0 and not tc.ctr.delta_unfolds  # GMP, no unfolding


forgeries = st.one_of(
    st.builds(lambda op, t, first, k: ("above", op, t, first, k),
              st.sampled_from(P.OPS), st.integers(0, 20), st.booleans(), st.integers(1, 3)),
    st.builds(lambda op, first: ("zero", op, 0, first, 1), st.sampled_from(P.OPS), st.booleans()),
)


@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(forgery=forgeries, offset=st.integers(0, 3), other=st.integers(0, 3))
def test_generated_forgeries_are_never_accelerated(tmp_path, forgery, offset, other):
    """Thresholds anywhere in 0..20 on either argument, perturbations by 1..3, or a wrong
    zero case on either argument; evaluated at a point where the forgery differs.
    Derandomized so CI sees the same cases every run. Points whose true value exceeds
    4,096 are skipped: a definition that is not accelerated computes in unary (by
    unfolding), and 2^23 successors are deeper than the checker's stack, which rejects
    every statement there and so says nothing about acceleration."""
    kind, op, threshold, first, k = forgery
    hit = threshold + offset if kind == "above" else 0
    a, b = (hit, other) if first else (other, hit)
    assume(op in P.PREDICATES or P.TRUE_FN[op](a, b) <= 4096)
    if kind == "above":
        definition = P.forged_above(op, threshold, first, perturb=lambda v: _succ_n(v, op, k))
    else:
        definition = P.forged_at_zero(op, on_first=first)
        k = 1
    forged = _perturbed(op, P.TRUE_FN[op](a, b), k)
    kernel, verdicts = _check(tmp_path, op, definition, a, b, forged)
    _assert_ordinary(kernel, verdicts, op)


def _succ_n(v, op, k):
    if op in P.PREDICATES:
        return P.negate(v, op)
    for _ in range(k):
        v = P.succ(v)
    return v


def test_lean_4_29_definitions_are_validated(shared_dir):
    """init-prelude's real (`brecOn`-compiled) definitions pass their equations."""
    exp = read_export(shared_dir / "lean-exports" / "nyaya" / "good" / "init-prelude.ndjson")
    kernel = Kernel()
    assert all(s.ok for s in kernel.check_all(exp))
    want = {"Nat", "Nat.zero", "Nat.succ", "Bool", "Bool.false", "Bool.true", "Nat.add", "Nat.sub",
            "Nat.mul", "Nat.pow", "Nat.beq", "Nat.ble", "String.ofList"}
    assert want <= {str(n) for n in kernel.validated}
    tc = TypeChecker(kernel.env, prim_ok=kernel.validated.__contains__)
    r = tc.whnf(mk_app(mk_app(mk_const(Name.from_str("Nat.pow")), mk_lit(3)), mk_lit(200)))
    assert r.tag == LIT and r.value == 3 ** 200 and tc.ctr.nat_arith > 0


NAT_CTORS = (("Nat.zero", P.NAT), ("Nat.succ", P.arrow(P.NAT, P.NAT)))
BOOL_CTORS = (("Bool.false", P.BOOL), ("Bool.true", P.BOOL))
STRUCTURES = {
    "honest": (NAT_CTORS, BOOL_CTORS),
    "Nat constructors swapped": (NAT_CTORS[::-1], BOOL_CTORS),
    "binary Nat.succ": ((NAT_CTORS[0], ("Nat.succ", P.arrow(P.NAT, P.arrow(P.NAT, P.NAT)))), BOOL_CTORS),
    "extra Nat constructor": (NAT_CTORS + (("Nat.two", P.NAT),), BOOL_CTORS),
    "Bool constructors swapped": (NAT_CTORS, BOOL_CTORS[::-1]),
}


@pytest.mark.parametrize("case", STRUCTURES)
def test_nat_and_bool_are_validated_only_with_their_exact_constructors(tmp_path, case):
    """Without a validated Nat, a literal is not `Nat.succ` of anything (so `1 = succ 0`
    fails) and nothing is accelerated; likewise no `beq`/`ble` without a validated Bool."""
    nat_ctors, bool_ctors = STRUCTURES[case]
    kernel = Kernel()
    stats = kernel.check_all(read_export(P.structure_env(tmp_path / "s.ndjson", nat_ctors, bool_ctors)),
                             stop_on_error=False)
    assert all(s.ok for s in stats if str(s.name) != "T.lit")
    nat_ok = nat_ctors == NAT_CTORS
    assert {"Nat", "Nat.zero", "Nat.succ"} <= {str(n) for n in kernel.validated} if nat_ok else \
        not {"Nat", "Nat.zero", "Nat.succ"} & {str(n) for n in kernel.validated}
    assert ("Bool" in {str(n) for n in kernel.validated}) is (bool_ctors == BOOL_CTORS)
    assert next(s.ok for s in stats if str(s.name) == "T.lit") is nat_ok
