"""Lean 4 kernel expressions: interned (hash-consed) nodes forming a shared DAG.

Every node has `tag` (one of the constants below), `hash` (structural, cached), `lbr`
(loose bound-variable range: 1 + the largest de Bruijn index that escapes the node, 0 when
closed), `fv` (contains a free variable) and `lp` (mentions a universe parameter). Interning
makes structurally equal nodes the same Python object, so `is` is equality and caches can
key on nodes at C speed. Fields per kind, for walking the DAG:

=====  ==========  ==============================================================
tag    class       fields
=====  ==========  ==============================================================
BVAR   BVar        idx (de Bruijn index, int)
FVAR   FVar        serial (unique int), name, type, value (None unless a let-local),
                   bi; created by the kernel when it opens a binder, never exported
SORT   Sort        level (`Level`)
CONST  Const       name (`Name`), levels (tuple of `Level`)
APP    App         fn, arg (binary; `app_spine(e)` collects `f a1 ... an`)
LAM    Lam         name, type (binder domain), body, bi
PI     Pi          name, type, body, bi  (Lean's forallE)
LET    Let         name, type, value, body
LIT    Lit         value: `int` for a Nat literal, `str` for a String literal
PROJ   Proj        sname (structure `Name`), idx (field index), struct
=====  ==========  ==============================================================

Binder info `bi` is 0 default, 1 implicit, 2 strictImplicit, 3 instImplicit. Binder names
and infos are part of a node's identity (as in the export); the kernel's equality tests are
structural on everything else. Export mdata nodes are dropped by the reader (they must be
transparent to checking). The intern table is process-global; `release_unreferenced`
drops the nodes a finished declaration check made that nothing references any more.
"""
from __future__ import annotations

from sys import getrefcount

from .level import Level, instantiate_level
from .name import Name

__all__ = [
    "APP",
    "BINDER_INFOS",
    "BVAR",
    "CONST",
    "FVAR",
    "INSTANTIATE_MEMO_MAX",
    "INTERN_COUNTER",
    "LAM",
    "LET",
    "LIT",
    "PI",
    "PROJ",
    "SORT",
    "SUBST_COUNTER",
    "App",
    "BVar",
    "Const",
    "Expr",
    "FVar",
    "Lam",
    "Let",
    "Lit",
    "Pi",
    "Proj",
    "Sort",
    "abstract",
    "app_fn",
    "app_nargs",
    "app_spine",
    "drop_instantiate_memo",
    "eq_mod_binders",
    "has_loose_bvar",
    "instantiate",
    "instantiate1",
    "instantiate_lparams",
    "instantiate_memo_size",
    "instantiate_rev",
    "intern_mark",
    "lift_loose_bvars",
    "mk_app",
    "mk_apps",
    "mk_binding",
    "mk_bvar",
    "mk_const",
    "mk_fvar",
    "mk_lam",
    "mk_let",
    "mk_lit",
    "mk_pi",
    "mk_proj",
    "mk_sort",
    "occurs_const",
    "release_unreferenced",
    "zeta_locals",
]

BVAR, FVAR, SORT, CONST, APP, LAM, PI, LET, LIT, PROJ = range(10)
BINDER_INFOS = ("default", "implicit", "strictImplicit", "instImplicit")

_T: dict = {}
#: INTERN_COUNTER[0] counts intern-table visits (the Ix `intern_nodes` work measure).
INTERN_COUNTER = [0]
#: SUBST_COUNTER[0] counts nodes rebuilt or visited by instantiate (the Ix `subst_nodes`).
SUBST_COUNTER = [0]


class Expr:
    __slots__ = ("fv", "hash", "lbr", "lp", "tag")  # no __weakref__: 8 bytes on every node

    def __repr__(self) -> str:
        from .pretty import pretty

        return pretty(self)

    def __reduce__(self):
        raise TypeError("kernel expressions are process-local; ship the export path instead")


