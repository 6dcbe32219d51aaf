"""Small lean4export environments for the primitive-validation tests, written with the demo
generator's term builders and NDJSON writer (`ix_native.demo_terms`).

An environment is: Nat, Bool, Eq, True, False, a one-constructor structure `T.U`; honest
reference functions `T.<op>` by structural recursion (`T.div` & co. by fuel), none of
them a primitive name so none is ever accelerated; honest `Nat.<dep>` definitions that the
operation under test is stated with (`Nat.mul` needs `Nat.add`); the definition of
`Nat.<op>` under test; and three theorems about one application `Nat.<op> a b` whose value
by the definition (`forged`) differs from the real function's (`true`):

- `T.good : Nat.<op> a b = forged := rfl` (what the definition says: must be accepted),
- `T.bad : Nat.<op> a b = true := rfl` (what GMP would say: must be rejected),
- `T.contra : False`, by `Eq.rec` from `T.lemma : ∀ u : T.U, Nat.<op> (T.U.rec a u) b = forged`
  (checked by delta: the local `u` blocks acceleration) to a motive that is `True` at `true`
  and `False` at `forged`: it checks exactly when the kernel computes `Nat.<op> a b` as
  `true` although the definition computes `forged`, i.e. it proves False.
"""
from __future__ import annotations

import math
from typing import Callable

from ix_native.demo_terms import (
    L_ONE,
    L_ZERO,
    PROP,
    TYPE,
    Ctor,
    Definition,
    IndType,
    Local,
    NdjsonWriter,
    Theorem,
    app,
    arrow,
    const,
    derive_inductive,
    lam,
    lit,
    lparam,
    pi,
    sort,
)

NAT, BOOL = const("Nat"), const("Bool")
TRUE_B, FALSE_B = const("Bool.true"), const("Bool.false")


def succ(e):
    return app(const("Nat.succ"), e)


def natrec(motive_codomain, zero, step: Callable, major):
    """`Nat.rec (fun _ => C) zero (fun k ih => step(k, ih)) major` into Sort 1 (C : Type)."""
    k, ih = Local("k", NAT), Local("ih", motive_codomain)
    return app(const("Nat.rec", L_ONE), lam([Local("n", NAT)], motive_codomain), zero,
               lam([k, ih], step(k, ih)), major)


def boolrec(codomain, if_false, if_true, b):
    return app(const("Bool.rec", L_ONE), lam([Local("b", BOOL)], codomain), if_false, if_true, b)


def fn2(name):
    return lambda a, b: app(const(name), a, b)


# ---------------------------------------------------------------- the real functions


def _bitwise(f):
    def go(a, b):
        r, bit = 0, 1
        while a or b:
            r |= bit * f(a & 1, b & 1)
            a, b, bit = a >> 1, b >> 1, bit << 1
        return r
    return go


TRUE_FN = {
    "add": lambda a, b: a + b, "sub": lambda a, b: max(a - b, 0), "mul": lambda a, b: a * b,
    "pow": lambda a, b: a ** b, "div": lambda a, b: a // b if b else 0,
    "mod": lambda a, b: a % b if b else a, "gcd": math.gcd, "beq": lambda a, b: a == b,
    "ble": lambda a, b: a <= b, "land": _bitwise(lambda x, y: x & y),
    "lor": _bitwise(lambda x, y: x | y), "xor": _bitwise(lambda x, y: x ^ y),
    "shiftLeft": lambda a, b: a << b, "shiftRight": lambda a, b: a >> b,
}
OPS = tuple(TRUE_FN)
PREDICATES = ("beq", "ble")
#: What each operation's defining equations are stated with (must be honest and validated).
DEPS = {"mul": ("add",), "pow": ("add", "mul"), "shiftLeft": ("add", "mul"), "shiftRight": ("div",)}


def result_type(op):
    return BOOL if op in PREDICATES else NAT


# ---------------------------------------------------------------- declarations


