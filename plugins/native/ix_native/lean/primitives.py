"""Validation of the constants the kernel's literal support trusts (cf. lean4lean `Primitive.lean`).

GMP shortcuts for `Nat.add` & co. are only sound if the environment's definitions compute
the same values, and literal expansion only if the constants it builds have the right
types. A primitive is enabled once its declaration has the expected shape and, for an
operation, its definition satisfies the operation's *defining equations* by definitional
equality over free variables, e.g. `add x 0 ≡ x` and `add x (succ y) ≡ succ (add x y)`.
By induction on the arguments the equations fix the value of every closed application, so
a definition that passes computes what GMP computes; nothing is sampled. An equation may
mention another operation only once that one is validated itself (`mul` is stated with
`add`). A definition that fails stays an ordinary, delta-reducible definition.

Validated here (set `validated` of the `Kernel`): `Nat` (and its constructors), `Bool`
(and its constructors), the equation-checked operations of `EQUATIONS`, `Nat.div` and
`Nat.mod` in Lean 4.29's fuel-based form (`CASE_CHECKED`: equations checked under each
value of the `Nat.ble` test that decides their branches), and the string literal
constructor (`String.ofList`, or `String.mk` before it existed) once `Char.ofNat`,
`List.nil`/`List.cons` at `Char` and the constructor have the literal expansion's types.
`Nat.gcd`, `Nat.land`, `Nat.lor`, `Nat.xor` (well-founded recursion in Lean) have no
equations here: they are never validated, so never accelerated (see docs/kernel.md).
"""
from __future__ import annotations

from collections.abc import Callable

from .environment import CTOR, DEFN, INDUCT
from .expr import (
    APP,
    PI,
    Expr,
    app_fn,
    eq_mod_binders,
    instantiate_rev,
    mk_app,
    mk_apps,
    mk_bvar,
    mk_const,
    mk_fvar,
    mk_lam,
    mk_pi,
    mk_sort,
)
from .level import L_ZERO, mk_succ
from .name import ANON, Name
from .nat import (
    BIN_OPS,
    BOOL,
    BOOL_FALSE,
    BOOL_TRUE,
    CHAR,
    CHAR_OFNAT,
    LIST_CONS,
    LIST_NIL,
    NAT,
    NAT_SUCC,
    NAT_ZERO,
    PREDICATES,
    STRING,
    STRING_MK,
    STRING_OFLIST,
)

__all__ = ["EQUATIONS", "PRIMITIVE_NAMES", "on_add"]

_N = Name.from_str
_TYPE1 = mk_sort(mk_succ(L_ZERO))
_NAT = mk_const(NAT)
_BOOL = mk_const(BOOL)
_ZERO = mk_const(NAT_ZERO)
_TRUE = mk_const(BOOL_TRUE)
_FALSE = mk_const(BOOL_FALSE)


def _arrow(a, b):
    return mk_pi(ANON, a, b)


def _succ(e):
    return mk_app(mk_const(NAT_SUCC), e)


_TWO = _succ(_succ(_ZERO))


def _pred(e):
    """`Nat.rec (fun _ => Nat) 0 (fun k _ => k) e`: the predecessor, built from the kernel's own
    recursor so that `sub` is not stated with a (possibly forged) `Nat.pred` of the file."""
    motive = mk_lam(ANON, _NAT, _NAT)
    step = mk_lam(ANON, _NAT, mk_lam(ANON, _NAT, mk_bvar(1)))
    return mk_apps(mk_const(_N("Nat.rec"), (mk_succ(L_ZERO),)), (motive, _ZERO, step, e))


def _op(name):
    c = mk_const(name)
    return lambda a, b: mk_app(mk_app(c, a), b)