class BVar(Expr):
    __slots__ = ("idx",)

    def __init__(self, idx):
        self.tag = BVAR
        self.idx = idx
        self.hash = hash((BVAR, idx))
        self.lbr = idx + 1
        self.fv = False
        self.lp = False


class FVar(Expr):
    __slots__ = ("bi", "name", "serial", "type", "value")

    def __init__(self, serial, name, type_, value, bi):
        self.tag = FVAR
        self.serial = serial
        self.name = name
        self.type = type_
        self.value = value
        self.bi = bi
        self.hash = hash((FVAR, serial))
        self.lbr = 0
        self.fv = True
        self.lp = False


class Sort(Expr):
    __slots__ = ("level",)

    def __init__(self, level):
        self.tag = SORT
        self.level = level
        self.hash = hash((SORT, level.hash))
        self.lbr = 0
        self.fv = False
        self.lp = level.has_param


class Const(Expr):
    __slots__ = ("levels", "name")

    def __init__(self, name, levels):
        self.tag = CONST
        self.name = name
        self.levels = levels
        self.hash = hash((CONST, name, tuple(l.hash for l in levels)))
        self.lbr = 0
        self.fv = False
        self.lp = any(l.has_param for l in levels)


class App(Expr):
    """Built by `_new_app` (no `__init__`: see there)."""

    __slots__ = ("arg", "fn")


class _Binding(Expr):
    """Built by `_new_binding` (no `__init__`, as App)."""

    __slots__ = ("bi", "body", "name", "type")


class Lam(_Binding):
    __slots__ = ()


class Pi(_Binding):
    __slots__ = ()


class Let(Expr):
    __slots__ = ("body", "name", "type", "value")

    def __init__(self, name, type_, value, body):
        self.tag = LET
        self.name = name
        self.type = type_
        self.value = value
        self.body = body
        self.hash = hash((LET, type_.hash, value.hash, body.hash))
        self.lbr = max(type_.lbr, value.lbr, body.lbr - 1)
        self.fv = type_.fv or value.fv or body.fv
        self.lp = type_.lp or value.lp or body.lp


class Lit(Expr):
    __slots__ = ("value",)

    def __init__(self, value):
        self.tag = LIT
        self.value = value
        self.hash = hash((LIT, value))
        self.lbr = 0
        self.fv = False
        self.lp = False


class Proj(Expr):
    __slots__ = ("idx", "sname", "struct")

    def __init__(self, sname, idx, struct):
        self.tag = PROJ
        self.sname = sname
        self.idx = idx
        self.struct = struct
        self.hash = hash((PROJ, sname, idx, struct.hash))
        self.lbr = struct.lbr
        self.fv = struct.fv
        self.lp = struct.lp


_new = object.__new__


def _new_app(fn, arg):
    """A new application node. Allocated with `object.__new__` and filled here: calling a
    class whose `__init__` is Python code costs a third more per node, and applications
    are most of the nodes a check builds."""
    e = _new(App)
    e.tag = APP
    e.fn = fn
    e.arg = arg
    e.hash = hash((APP, fn.hash, arg.hash))
    fl = fn.lbr
    al = arg.lbr
    e.lbr = fl if fl > al else al  # noqa: FURB136 - no max() call in the hottest constructor
    e.fv = fn.fv or arg.fv
    e.lp = fn.lp or arg.lp
    return e


def _new_binding(cls, tag, name, type_, body, bi):
    """A new lambda or Pi node of class `cls` (built as `_new_app` builds applications)."""
    e = _new(cls)
    e.tag = tag
    e.name = name
    e.type = type_
    e.body = body
    e.bi = bi
    e.hash = hash((tag, type_.hash, body.hash))
    tl = type_.lbr
    bl = body.lbr - 1
    e.lbr = tl if tl > bl else bl  # noqa: FURB136 - as in _new_app
    e.fv = type_.fv or body.fv
    e.lp = type_.lp or body.lp
    return e