def _base():
    out = [
        derive_inductive((), 0, [IndType("Nat", TYPE, (Ctor("Nat.zero", NAT), Ctor("Nat.succ", arrow(NAT, NAT))))]),
        derive_inductive((), 0, [IndType("Bool", TYPE, (Ctor("Bool.false", BOOL), Ctor("Bool.true", BOOL)))]),
        derive_inductive((), 0, [IndType("T.U", TYPE, (Ctor("T.U.mk", const("T.U")),))]),
    ]
    u1 = lparam("u_1")
    al = Local("α", sort(u1), "implicit")
    a, a2 = Local("a", al), Local("a✝", al)
    out.append(derive_inductive(("u_1",), 2, [IndType("Eq", pi([al, a, a2], PROP), (
        Ctor("Eq.refl", pi([al, a], app(const("Eq", u1), al, a, a))),))], large_elim=True))
    out.append(derive_inductive((), 0, [IndType("True", PROP, (Ctor("True.intro", const("True")),))], large_elim=True))
    out.append(derive_inductive((), 0, [IndType("False", PROP, ())], large_elim=True))
    return out


def _def(name, type_, value):
    return Definition(name, (), type_, value, 1)


def _nn(res=NAT):
    return pi([Local("a", NAT), Local("b", NAT)], res)


def _reference():
    """`T.<op>`: honest, structurally recursive (div/mod/gcd/bitwise: with fuel) definitions."""
    a, b = Local("a", NAT), Local("b", NAT)
    d = []

    def define(name, params, value, res=NAT):
        d.append(_def(name, pi(params, res), lam(params, value)))

    define("T.add", [a, b], natrec(NAT, a, lambda k, ih: succ(ih), b))
    define("T.pred", [a], natrec(NAT, lit(0), lambda k, ih: k, a))
    define("T.sub", [a, b], natrec(NAT, a, lambda k, ih: app(const("T.pred"), ih), b))
    define("T.mul", [a, b], natrec(NAT, lit(0), lambda k, ih: app(const("T.add"), ih, a), b))
    define("T.pow", [a, b], natrec(NAT, lit(1), lambda k, ih: app(const("T.mul"), ih, a), b))
    define("T.isZero", [a], natrec(BOOL, TRUE_B, lambda k, ih: FALSE_B, a), BOOL)
    n2b = arrow(NAT, BOOL)

    def compare(at_zero):
        """Recursion on a, then on b: the shape shared by `ble` and `beq`."""
        m = Local("m", NAT)
        return natrec(n2b, at_zero, lambda k, ih: lam([m], natrec(BOOL, FALSE_B, lambda j, _: app(ih, j), m)), a)

    m = Local("m", NAT)
    define("T.ble", [a, b], app(compare(lam([m], TRUE_B)), b), BOOL)
    define("T.beq", [a, b], app(compare(const("T.isZero")), b), BOOL)
    ble, sub, add, mul = fn2("T.ble"), fn2("T.sub"), fn2("T.add"), fn2("T.mul")
    pos = lambda e: app(const("T.isZero"), e)  # noqa: E731 - read as "is zero"
    fuel_t = pi([Local("a", NAT), Local("b", NAT)], NAT)
    # divF fuel a b = if b = 0 ∨ a < b then 0 else succ (divF fuel' (a - b) b); div a b = divF (a+1) a b
    for name, stop, step in (
        ("T.divF", lambda a_, b_: lit(0), lambda ih, a_, b_: succ(app(ih, sub(a_, b_), b_))),
        ("T.modF", lambda a_, b_: a_, lambda ih, a_, b_: app(ih, sub(a_, b_), b_)),
    ):
        f = Local("fuel", NAT)
        aa, bb = Local("a", NAT), Local("b", NAT)
        body = natrec(fuel_t, lam([aa, bb], stop(aa, bb)), lambda k, ih, stop=stop, step=step, aa=aa, bb=bb: lam(
            [aa, bb], boolrec(NAT, stop(aa, bb), boolrec(NAT, step(ih, aa, bb), stop(aa, bb), pos(bb)), ble(bb, aa))), f)
        d.append(_def(name, pi([f], fuel_t), lam([f], body)))
    define("T.div", [a, b], app(const("T.divF"), succ(a), a, b))
    define("T.mod", [a, b], app(const("T.modF"), succ(a), a, b))
    # gcdF fuel a b = if a = 0 then b else gcdF fuel' (b % a) a
    f, aa, bb = Local("fuel", NAT), Local("a", NAT), Local("b", NAT)
    d.append(_def("T.gcdF", pi([f], fuel_t), lam([f], natrec(fuel_t, lam([aa, bb], bb), lambda k, ih: lam([aa, bb], boolrec(
        NAT, app(ih, app(const("T.mod"), bb, aa), aa), bb, pos(aa))), f))))
    define("T.gcd", [a, b], app(const("T.gcdF"), succ(a), a, b))
    # bitF g fuel a b = if a = 0 ∧ b = 0 then 0 else 2 * bitF (a/2) (b/2) + g (a%2) (b%2)
    two = lit(2)

    def half(e):
        return app(const("T.div"), e, two)

    def bit(e):
        return app(const("T.mod"), e, two)

    for name, g in (("land", lambda p, q: mul(p, q)), ("lor", lambda p, q: sub(add(p, q), mul(p, q))),
                    ("xor", lambda p, q: sub(add(p, q), mul(two, mul(p, q))))):
        f, aa, bb = Local("fuel", NAT), Local("a", NAT), Local("b", NAT)

        def step(k, ih, g=g, aa=aa, bb=bb):
            rest = add(mul(two, app(ih, half(aa), half(bb))), g(bit(aa), bit(bb)))
            return lam([aa, bb], boolrec(NAT, rest, boolrec(NAT, rest, lit(0), pos(bb)), pos(aa)))

        d.append(_def(f"T.{name}F", pi([f], fuel_t), lam([f], natrec(fuel_t, lam([aa, bb], lit(0)), step, f))))
        define(f"T.{name}", [a, b], app(const(f"T.{name}F"), succ(add(a, b)), a, b))
    # shiftLeft by recursion on the shift, doubling the accumulator (Lean's definition)
    acc = Local("x", NAT)
    define("T.shiftLeft", [a, b], app(natrec(arrow(NAT, NAT), lam([acc], acc),
                                             lambda k, ih: lam([acc], app(ih, mul(two, acc))), b), a))
    define("T.shiftRight", [a, b], natrec(NAT, a, lambda k, ih: app(const("T.div"), ih, two), b))
    return d


