"""`Nat.div`, `Nat.mod` (and `Nat.shiftRight`, stated with `Nat.div`) are accelerated only
when Lean 4.29's fuel-based definitions pass their equations by case analysis on `Nat.ble`.

The environments are init-prelude's own declarations (Lean 4.29 `Nat.div`, `Nat.div.go`,
`Nat.mod`, `Nat.modCore`, `Nat.modCore.go`), with one of them replaced in memory by a
forgery that wraps the real definition: wrong above 16 (agreeing on every input below) or
wrong only at zero. A forgery is never validated, `Nat.<op> a b = forged := rfl` checks and
`Nat.<op> a b = true := rfl` is rejected.
"""
from __future__ import annotations

import attrs
import pytest

from ix_native.lean.checker import Kernel
from ix_native.lean.export import Decl, read_export
from ix_native.lean.expr import LIT, PI, mk_app, mk_apps, mk_bvar, mk_const, mk_lam, mk_lit, mk_pi
from ix_native.lean.level import L_ZERO, mk_succ
from ix_native.lean.name import Name
from ix_native.lean.tc import TypeChecker

N = Name.from_str
NAT = mk_const(N("Nat"))
ONE = mk_succ(L_ZERO)


@pytest.fixture(scope="module")
def prelude(shared_dir):
    """init-prelude, and a kernel that has checked it up to the first declaration replaced
    here (`Nat.modCore.go`), which every test resumes from a copy of."""
    exp = read_export(shared_dir / "lean-exports" / "nyaya" / "good" / "init-prelude.ndjson")
    kernel = Kernel()
    for i, d in enumerate(exp.decls):
        if d.name is N("Nat.modCore.go"):
            return exp, kernel, i
        assert kernel.check(d).ok


def _kernel(prelude, upto, replace=(), extra=()):
    """Continue checking init-prelude up to and including `upto` (with `replace`d
    declarations), then `extra`; return the kernel and the verdicts on `extra`."""
    exp, base, start = prelude
    kernel = Kernel()
    kernel.env.consts = dict(base.env.consts)
    kernel.env.quot_initialized = base.env.quot_initialized
    kernel.validated = set(base.validated)
    replace = {d.name: d for d in replace}
    for d in exp.decls[start:]:
        d = replace.get(d.name, d)
        st = kernel.check(d)
        assert st.ok, st.reason
        if d.name is upto:
            break
    return kernel, [kernel.check(d) for d in extra]


def _wrap(decl, body):
    """`decl` with value `fun xs => body(orig xs, xs)` (orig: the real value, xs: its binders)."""
    binders, t = [], decl.type
    while t.tag == PI:
        binders.append(t)
        t = t.body
    n = len(binders)
    xs = [mk_bvar(n - 1 - i) for i in range(n)]
    value = body(mk_apps(decl.value, xs), xs)
    for b in reversed(binders):
        value = mk_lam(b.name, b.type, value)
    return attrs.evolve(decl, value=value)


def _if(cond, then, otherwise):
    """`Bool.rec (fun _ => Nat) otherwise then cond`."""
    motive = mk_lam(N("b"), mk_const(N("Bool")), NAT)
    return mk_apps(mk_const(N("Bool.rec"), (ONE,)), (motive, otherwise, then, cond))


def _app2(name, a, b):
    return mk_app(mk_app(mk_const(N(name)), a), b)


def _succ(e):
    return mk_app(mk_const(N("Nat.succ")), e)


def _above16(decl, at):
    """Real value, plus one when binder `at` is at least 16."""
    return _wrap(decl, lambda orig, xs: _if(_app2("Nat.ble", mk_lit(16), xs[at]), _succ(orig), orig))


def _at_zero(decl, at):
    """Real value, plus one when binder `at` is zero."""
    return _wrap(decl, lambda orig, xs: _if(_app2("Nat.beq", xs[at], mk_lit(0)), _succ(orig), orig))