# ---------------------------------------------------------------- constructors (interning)

def _intern(key: tuple, make, *fields) -> Expr:
    """The one node with structure `key`, built as `make(*fields)` on first request."""
    INTERN_COUNTER[0] += 1
    e = _T.get(key)
    if e is None:
        e = _T[key] = make(*fields)
    return e


def intern_mark() -> int:
    """The intern table's current size, to pass to `release_unreferenced` later."""
    return len(_T)


def release_unreferenced(mark: int) -> int:
    """Drop the nodes interned since `intern_mark()` returned `mark` that nothing but the
    table references any more (a finished check's intermediate terms), newest first so
    that a dropped parent releases its children in the same pass; returns how many.

    Sound for interning: a node is only dropped when no one holds it, so no surviving
    reference can ever meet a second node of the same structure.

    The new entries are popped (`popitem` takes the newest without hashing its key, and
    most of a check's nodes are dropped); the survivors go back in their original order."""
    n = len(_T) - mark
    if n <= 0:
        return 0
    keep = []
    pop = _T.popitem
    for _ in range(n):
        key, node = pop()
        # references: `node` and getrefcount's argument; dropping both releases the key
        # tuple and the node, and with them their hold on older (not yet examined) nodes
        if getrefcount(node) > 2:
            keep.append((key, node))
        del key, node
    for key, node in reversed(keep):
        _T[key] = node
    return n - len(keep)


def mk_bvar(i: int) -> Expr:
    return _intern((BVAR, i), BVar, i)


_FVAR_SERIAL = [0]


def mk_fvar(name: Name, type_: Expr, value: Expr | None = None, bi: int = 0) -> FVar:
    """A fresh local (never interned: each is distinct)."""
    _FVAR_SERIAL[0] += 1
    return FVar(_FVAR_SERIAL[0], name, type_, value, bi)


def mk_sort(level: Level) -> Expr:
    return _intern((SORT, level), Sort, level)


def mk_const(name: Name, levels: tuple = ()) -> Expr:
    return _intern((CONST, name, levels), Const, name, levels)


def mk_app(f: Expr, a: Expr) -> Expr:
    # `_intern` inlined: the hottest constructor (a third of all kernel calls on init-prelude)
    INTERN_COUNTER[0] += 1
    key = (APP, f, a)
    e = _T.get(key)
    if e is None:
        e = _T[key] = _new_app(f, a)
    return e


def mk_apps(f: Expr, args) -> Expr:
    for a in args:
        f = mk_app(f, a)
    return f


def _binder_constructor(tag, cls):
    """The interning constructor of lambdas or Pis (`_intern` inlined: both are hot)."""

    def mk(name: Name, type_: Expr, body: Expr, bi: int = 0) -> Expr:
        INTERN_COUNTER[0] += 1
        key = (tag, name, type_, body, bi)
        e = _T.get(key)
        if e is None:
            e = _T[key] = _new_binding(cls, tag, name, type_, body, bi)
        return e

    mk.__name__ = mk.__qualname__ = "mk_lam" if tag == LAM else "mk_pi"
    return mk


mk_lam = _binder_constructor(LAM, Lam)
mk_pi = _binder_constructor(PI, Pi)


def mk_let(name: Name, type_: Expr, value: Expr, body: Expr) -> Expr:
    return _intern((LET, name, type_, value, body), Let, name, type_, value, body)


def mk_lit(value) -> Expr:
    return _intern((LIT, type(value), value), Lit, value)


def mk_proj(sname: Name, idx: int, struct: Expr) -> Expr:
    return _intern((PROJ, sname, idx, struct), Proj, sname, idx, struct)


# ---------------------------------------------------------------- application spines