def honest(op):
    """`Nat.<op> := fun a b => T.<op> a b`, stated like Lean's definition."""
    a, b = Local("a", NAT), Local("b", NAT)
    return _def(f"Nat.{op}", _nn(result_type(op)), lam([a, b], app(const(f"T.{op}"), a, b)))


def negate(v, op):
    """A value that differs from v: succ for Nat, not for Bool."""
    return boolrec(BOOL, TRUE_B, FALSE_B, v) if op in PREDICATES else succ(v)


def forged_above(op, threshold=16, on_first=True, perturb=None):
    """Agrees with the real function while the chosen argument is below `threshold`."""
    a, b = Local("a", NAT), Local("b", NAT)
    real = app(const(f"T.{op}"), a, b)
    wrong = (perturb or (lambda v: negate(v, op)))(real)
    cond = app(const("T.ble"), lit(threshold), a if on_first else b)
    return _def(f"Nat.{op}", _nn(result_type(op)), lam([a, b], boolrec(result_type(op), real, wrong, cond)))


def forged_at_zero(op, on_first=False):
    """Agrees with the real function except when the chosen argument is zero."""
    a, b = Local("a", NAT), Local("b", NAT)
    major = a if on_first else b

    def real(v):
        return app(const(f"T.{op}"), v, b) if on_first else app(const(f"T.{op}"), a, v)

    body = natrec(result_type(op), negate(real(lit(0)), op), lambda k, ih: real(succ(k)), major)
    return _def(f"Nat.{op}", _nn(result_type(op)), lam([a, b], body))


def forged_beq_is_zero():
    """The issue's example: `Nat.beq a b := isZero a && isZero b`."""
    a, b = Local("a", NAT), Local("b", NAT)
    z = lambda e: app(const("T.isZero"), e)  # noqa: E731
    return _def("Nat.beq", _nn(BOOL), lam([a, b], boolrec(BOOL, FALSE_B, z(b), z(a))))


def _value(op, v):
    if op in PREDICATES:
        return TRUE_B if v else FALSE_B
    return lit(v)


def _eq(ty, x, y):
    return app(const("Eq", L_ONE), ty, x, y)


def _refl(ty, x):
    return app(const("Eq.refl", L_ONE), ty, x)