# name -> (operations its equations mention, equations). An equation maps the operation
# under test `f`, the helper `g` for each dependency, and two Nat locals `x`, `y` to (lhs, rhs).
#: An equation: (f, x, y, *helpers) -> (lhs, rhs), all Exprs (helpers per dependency).
Equation = Callable[..., tuple[Expr, Expr]]
EQUATIONS: dict[Name, tuple[tuple[Name, ...], tuple[Equation, ...]]] = {
    _N("Nat.add"): ((), (
        lambda f, x, y: (f(x, _ZERO), x),
        lambda f, x, y: (f(x, _succ(y)), _succ(f(x, y))))),
    _N("Nat.sub"): ((), (
        lambda f, x, y: (f(x, _ZERO), x),
        lambda f, x, y: (f(x, _succ(y)), _pred(f(x, y))))),
    _N("Nat.mul"): ((_N("Nat.add"),), (
        lambda f, x, y, add: (f(x, _ZERO), _ZERO),
        lambda f, x, y, add: (f(x, _succ(y)), add(f(x, y), x)))),
    _N("Nat.pow"): ((_N("Nat.mul"),), (
        lambda f, x, y, mul: (f(x, _ZERO), _succ(_ZERO)),
        lambda f, x, y, mul: (f(x, _succ(y)), mul(f(x, y), x)))),
    _N("Nat.beq"): ((), (
        lambda f, x, y: (f(_ZERO, _ZERO), _TRUE),
        lambda f, x, y: (f(_ZERO, _succ(x)), _FALSE),
        lambda f, x, y: (f(_succ(x), _ZERO), _FALSE),
        lambda f, x, y: (f(_succ(x), _succ(y)), f(x, y)))),
    _N("Nat.ble"): ((), (
        lambda f, x, y: (f(_ZERO, _ZERO), _TRUE),
        lambda f, x, y: (f(_ZERO, _succ(x)), _TRUE),
        lambda f, x, y: (f(_succ(x), _ZERO), _FALSE),
        lambda f, x, y: (f(_succ(x), _succ(y)), f(x, y)))),
    _N("Nat.shiftLeft"): ((_N("Nat.mul"),), (
        lambda f, x, y, mul: (f(x, _ZERO), x),
        lambda f, x, y, mul: (f(x, _succ(y)), f(mul(_TWO, x), y)))),
    _N("Nat.shiftRight"): ((_N("Nat.div"),), (
        lambda f, x, y, div: (f(x, _ZERO), x),
        lambda f, x, y, div: (f(x, _succ(y)), div(f(x, y), _TWO)))),
}

_STRING_CTORS = (STRING_OFLIST, STRING_MK)
_STRING_PARTS = frozenset((STRING, CHAR, CHAR_OFNAT, LIST_NIL, LIST_CONS, *_STRING_CTORS))
_CTOR_OF = {NAT_ZERO: NAT, NAT_SUCC: NAT, BOOL_FALSE: BOOL, BOOL_TRUE: BOOL}
PRIMITIVE_NAMES = frozenset((NAT, BOOL, *BIN_OPS, *_CTOR_OF, *_STRING_PARTS))
"""Names whose arrival in the environment may enable a primitive."""


def on_add(env, name, make_tc, validated: set) -> None:
    """`name` was just added to `env`: validate whatever primitive it completes into `validated`.

    `make_tc(lparams, decl_name, prim_ok)` builds a type checker on `env`."""
    if name in _CTOR_OF or name is NAT or name is BOOL:
        ind = _CTOR_OF.get(name, name)
        if ind not in validated and _inductive_ok(env, ind):
            validated.update((ind, *env.get(ind).ctors))
    elif name in EQUATIONS and _operation_ok(env, name, make_tc, validated):
        validated.add(name)
    elif name in CASE_CHECKED and _case_checked_ok(env, name, validated):
        validated.add(name)
    if name in _STRING_PARTS or name is NAT:
        for ctor in _STRING_CTORS:
            if ctor not in validated and _string_ctor_ok(env, ctor, make_tc, validated):
                validated.add(ctor)


def _inductive_ok(env, name) -> bool:
    """`Nat` / `Bool` exactly as the literal machinery assumes: `Type`, no parameters or
    indices, alone in its block, and its two constructors in order with their types."""
    info = env.get(name)
    want = {NAT: ((NAT_ZERO, _NAT), (NAT_SUCC, _arrow(_NAT, _NAT))),
            BOOL: ((BOOL_FALSE, _BOOL), (BOOL_TRUE, _BOOL))}[name]
    if info is None or info.kind != INDUCT or info.unsafe or info.level_params or info.type is not _TYPE1:
        return False
    if info.num_params or info.num_indices or tuple(info.all) != (name,):
        return False
    if info.ctors != tuple(c for c, _ in want):
        return False
    for cname, ctype in want:
        c = env.get(cname)
        if c is None or c.kind != CTOR or c.level_params or not eq_mod_binders(c.type, ctype):
            return False
    return True