def app_spine(e: Expr):
    """`f a1 ... an` -> (f, [a1, ..., an]) without recursion."""
    args = []
    while e.tag == APP:
        args.append(e.arg)
        e = e.fn
    args.reverse()
    return e, args


def app_fn(e: Expr) -> Expr:
    while e.tag == APP:
        e = e.fn
    return e


def app_nargs(e: Expr) -> int:
    n = 0
    while e.tag == APP:
        n += 1
        e = e.fn
    return n


# ---------------------------------------------------------------- substitution
# Every traversal memoises on (node, binder depth) so shared sub-DAGs are visited once per
# call. Each is a module-level recursive function `go(x, off, st, cache)` (st: the
# traversal's parameters) rather than a nested closure: a closure that calls itself is a
# reference cycle, which only the cyclic GC frees (a third of a check's time went there).
# Applications, most of any graph, are rebuilt inline; other nodes by `_rebuild`.

def _rebuild(e, go, off, st, cache):
    """`e` with `go(child, depth, st, cache)` applied to its children."""
    t = e.tag
    if t == LAM or t == PI:
        ty = go(e.type, off, st, cache)
        b = go(e.body, off + 1, st, cache)
        if ty is e.type and b is e.body:
            return e
        return (mk_lam if t == LAM else mk_pi)(e.name, ty, b, e.bi)
    if t == APP:
        f = go(e.fn, off, st, cache)
        a = go(e.arg, off, st, cache)
        return e if (f is e.fn and a is e.arg) else mk_app(f, a)
    if t == LET:
        ty = go(e.type, off, st, cache)
        v = go(e.value, off, st, cache)
        b = go(e.body, off + 1, st, cache)
        return e if (ty is e.type and v is e.value and b is e.body) else mk_let(e.name, ty, v, b)
    if t == PROJ:
        s = go(e.struct, off, st, cache)
        return e if s is e.struct else mk_proj(e.sname, e.idx, s)
    return e


#: (e, *subst) -> (instantiate's result, the subst_nodes and intern-table visits it counted),
#: for substitutions free of free variables: the same closed redexes recur from declaration
#: to declaration (each theorem about `f 3` beta-reduces f's body at 3 afresh). A hit replays
#: the counts, so a declaration's counters do not depend on what was checked before it.
#: Emptied by `drop_instantiate_memo` (the checker does so between declarations once it
#: holds `INSTANTIATE_MEMO_MAX` entries, then releases the nodes only the memo kept).
_INST_MEMO: dict = {}
INSTANTIATE_MEMO_MAX = 4096


def instantiate(e: Expr, subst) -> Expr:
    """Replace loose `bvar i` (i < n) by `subst[i]` and lower the other loose bvars by n."""
    if e.lbr == 0 or not subst:
        return e
    for v in subst:
        if v.fv:  # a local is fresh to one declaration: nothing to share
            return _run_inst(e, (subst, len(subst), False))
    key = (e, *subst)
    hit = _INST_MEMO.get(key)
    if hit is not None:
        SUBST_COUNTER[0] += hit[1]
        INTERN_COUNTER[0] += hit[2]
        return hit[0]
    s0 = SUBST_COUNTER[0]
    i0 = INTERN_COUNTER[0]
    r = _run_inst(e, (subst, len(subst), False))
    if len(_INST_MEMO) >= 4 * INSTANTIATE_MEMO_MAX:  # a caller that never drops it
        _INST_MEMO.clear()
    _INST_MEMO[key] = (r, SUBST_COUNTER[0] - s0, INTERN_COUNTER[0] - i0)
    return r


def instantiate_memo_size() -> int:
    return len(_INST_MEMO)


def drop_instantiate_memo() -> None:
    _INST_MEMO.clear()


def instantiate1(e: Expr, v: Expr) -> Expr:
    return instantiate(e, (v,))


