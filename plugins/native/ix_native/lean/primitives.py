"""Validation of the constants the Nat accelerator trusts (cf. lean4lean `Primitive.lean`).

GMP shortcuts for `Nat.add` & co. are only sound if the environment's definitions compute
the same values. A primitive is enabled once (1) its type has the expected shape and (2) its
definition, unfolded with its own acceleration switched off, agrees with the built-in
operation on sample inputs. A forged `Nat.add` therefore just falls back to delta reduction.
"""
from __future__ import annotations

from .environment import CTOR, DEFN, INDUCT
from .expr import APP, CONST, LIT, eq_mod_binders, mk_app, mk_const, mk_lit, mk_pi, mk_sort
from .level import L_ZERO, mk_succ
from .name import ANON
from .nat import BIN_OPS, BOOL, BOOL_FALSE, BOOL_TRUE, NAT, NAT_SUCC, NAT_ZERO, PREDICATES

_TYPE1 = mk_sort(mk_succ(L_ZERO))
_SAMPLES = ((0, 0), (3, 2), (2, 3), (7, 1), (6, 4))


def _nat():
    return mk_const(NAT)


def _arrow(a, b):
    return mk_pi(ANON, a, b)


def validate(env, name, make_tc, validated: set) -> bool:
    """Validate primitive `name` just added to `env`; on success add it to `validated`."""
    ok = False
    info = env.get(name)
    if name is NAT:
        ok = (info.kind == INDUCT and not info.level_params and info.type is _TYPE1
              and info.ctors == (NAT_ZERO, NAT_SUCC) and info.num_params == 0 and info.num_indices == 0)
        z, s = env.get(NAT_ZERO), env.get(NAT_SUCC)
        ok = ok and z is not None and s is not None and z.kind == CTOR and s.kind == CTOR and \
            z.type is _nat() and eq_mod_binders(s.type, _arrow(_nat(), _nat()))
        if ok:
            validated.update((NAT, NAT_ZERO, NAT_SUCC))
        return ok
    if name is BOOL:
        ok = (info.kind == INDUCT and not info.level_params and info.type is _TYPE1
              and info.ctors == (BOOL_FALSE, BOOL_TRUE))
        if ok:
            validated.update((BOOL, BOOL_FALSE, BOOL_TRUE))
        return ok
    if name in BIN_OPS:
        if NAT not in validated or (name in PREDICATES and BOOL not in validated):
            return False
        res = mk_const(BOOL) if name in PREDICATES else _nat()
        if info.kind != DEFN or info.level_params or not eq_mod_binders(info.type, _arrow(_nat(), _arrow(_nat(), res))):
            return False
        tc = make_tc((), name, lambda n: n in validated and n is not name)
        op = BIN_OPS[name]
        for a, b in _SAMPLES:
            want = op(a, b)
            got = _eval(tc, mk_app(mk_app(mk_const(name), mk_lit(a)), mk_lit(b)), 0)
            if want is None or got is None or got != want:
                return False
        validated.add(name)
        return True
    return False


def _eval(tc, e, depth):
    """Normalise a closed Nat/Bool term to a Python value (None if it gets stuck)."""
    if depth > 64:
        return None
    e = tc.whnf(e)
    if e.tag == LIT and type(e.value) is int:
        return e.value
    if e.tag == CONST:
        if e.name is NAT_ZERO:
            return 0
        if e.name is BOOL_TRUE:
            return True
        if e.name is BOOL_FALSE:
            return False
        return None
    if e.tag == APP and e.fn.tag == CONST and e.fn.name is NAT_SUCC:
        v = _eval(tc, e.arg, depth + 1)
        return None if v is None else v + 1
    return None


PRIMITIVE_NAMES = frozenset((NAT, BOOL, *BIN_OPS))