def _operation_ok(env, name, make_tc, validated) -> bool:
    deps, equations = EQUATIONS[name]
    res = _BOOL if name in PREDICATES else _NAT
    if NAT not in validated or (name in PREDICATES and BOOL not in validated):
        return False
    if not all(d in validated for d in deps):
        return False
    info = env.get(name)
    if info.kind != DEFN or info.unsafe or info.level_params or \
            not eq_mod_binders(info.type, _arrow(_NAT, _arrow(_NAT, res))):
        return False
    tc = make_tc((), name, _validated_except(validated, name))
    f = _op(name)
    helpers = [_op(d) for d in deps]
    for eq in equations:
        x, y = mk_fvar(_N("x"), _NAT), mk_fvar(_N("y"), _NAT)
        lhs, rhs = eq(f, x, y, *helpers)
        if not _def_eq(tc, lhs, rhs):
            return False
    return True


# ------------------------------------------------------------------ div and mod
#
# Lean 4.29 computes `x / y` and `x % y` with fuel: `Nat.div x y` is `go y _ (x+1) x _` when
# `0 < y` (else 0), and `go y _ (fuel+1) x _` is `go y _ fuel (x - y) _ + 1` when `y ≤ x`
# (else 0); `%` likewise through `Nat.modCore` and `Nat.modCore.go`. The branches are
# decided by `Nat.decLe`/`Nat.decLt`, i.e. by `Nat.ble`, which is stuck on locals. So each
# equation is checked twice, once assuming `Nat.ble a b` is `true` and once `false`
# (`_Assuming`): with `Nat.ble` validated, every closed instance is one of the two cases.
# The helpers are looked up by name only to be checked; their definitions are not trusted.

def _assuming_tc(env, name, validated):
    """A type checker class deciding `Nat.ble s t` by assumption, `Nat.ble` opaque."""
    from .tc import TypeChecker

    ble = mk_const(_N("Nat.ble"))

    class _Assuming(TypeChecker):
        """`facts`: ((a, b), value); `Nat.ble s t` with s ≡ a, t ≡ b reduces to value. Sound
        for every closed instance where `Nat.ble a b` does reduce to value: reduction is
        closed under contexts, and nothing else about `Nat.ble` is used (it does not unfold)."""

        def __init__(self, facts):
            super().__init__(env, (), prim_ok=_validated_except(validated, name), decl_name=name)
            self.facts = facts

        def _decided(self, e):
            if e.tag == APP and e.fn.tag == APP and e.fn.fn is ble:
                for (a, b), v in self.facts:
                    if self.is_def_eq(e.fn.arg, a) and self.is_def_eq(e.arg, b):
                        return v
            return None

        def whnf_core(self, e, cheap_rec=False, cheap_proj=False):
            v = self._decided(e)
            return v if v is not None else super().whnf_core(e, cheap_rec, cheap_proj)

        def whnf(self, e):
            v = self._decided(e)
            return v if v is not None else super().whnf(e)

        def get_delta_info(self, e):
            return None if app_fn(e) is ble else super().get_delta_info(e)

        def unfold_definition(self, e):
            return None if app_fn(e) is ble else super().unfold_definition(e)

    return _Assuming


def _by_cases(env, name, validated, split, lhs, if_true, if_false) -> bool:
    """lhs ≡ if_true assuming `Nat.ble split` is true, lhs ≡ if_false assuming false."""
    tc_class = _assuming_tc(env, name, validated)
    return all(_def_eq(tc_class([(split, v)]), lhs, rhs) for v, rhs in ((_TRUE, if_true), (_FALSE, if_false)))


def _fuelled(env, go, y, fuel, x):
    """`go y hy fuel x hfuel` with fresh locals for the two proof arguments, or None when
    `go` is not a definition of type `(y : Nat) → (0 < y) → (fuel x : Nat) → (x < fuel) → Nat`."""
    info = env.get(go)
    if info is None or info.kind != DEFN or info.level_params:
        return None
    t, args = info.type, []
    for i, arg in enumerate((y, None, fuel, x, None)):
        if t.tag != PI or (arg is not None and t.type is not _NAT):
            return None
        if arg is None:
            if t.type.lbr > i:  # mentions a binder not instantiated yet: malformed
                return None
            arg = mk_fvar(_N("h"), instantiate_rev(t.type, args))
        args.append(arg)
        t = t.body
    if instantiate_rev(t, args) is not _NAT:
        return None
    return mk_apps(mk_const(go), args)