def theorems(op, a, b, forged_value):
    """`T.good`, `T.bad`, `T.lemma`, `T.contra` for `Nat.<op> a b` (see the module docstring)."""
    ty = result_type(op)
    true_v, forged_v = _value(op, TRUE_FN[op](a, b)), _value(op, forged_value)
    at = app(const(f"Nat.{op}"), lit(a), lit(b))
    u = Local("u", const("T.U"))
    hidden = app(const(f"Nat.{op}"), app(const("T.U.rec", L_ONE), lam([Local("_", const("T.U"))], NAT),
                                         lit(a), u), lit(b))
    n = Local("n", ty)
    h = Local("h", _eq(ty, at, n))
    if op in PREDICATES:
        is_true = boolrec(PROP, const("False" if TRUE_FN[op](a, b) else "True"),
                          const("True" if TRUE_FN[op](a, b) else "False"), n)
    else:
        is_true = boolrec(PROP, const("False"), const("True"), app(const("T.beq"), n, true_v))
    motive = lam([n, h], is_true)
    contra = app(const("Eq.rec", L_ZERO, L_ONE), ty, at, motive, const("True.intro"), forged_v,
                 app(const("T.lemma"), const("T.U.mk")))
    return [
        Theorem("T.good", (), _eq(ty, at, forged_v), _refl(ty, forged_v)),
        Theorem("T.bad", (), _eq(ty, at, true_v), _refl(ty, true_v)),
        Theorem("T.lemma", (), pi([u], _eq(ty, hidden, forged_v)), lam([u], _refl(ty, forged_v))),
        Theorem("T.contra", (), const("False"), contra),
    ]


def write_env(path, op, definition, a=None, b=None, forged_value=None):
    """Write base + reference + honest deps + `definition` (+ theorems at (a, b)) to `path`."""
    decls = _base() + _reference()
    decls += [honest(d) for d in DEPS.get(op, ())]
    decls.append(definition)
    if a is not None:
        decls += theorems(op, a, b, forged_value)
    with open(path, "wb") as fh:
        w = NdjsonWriter(fh)
        for dcl in decls:
            w.declare(dcl)
    return path


def string_env(path, string_of_list_codomain):
    """Nat, List, Char (`Char.ofNat : Nat → Char`), String and `String.ofList : List Char → C`
    for the given codomain C (`String` is honest), then `T.s : String := "a"` as a literal."""
    u = lparam("u")
    al = Local("α", sort(("succ", u)))
    ial = al.with_bi("implicit")
    lst = app(const("List", u), al)
    lst_ind = IndType("List", pi([al], sort(("succ", u))), (
        Ctor("List.nil", pi([ial], lst)), Ctor("List.cons", pi([ial, Local("head", al), Local("tail", lst)], lst))))
    char = const("Char")
    list_char = app(const("List", L_ZERO), char)
    n, chars = Local("n", NAT), Local("data", list_char)
    decls = [
        _base()[0],
        derive_inductive(("u",), 1, [lst_ind]),
        derive_inductive((), 0, [IndType("Char", TYPE, (Ctor("Char.mk", pi([n], char)),))]),
        derive_inductive((), 0, [IndType("String", TYPE, (Ctor("String.mk", pi([chars], const("String"))),))]),
        _def("Char.ofNat", pi([n], char), lam([n], app(const("Char.mk"), n))),
    ]
    value = app(const("String.mk"), chars) if string_of_list_codomain == const("String") else lit(0)
    decls.append(_def("String.ofList", pi([chars], string_of_list_codomain), lam([chars], value)))
    with open(path, "wb") as fh:
        w = NdjsonWriter(fh)
        for d in decls:
            w.declare(d)
    return path


def structure_env(path, nat_ctors, bool_ctors):
    """Nat and Bool with the given constructors ((name, type) pairs), Eq, and
    `T.lit : 1 = Nat.succ Nat.zero := rfl`, which needs the literal `1` to be `Nat.succ 0`."""
    eq = _base()[3]
    decls = [
        derive_inductive((), 0, [IndType("Nat", TYPE, tuple(Ctor(n, t) for n, t in nat_ctors))]),
        derive_inductive((), 0, [IndType("Bool", TYPE, tuple(Ctor(n, t) for n, t in bool_ctors))]),
        eq,
        Theorem("T.lit", (), _eq(NAT, lit(1), succ(const("Nat.zero"))), _refl(NAT, lit(1))),
    ]
    with open(path, "wb") as fh:
        w = NdjsonWriter(fh)
        for d in decls:
            w.declare(d)
    return path