def instantiate_rev(e: Expr, subst) -> Expr:
    """Replace loose `bvar i` by `subst[n-1-i]` (subst in binder order, outermost first).
    Indexes `subst` in place: no reversed copy, so a binder telescope of n locals closes
    each of its terms in time independent of n."""
    if e.lbr == 0 or not subst:
        return e
    return _run_inst(e, (subst, len(subst), True))


def _run_inst(e, st):
    cache: dict = {}
    try:
        return _inst(e, 0, st, cache)
    finally:
        SUBST_COUNTER[0] += len(cache)  # one entry per node visited: Ix's subst_nodes


def _inst(x, off, st, cache):
    if x.lbr <= off:
        return x
    key = (x, off) if off else x  # depth 0 (most visits) keys on the node: no tuple to build
    r = cache.get(key)
    if r is not None:
        return r
    t = x.tag
    if t == APP:
        f = x.fn
        if f.lbr > off:  # the callee's own first test, inlined: most children are closed
            f = _inst(f, off, st, cache)
        a = x.arg
        if a.lbr > off:
            a = _inst(a, off, st, cache)
        if f is x.fn and a is x.arg:
            r = x
        else:  # mk_app inlined: the hottest node construction of a check
            INTERN_COUNTER[0] += 1
            k = (APP, f, a)
            r = _T.get(k)
            if r is None:
                r = _T[k] = _new_app(f, a)
    elif t == BVAR:
        subst, n, rev = st
        i = x.idx - off
        if i < n:
            v = subst[n - 1 - i] if rev else subst[i]
            r = lift_loose_bvars(v, off) if off and v.lbr else v
        else:  # mk_bvar inlined
            INTERN_COUNTER[0] += 1
            k = (BVAR, x.idx - n)
            r = _T.get(k)
            if r is None:
                r = _T[k] = BVar(x.idx - n)
    elif t == LAM or t == PI:  # the next most common node, also with the children's test inlined
        ty = x.type
        if ty.lbr > off:
            ty = _inst(ty, off, st, cache)
        b = x.body
        if b.lbr > off + 1:
            b = _inst(b, off + 1, st, cache)
        r = x if (ty is x.type and b is x.body) else (mk_lam if t == LAM else mk_pi)(x.name, ty, b, x.bi)
    else:
        r = _rebuild(x, _inst, off, st, cache)
    cache[key] = r
    return r


def abstract(e: Expr, fvars) -> Expr:
    """Replace `fvars[i]` by `bvar(depth + n - 1 - i)` (inverse of instantiate_rev)."""
    if not e.fv or not fvars:
        return e
    return _abstract(e, {fv: i for i, fv in enumerate(fvars)}, len(fvars))


def _abstract(e: Expr, pos: dict, n: int) -> Expr:
    """`abstract(e, fvars[:n])` given `pos`, the positions of fvars (of which only those
    below n are abstracted): one position map serves a whole telescope."""
    if not e.fv:
        return e
    return _abs(e, 0, (pos, n), {})


def _abs(x, off, st, cache):
    if not x.fv:
        return x
    key = (x, off) if off else x  # as in _inst
    r = cache.get(key)
    if r is not None:
        return r
    t = x.tag
    if t == APP:
        f = x.fn
        if f.fv:
            f = _abs(f, off, st, cache)
        a = x.arg
        if a.fv:
            a = _abs(a, off, st, cache)
        if f is x.fn and a is x.arg:
            r = x
        else:  # mk_app inlined, as in _inst
            INTERN_COUNTER[0] += 1
            k = (APP, f, a)
            r = _T.get(k)
            if r is None:
                r = _T[k] = _new_app(f, a)
    elif t == LAM or t == PI:
        ty = x.type
        if ty.fv:
            ty = _abs(ty, off, st, cache)
        b = x.body
        if b.fv:
            b = _abs(b, off + 1, st, cache)
        r = x if (ty is x.type and b is x.body) else (mk_lam if t == LAM else mk_pi)(x.name, ty, b, x.bi)
    elif t == FVAR:
        pos, n = st
        i = pos.get(x)
        r = x if i is None or i >= n else mk_bvar(off + n - 1 - i)
    else:
        r = _rebuild(x, _abs, off, st, cache)
    cache[key] = r
    return r


