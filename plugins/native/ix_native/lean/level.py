"""Universe levels, interned, with the official C++ kernel's normalisation (Lean 4.29).

Kinds (`Level.kind`): ZERO, SUCC (`a` = predecessor), MAX / IMAX (`a`, `b`), PARAM
(`a` = the parameter's `Name`). Interning makes structural equality an identity test.

`normalize`, `is_equivalent` and `is_geq` replicate `kernel/level.cpp` literally, including
its incompleteness: the `imax` branch returns `succ^k(mk_imax(norm l1, norm l2))` without
re-normalising (so `imax u 1` and `max u 1` are *not* equivalent, lean4#12747), and
`mk_imax(1, u) = u` (lean4#7631, in every Lean >= 4.19 and so in the 4.28/4.29 test data).
"""
from __future__ import annotations

from functools import cmp_to_key

from .name import Name

__all__ = [
    "Level", "ZERO", "SUCC", "MAX", "IMAX", "PARAM", "L_ZERO", "mk_succ", "mk_max", "mk_imax",
    "mk_param", "mk_max_core", "mk_imax_core", "normalize", "is_equivalent", "is_geq", "is_not_zero",
    "instantiate_level", "level_params_in", "to_offset",
]

ZERO, SUCC, MAX, IMAX, PARAM = 0, 1, 2, 3, 4

_TABLE: dict = {}


class Level:
    """An interned level node. `has_param` is cached so substitution can skip closed levels."""

    __slots__ = ("kind", "a", "b", "has_param", "hash", "__weakref__")

    def __init__(self, kind, a, b, has_param, h):
        self.kind = kind
        self.a = a
        self.b = b
        self.has_param = has_param
        self.hash = h

    def __repr__(self) -> str:
        return to_str(self)

    def __reduce__(self):
        return (_rebuild, (self.kind, self.a, self.b))


def _rebuild(kind, a, b):
    if kind == ZERO:
        return L_ZERO
    if kind == SUCC:
        return mk_succ(a)
    if kind == PARAM:
        return mk_param(a)
    return mk_max_core(a, b) if kind == MAX else mk_imax_core(a, b)


def _mk(kind, a, b, has_param):
    key = (kind, a, b)
    lv = _TABLE.get(key)
    if lv is None:
        lv = _TABLE[key] = Level(kind, a, b, has_param, hash((kind, getattr(a, "hash", a), getattr(b, "hash", b))))
    return lv


L_ZERO = _mk(ZERO, None, None, False)


def mk_succ(l: Level, k: int = 1) -> Level:
    for _ in range(k):
        l = _mk(SUCC, l, None, l.has_param)
    return l


def mk_param(n: Name) -> Level:
    return _mk(PARAM, n, None, True)


def mk_max_core(a: Level, b: Level) -> Level:
    return _mk(MAX, a, b, a.has_param or b.has_param)


def mk_imax_core(a: Level, b: Level) -> Level:
    return _mk(IMAX, a, b, a.has_param or b.has_param)


def to_offset(l: Level):
    k = 0
    while l.kind == SUCC:
        l = l.a
        k += 1
    return l, k


def is_explicit(l: Level) -> bool:
    return to_offset(l)[0].kind == ZERO


_NOT_ZERO: dict = {}


def is_not_zero(l: Level) -> bool:
    """Positive under every assignment (memoised per node: levels are shared DAGs)."""
    k = l.kind
    if k == SUCC:
        return True
    if k != MAX and k != IMAX:
        return False
    r = _NOT_ZERO.get(l)
    if r is None:
        r = _NOT_ZERO[l] = (is_not_zero(l.a) or is_not_zero(l.b)) if k == MAX else is_not_zero(l.b)
    return r


def mk_max(l1: Level, l2: Level) -> Level:
    """Smart max of level.cpp: explicit/identical/zero/absorption/same-base shortcuts."""
    b1, k1 = to_offset(l1)
    b2, k2 = to_offset(l2)
    if b1.kind == ZERO and b2.kind == ZERO:
        return l1 if k1 >= k2 else l2
    if l1 is l2:
        return l1
    if l1 is L_ZERO:
        return l2
    if l2 is L_ZERO:
        return l1
    if l2.kind == MAX and (l2.a is l1 or l2.b is l1):
        return l2
    if b1 is b2:
        return l1 if k1 > k2 else l2
    return mk_max_core(l1, l2)


def mk_imax(l1: Level, l2: Level) -> Level:
    if is_not_zero(l2):
        return mk_max(l1, l2)
    if l2 is L_ZERO:
        return l2
    if l1 is L_ZERO:
        return l2
    if l1.kind == SUCC and l1.a is L_ZERO:  # imax 1 u = u (lean4#7631)
        return l2
    if l1 is l2:
        return l1
    return mk_imax_core(l1, l2)


def _norm_lt(a: Level, b: Level) -> bool:
    if a is b:
        return False
    l1, k1 = to_offset(a)
    l2, k2 = to_offset(b)
    if l1 is not l2:
        if l1.kind != l2.kind:
            return l1.kind < l2.kind
        if l1.kind == PARAM:
            return l1.a.cmp(l2.a) < 0
        if l1.a is not l2.a:
            return _norm_lt(l1.a, l2.a)
        return _norm_lt(l1.b, l2.b)
    return k1 < k2