def _facts(op, a, b, forged, line=10**6):
    eq = lambda v: mk_apps(mk_const(N("Eq"), (ONE,)), (NAT, _app2(op, mk_lit(a), mk_lit(b)), mk_lit(v)))  # noqa: E731
    refl = lambda v: mk_apps(mk_const(N("Eq.refl"), (ONE,)), (NAT, mk_lit(v)))  # noqa: E731
    return [
        Decl("thm", N("T.good"), (), eq(forged), refl(forged), None, "safe", (N("T.good"),), line),
        Decl("thm", N("T.bad"), (), eq(_true(op, a, b)), refl(_true(op, a, b)), None, "safe", (N("T.bad"),), line + 1),
    ]


def _true(op, a, b):
    return {"Nat.div": a // b if b else 0, "Nat.mod": a % b if b else a, "Nat.shiftRight": a >> b}[op]


FORGERIES = {
    # (forged declaration, how, op checked, a, b)
    "div.go above 16": ("Nat.div.go", lambda d: _above16(d, 3), "Nat.div", 40, 3),
    "div at zero": ("Nat.div", lambda d: _at_zero(d, 1), "Nat.div", 7, 0),
    "modCore.go above 16": ("Nat.modCore.go", lambda d: _above16(d, 3), "Nat.mod", 40, 3),
    "modCore above 16": ("Nat.modCore", lambda d: _above16(d, 0), "Nat.mod", 40, 3),
    "mod at zero": ("Nat.mod", lambda d: _at_zero(d, 0), "Nat.mod", 0, 5),
}


@pytest.mark.parametrize("case", FORGERIES)
def test_forged_div_and_mod_are_not_accelerated(prelude, case):
    forged_name, forge, op, a, b = FORGERIES[case]
    forged = forge(prelude[0].by_name[N(forged_name)])
    value = _true(op, a, b) + 1
    kernel, (good, bad) = _kernel(prelude, N(op), replace=[forged], extra=_facts(op, a, b, value))
    assert N(op) not in kernel.validated
    assert good.ok and not bad.ok, (good.reason, bad.reason)


def test_real_div_and_mod_are_accelerated(prelude):
    kernel, _ = _kernel(prelude, N("Nat.div"))
    assert {N("Nat.div"), N("Nat.mod")} <= kernel.validated
    tc = TypeChecker(kernel.env, prim_ok=kernel.validated.__contains__)
    big = (1 << 80) + 12345
    for op, want in (("Nat.div", big // 7), ("Nat.mod", big % 7)):
        r = tc.whnf(_app2(op, mk_lit(big), mk_lit(7)))
        assert r.tag == LIT and r.value == want
    assert tc.ctr.nat_arith > 0 and not tc.ctr.delta_unfolds


def _shift_right(prelude, step):
    """`Nat.shiftRight a b := Nat.rec a (fun _ ih => step ih) b` (Lean's equations)."""
    motive = mk_lam(N("n"), NAT, NAT)
    rec = mk_apps(mk_const(N("Nat.rec"), (ONE,)), (motive, mk_bvar(1), mk_lam(N("k"), NAT, mk_lam(
        N("ih"), NAT, step(mk_bvar(0)))), mk_bvar(0)))
    ty = NAT
    value = mk_lam(N("a"), ty, mk_lam(N("b"), ty, rec))
    return Decl("def", N("Nat.shiftRight"), (), mk_pi(N("a"), ty, mk_pi(N("b"), ty, ty)), value,
                prelude[0].by_name[N("Nat.div")].hints, "safe", (N("Nat.shiftRight"),), 10**6 - 1)


@pytest.mark.parametrize("forged", (False, True))
def test_shift_right_is_validated_through_div(prelude, forged):
    half = lambda ih: _app2("Nat.div", ih, mk_lit(2))  # noqa: E731
    step = (lambda ih: _if(_app2("Nat.ble", mk_lit(16), ih), _succ(half(ih)), half(ih))) if forged else half
    shr = _shift_right(prelude, step)
    value = _true("Nat.shiftRight", 40, 1) + forged
    kernel, (_, good, bad) = _kernel(prelude, N("Nat.div"), extra=[shr, *_facts("Nat.shiftRight", 40, 1, value)])
    assert (N("Nat.shiftRight") in kernel.validated) is not forged
    assert good.ok and bad.ok is not forged