def _fuel_step_ok(env, name, validated, go, on_true) -> bool:
    """`go y _ (fuel+1) x _ ≡ if y ≤ x then on_true(go y _ fuel (x - y) _) else stop(x)`."""
    y, fuel, x = (mk_fvar(_N(s), _NAT) for s in ("y", "fuel", "x"))
    lhs = _fuelled(env, go, y, _succ(fuel), x)
    rec = _fuelled(env, go, y, fuel, _op(_N("Nat.sub"))(x, y))
    if lhs is None or rec is None:
        return False
    stop = _ZERO if name == _N("Nat.div") else x
    return _by_cases(env, name, validated, (y, x), lhs, on_true(rec), stop)


def _div_ok(env, name, validated) -> bool:
    go = _N("Nat.div.go")
    x, y = mk_fvar(_N("x"), _NAT), mk_fvar(_N("y"), _NAT)
    start = _fuelled(env, go, y, _succ(x), x)
    return start is not None and \
        _by_cases(env, name, validated, (_succ(_ZERO), y), _op(name)(x, y), start, _ZERO) and \
        _fuel_step_ok(env, name, validated, go, _succ)


def _mod_ok(env, name, validated) -> bool:
    core, go = _N("Nat.modCore"), _N("Nat.modCore.go")
    x, y = mk_fvar(_N("x"), _NAT), mk_fvar(_N("y"), _NAT)
    start = _fuelled(env, go, y, _succ(x), x)
    info = env.get(core)
    if start is None or info is None or info.kind != DEFN or info.level_params:
        return False
    mod, mod_core = _op(name), _op(core)
    sx = _succ(x)
    return _def_eq(_assuming_tc(env, name, validated)([]), mod(_ZERO, y), _ZERO) and \
        _by_cases(env, name, validated, (y, sx), mod(sx, y), mod_core(sx, y), sx) and \
        _by_cases(env, name, validated, (_succ(_ZERO), y), mod_core(x, y), start, x) and \
        _fuel_step_ok(env, name, validated, go, lambda rec: rec)


#: Operations checked by case analysis instead of `EQUATIONS` (both need `Nat.sub`, `Nat.ble`).
CASE_CHECKED = {_N("Nat.div"): _div_ok, _N("Nat.mod"): _mod_ok}


def _case_checked_ok(env, name, validated) -> bool:
    if not {NAT, BOOL, _N("Nat.sub"), _N("Nat.ble")} <= validated:
        return False
    info = env.get(name)
    if info.kind != DEFN or info.unsafe or info.level_params or \
            not eq_mod_binders(info.type, _arrow(_NAT, _arrow(_NAT, _NAT))):
        return False
    return CASE_CHECKED[name](env, name, validated)


def _validated_except(validated, name):
    """`prim_ok` while deciding `name`: whatever is validated so far (literal support, the
    operations already shown correct, so that closed arithmetic inside a definition stays
    cheap), but never `name` itself."""
    return lambda n: n in validated and n is not name


def _def_eq(tc, lhs, rhs) -> bool:
    """Decide one equation; a definition too broken to reduce just fails it."""
    from .tc import KernelError

    try:
        return tc.is_def_eq(lhs, rhs)
    except (KernelError, RecursionError):
        return False


def _string_ctor_ok(env, ctor, make_tc, validated) -> bool:
    """String literals expand to `ctor [Char.ofNat c, ...]` at type `String`: each piece must
    have the type that expansion assumes. Their definitions are free (a literal *is* that
    application), but a piece of another type would let a literal be ill-typed."""
    if NAT not in validated or ctor not in env:
        return False
    parts = (STRING, CHAR, CHAR_OFNAT, LIST_NIL, LIST_CONS)
    if any(p not in env for p in parts):
        return False
    string, char = mk_const(STRING), mk_const(CHAR)
    list_char = mk_app(mk_const(_N("List"), (L_ZERO,)), char)
    want = (
        (mk_const(STRING), _TYPE1),
        (char, _TYPE1),
        (mk_const(CHAR_OFNAT), _arrow(_NAT, char)),
        (mk_app(mk_const(LIST_NIL, (L_ZERO,)), char), list_char),
        (mk_app(mk_const(LIST_CONS, (L_ZERO,)), char), _arrow(char, _arrow(list_char, list_char))),
        (mk_const(ctor), _arrow(list_char, string)),
    )
    tc = make_tc((), ctor, _validated_except(validated, ctor))
    from .tc import KernelError

    try:
        return all(tc.is_def_eq(tc.check(e), t) for e, t in want)
    except (KernelError, RecursionError):
        return False