def _norm_cmp(a, b):
    return -1 if _norm_lt(a, b) else (1 if _norm_lt(b, a) else 0)


_norm_key = cmp_to_key(_norm_cmp)


def _push_max_args(l: Level, out: list) -> None:
    """Append the non-max leaves of the max tree l, each distinct node once (normalisation
    drops repeated arguments anyway, and a shared max DAG would otherwise unfold as a tree)."""
    seen: set = set()
    stack = [l]
    while stack:
        x = stack.pop()
        if x in seen:
            continue
        seen.add(x)
        if x.kind == MAX:
            stack.append(x.b)
            stack.append(x.a)
        else:
            out.append(x)


_NORM: dict = {}


def normalize(l: Level) -> Level:
    r = _NORM.get(l)
    if r is None:
        r = _NORM[l] = _normalize(l)
    return r


def _normalize(l: Level) -> Level:
    r, k = to_offset(l)
    kind = r.kind
    if kind == ZERO or kind == PARAM:
        return l
    if kind == IMAX:
        return mk_succ(mk_imax(normalize(r.a), normalize(r.b)), k)
    todo: list = []
    _push_max_args(r, todo)
    args: list = []
    for a in todo:
        _push_max_args(normalize(a), args)
    args.sort(key=_norm_key)  # stable like std::sort on a strict weak order of distinct keys
    rargs = []
    i = 0
    if is_explicit(args[i]):
        while i + 1 < len(args) and is_explicit(args[i + 1]):
            i += 1
        kexp = to_offset(args[i])[1]
        j = i + 1
        while j < len(args):
            if to_offset(args[j])[1] >= kexp:
                break
            j += 1
        if j < len(args):
            i += 1
    rargs.append(args[i])
    prev_b, prev_k = to_offset(args[i])
    i += 1
    while i < len(args):
        cur_b, cur_k = to_offset(args[i])
        if prev_b is cur_b:
            if prev_k < cur_k:
                prev_b, prev_k = cur_b, cur_k
                rargs[-1] = args[i]
        else:
            prev_b, prev_k = cur_b, cur_k
            rargs.append(args[i])
        i += 1
    rargs = [mk_succ(a, k) for a in rargs]
    res = rargs[-1]
    for a in reversed(rargs[:-1]):
        res = mk_max(a, res)
    return res


def is_equivalent(a: Level, b: Level) -> bool:
    return a is b or normalize(a) is normalize(b)


def is_geq(l1: Level, l2: Level) -> bool:
    """l1 >= l2 for every assignment (sound, incomplete; level.cpp `is_geq`)."""
    return _is_geq_core(normalize(l1), normalize(l2))


def _is_geq_core(l1: Level, l2: Level) -> bool:
    if l1 is l2 or l2 is L_ZERO:
        return True
    if l2.kind == MAX:
        return _is_geq_core(l1, l2.a) and _is_geq_core(l1, l2.b)
    if l1.kind == MAX and (_is_geq_core(l1.a, l2) or _is_geq_core(l1.b, l2)):
        return True
    if l2.kind == IMAX:
        return _is_geq_core(l1, l2.a) and _is_geq_core(l1, l2.b)
    if l1.kind == IMAX:
        return _is_geq_core(l1.b, l2)
    b1, k1 = to_offset(l1)
    b2, k2 = to_offset(l2)
    if b1 is b2 or b1 is L_ZERO:
        return k1 >= k2
    if k1 == k2 and k1 > 0:
        return _is_geq_core(b1, b2)
    return False


def instantiate_level(l: Level, subst: dict, memo: dict | None = None) -> Level:
    """Replace parameters by levels (`subst`: Name -> Level); unlisted params stay.
    max/imax nodes are memoised per call: an exported level is a DAG that may share them."""
    if not l.has_param:
        return l
    k = l.kind
    if k == PARAM:
        return subst.get(l.a, l)
    if k == SUCC:
        return mk_succ(instantiate_level(l.a, subst, memo))
    if memo is None:
        memo = {}
    else:
        r = memo.get(l)
        if r is not None:
            return r
    a = instantiate_level(l.a, subst, memo)
    b = instantiate_level(l.b, subst, memo)
    # the C++ kernel simplifies while instantiating (instantiate -> mk_max/mk_imax)
    r = l if (a is l.a and b is l.b) else (mk_max(a, b) if k == MAX else mk_imax(a, b))
    memo[l] = r
    return r


def level_params_in(l: Level, out: set) -> None:
    """Add the parameter names of l to out (each shared node visited once)."""
    seen: set = set()
    stack = [l]
    while stack:
        x = stack.pop()
        if not x.has_param or x in seen:
            continue
        seen.add(x)
        k = x.kind
        if k == PARAM:
            out.add(x.a)
        elif k == SUCC:
            stack.append(x.a)
        else:
            stack.append(x.a)
            stack.append(x.b)


def to_str(l: Level) -> str:
    b, k = to_offset(l)
    if b.kind == ZERO:
        return str(k)
    if b.kind == PARAM:
        s = str(b.a)
    else:
        s = f"({'max' if b.kind == MAX else 'imax'} {to_str(b.a)} {to_str(b.b)})"
    return s if k == 0 else f"{s}+{k}"