def lift_loose_bvars(e: Expr, d: int, s: int = 0) -> Expr:
    """Add `d` to every loose bvar with index >= s."""
    if e.lbr <= s or d == 0:
        return e
    return _lift(e, 0, (s, d), {})


def _lift(x, off, st, cache):
    if x.lbr <= st[0] + off:
        return x
    key = (x, off)
    r = cache.get(key)
    if r is not None:
        return r
    t = x.tag
    if t == APP:
        f = _lift(x.fn, off, st, cache)
        a = _lift(x.arg, off, st, cache)
        r = x if (f is x.fn and a is x.arg) else mk_app(f, a)
    elif t == BVAR:
        r = mk_bvar(x.idx + st[1])
    else:
        r = _rebuild(x, _lift, off, st, cache)
    cache[key] = r
    return r


def zeta_locals(e: Expr, lets) -> Expr:
    """e with every let-local of `lets` replaced by its value, transitively (a value may
    mention earlier let-locals); one pass over the DAG, as values have no loose bvars."""
    if not e.fv or not lets:
        return e
    return _zeta(e, 0, frozenset(lets), {})


def _zeta(x, off, targets, cache):
    if not x.fv:
        return x
    r = cache.get(x)
    if r is None:
        if x.tag == FVAR:
            r = _zeta(x.value, 0, targets, cache) if x in targets else x
        else:
            r = _rebuild(x, _zeta, off, targets, cache)
        cache[x] = r
    return r


def has_loose_bvar(e: Expr, i: int) -> bool:
    """Does `bvar i` (relative to e) occur loose in e?"""
    return _has_bvar(e, 0, i, set())


def _has_bvar(x, off, i, seen) -> bool:
    if x.lbr <= i + off:
        return False
    key = (x, off)
    if key in seen:
        return False
    seen.add(key)
    t = x.tag
    if t == BVAR:
        return x.idx == i + off
    if t == APP:
        return _has_bvar(x.fn, off, i, seen) or _has_bvar(x.arg, off, i, seen)
    if t == LAM or t == PI:
        return _has_bvar(x.type, off, i, seen) or _has_bvar(x.body, off + 1, i, seen)
    if t == LET:
        return (_has_bvar(x.type, off, i, seen) or _has_bvar(x.value, off, i, seen)
                or _has_bvar(x.body, off + 1, i, seen))
    if t == PROJ:
        return _has_bvar(x.struct, off, i, seen)
    return False


#: (e, params, levels) -> (instantiate_lparams result, intern-table visits it made)
_LPARAMS_MEMO: dict = {}


def instantiate_lparams(e: Expr, params, levels) -> Expr:
    """Substitute universe parameters `params[i] := levels[i]` in Sorts and Consts.

    Memoised for the process: callers instantiate declared constants' types, values and
    recursor rules, again in every declaration that uses them at the same levels. A hit
    replays the intern-table visits the first computation counted, so a declaration's
    `intern_nodes` does not depend on what was checked before it in the same process."""
    if not e.lp or not params:
        return e
    key = (e, tuple(params), tuple(levels))
    hit = _LPARAMS_MEMO.get(key)
    if hit is not None:
        INTERN_COUNTER[0] += hit[1]
        return hit[0]
    visits = INTERN_COUNTER[0]
    r = _inst_lp(e, 0, dict(zip(params, levels)), {})
    _LPARAMS_MEMO[key] = (r, INTERN_COUNTER[0] - visits)
    return r


def _inst_lp(x, off, subst, cache):
    if not x.lp:
        return x
    r = cache.get(x)
    if r is not None:
        return r
    t = x.tag
    if t == APP:
        f = x.fn
        if f.lp:
            f = _inst_lp(f, off, subst, cache)
        a = x.arg
        if a.lp:
            a = _inst_lp(a, off, subst, cache)
        r = x if (f is x.fn and a is x.arg) else mk_app(f, a)
    elif t == SORT:
        r = mk_sort(instantiate_level(x.level, subst))
    elif t == CONST:
        r = mk_const(x.name, tuple(instantiate_level(l, subst) for l in x.levels))
    else:
        r = _rebuild(x, _inst_lp, off, subst, cache)
    cache[x] = r
    return r


# ---------------------------------------------------------------- telescopes and comparisons

def mk_binding(is_pi: bool, fvars, body: Expr, shared: dict | None = None) -> Expr:
    """Close `body` over `fvars` (outermost first) as Pi or lambda binders; let-locals
    (fvars with a value) become `let` binders. Linear in the telescope: the type and value
    of `fvars[i]` can only mention the fvars before it, abstracted with one position map.

    `shared`: a dict passed to several calls whose telescopes agree up to any position
    where they hold the same local (a recursor's type and its rules all begin with its
    parameters, motives and minor premises); it keeps the closed type of each such binder
    with the intern-table visits that made it, replayed on reuse."""
    n = len(fvars)
    pos = {fv: i for i, fv in enumerate(fvars)}
    body = _abstract(body, pos, n)
    for i in range(n - 1, -1, -1):
        fv = fvars[i]
        if shared is None:
            ty = _abstract(fv.type, pos, i)
        else:
            hit = shared.get((fv, i))
            if hit is None:
                visits = INTERN_COUNTER[0]
                ty = _abstract(fv.type, pos, i)
                shared[fv, i] = (ty, INTERN_COUNTER[0] - visits)
            else:
                ty = hit[0]
                INTERN_COUNTER[0] += hit[1]
        if fv.value is not None:
            body = mk_let(fv.name, ty, _abstract(fv.value, pos, i), body)
        elif is_pi:
            body = mk_pi(fv.name, ty, body, fv.bi)
        else:
            body = mk_lam(fv.name, ty, body, fv.bi)
    return body


def eq_mod_binders(a: Expr, b: Expr) -> bool:
    """Structural equality ignoring binder names and infos (Lean's `Expr ==`)."""
    seen: set = set()
    stack = [(a, b)]
    while stack:
        x, y = stack.pop()
        if x is y:
            continue
        if x.tag != y.tag or x.hash != y.hash:  # node hashes ignore binder names and infos
            return False
        key = (x, y)
        if key in seen:
            continue
        seen.add(key)
        t = x.tag
        if t == APP:
            stack.append((x.fn, y.fn))
            stack.append((x.arg, y.arg))
        elif t == LAM or t == PI:
            stack.append((x.type, y.type))
            stack.append((x.body, y.body))
        elif t == LET:
            stack.append((x.type, y.type))
            stack.append((x.value, y.value))
            stack.append((x.body, y.body))
        elif t == PROJ:
            if x.idx != y.idx or x.sname is not y.sname:
                return False
            stack.append((x.struct, y.struct))
        else:
            return False  # leaves are interned: equal leaves are identical
    return True


def occurs_const(e: Expr, names) -> bool:
    """Does a constant whose name is in `names` occur in e?"""
    seen: set = set()
    stack = [e]
    while stack:
        x = stack.pop()
        if x in seen:
            continue
        seen.add(x)
        t = x.tag
        if t == CONST:
            if x.name in names:
                return True
        elif t == APP:
            stack.append(x.fn)
            stack.append(x.arg)
        elif t == LAM or t == PI:
            stack.append(x.type)
            stack.append(x.body)
        elif t == LET:
            stack.append(x.type)
            stack.append(x.value)
            stack.append(x.body)
        elif t == PROJ:
            stack.append(x.struct)
    return False
