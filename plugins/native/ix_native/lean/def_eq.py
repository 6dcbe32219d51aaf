"""Definitional equality in the official order (`type_checker::is_def_eq_core`): quick
checks, Bool.true reflection, whnf_core, proof irrelevance, lazy delta with hints and Nat
offsets, constants/fvars/projections, full whnf_core, applications, eta, struct eta,
string-literal expansion, unit-like types. Successes go to a union-find (equiv manager),
failures of the same-head argument shortcut to a failure cache, both per declaration."""
from __future__ import annotations

from .environment import CTOR, INDUCT
from .expr import (
    APP,
    CONST,
    FVAR,
    LAM,
    LIT,
    PI,
    PROJ,
    SORT,
    app_fn,
    app_nargs,
    app_spine,
    instantiate_rev,
    mk_app,
    mk_bvar,
    mk_fvar,
    mk_lam,
    mk_proj,
)
from .level import is_equivalent
from .nat import STRING_MK, STRING_OFLIST


class DefEqMixin:
    # ------------------------------------------------------------------ equiv manager
    def _find(self, e):
        p = self.eqv_parent
        root = e
        while True:
            nxt = p.get(root)
            if nxt is None:
                break
            root = nxt
        while e is not root:  # path compression
            nxt = p[e]
            p[e] = root
            e = nxt
        return root

    def add_equiv(self, a, b):
        ra, rb = self._find(a), self._find(b)
        if ra is not rb:
            self.eqv_parent[ra] = rb

    # ------------------------------------------------------------------ entry points
    def is_def_eq(self, t, s):
        if t is s:  # is_def_eq_core's entry and first quick check, inlined: most calls
            ctr = self.ctr
            ctr.lean_heartbeats += 1
            ctr.def_eq_calls += 1
            return True
        r = self.is_def_eq_core(t, s)
        if r:
            self.add_equiv(t, s)
        return r

    def is_def_eq_levels(self, ls1, ls2):
        if len(ls1) != len(ls2):
            return False
        return all(is_equivalent(a, b) for a, b in zip(ls1, ls2))

    def quick_is_def_eq(self, t, s):
        """True / False / None (unknown)."""
        if t is s:
            return True
        p = self.eqv_parent
        if (t in p or s in p) and self._find(t) is self._find(s):  # a node not in p is its own root
            return True
        tt = t.tag
        if tt == s.tag:
            if tt == LAM or tt == PI:
                return self.is_def_eq_binding(t, s)
            if tt == SORT:
                return is_equivalent(t.level, s.level)
            if tt == LIT:
                return t.value == s.value and type(t.value) is type(s.value)
        return None

    def is_def_eq_binding(self, t, s):
        kind = t.tag
        subst = []
        while t.tag == kind and s.tag == kind:
            s_dom = None
            if t.type is not s.type:
                s_dom = instantiate_rev(s.type, subst)
                if not self.is_def_eq(instantiate_rev(t.type, subst), s_dom):
                    return False
            if t.body.lbr or s.body.lbr:
                if s_dom is None:
                    s_dom = instantiate_rev(s.type, subst)
                subst.append(mk_fvar(s.name, s_dom, None, s.bi))
            else:
                subst.append(self.dont_care)
            t = t.body
            s = s.body
        return self.is_def_eq(instantiate_rev(t, subst), instantiate_rev(s, subst))

    def is_def_eq_core(self, t, s):
        ctr = self.ctr
        ctr.lean_heartbeats += 1
        ctr.def_eq_calls += 1
        q = self.quick_is_def_eq(t, s)
        if q is not None:
            return q
        ctr.ix_heartbeats += 1
        if not t.fv and s is self.bool_true and self.whnf(t) is self.bool_true:
            return True
        t_n = self.whnf_core(t, False, True)
        s_n = self.whnf_core(s, False, True)
        if t_n is not t or s_n is not s:
            q = self.quick_is_def_eq(t_n, s_n)
            if q is not None:
                return q
        q = self.is_def_eq_proof_irrel(t_n, s_n)
        if q is not None:
            return q
        q, t_n, s_n = self.lazy_delta_reduction(t_n, s_n)
        if q is not None:
            return q
        if t_n.tag == CONST and s_n.tag == CONST and t_n.name is s_n.name and \
                self.is_def_eq_levels(t_n.levels, s_n.levels):
            return True
        if t_n.tag == FVAR and t_n is s_n:
            return True
        if t_n.tag == PROJ and s_n.tag == PROJ and t_n.idx == s_n.idx and \
                self.is_def_eq(t_n.struct, s_n.struct):
            return True
        t_nn = self.whnf_core(t_n)
        s_nn = self.whnf_core(s_n)
        if t_nn is not t_n or s_nn is not s_n:
            return self.is_def_eq_core(t_nn, s_nn)
        if self.is_def_eq_app(t_n, s_n):
            return True
        if self.try_eta_expansion(t_n, s_n) or self.try_eta_expansion(s_n, t_n):
            return True
        if self.try_eta_struct(t_n, s_n) or self.try_eta_struct(s_n, t_n):
            return True
        q = self.try_string_lit_expansion(t_n, s_n)
        if q is not None:
            return q
        return self.is_def_eq_unit_like(t_n, s_n)

    # ------------------------------------------------------------------ pieces
    def is_def_eq_proof_irrel(self, t, s):
        t_type = self.infer(t)
        if not self.is_prop(t_type):
            return None
        return self.is_def_eq(t_type, self.infer(s))

    def is_def_eq_args(self, t, s):
        while t.tag == APP and s.tag == APP:
            if not self.is_def_eq(t.arg, s.arg):
                return False
            t = t.fn
            s = s.fn
        return t.tag != APP and s.tag != APP

    def is_def_eq_app(self, t, s):
        if t.tag != APP or s.tag != APP:
            return False
        tf, targs = app_spine(t)
        sf, sargs = app_spine(s)
        if len(targs) != len(sargs) or not self.is_def_eq(tf, sf):
            return False
        for a, b in zip(targs, sargs):
            if not self.is_def_eq(a, b):
                return False
        return True

    def is_def_eq_offset(self, t, s):
        a = self.nat_zero_or_succ(t)
        if a is None:
            return None
        b = self.nat_zero_or_succ(s)
        if b is None:
            return None
        if a[0] == "zero" and b[0] == "zero":
            return True
        if a[0] == "succ" and b[0] == "succ":
            return self.is_def_eq_core(a[1], b[1])
        return None

    def try_unfold_proj_app(self, e):
        f = app_fn(e)
        if f.tag != PROJ:
            return None
        e2 = self.whnf_core(e)
        return e2 if e2 is not e else None

    def lazy_delta_reduction(self, t_n, s_n):
        while True:
            q = self.is_def_eq_offset(t_n, s_n)
            if q is not None:
                return q, t_n, s_n
            if not t_n.fv and not s_n.fv:
                v = self.reduce_nat(t_n)
                if v is not None:
                    return self.is_def_eq_core(v, s_n), t_n, s_n
                v = self.reduce_nat(s_n)
                if v is not None:
                    return self.is_def_eq_core(t_n, v), t_n, s_n
            step = self.lazy_delta_step(t_n, s_n)
            if step is None or step is True:
                return step, t_n, s_n
            t_n, s_n = step
            q = self.quick_is_def_eq(t_n, s_n)
            if q is not None:
                return q, t_n, s_n

    def lazy_delta_step(self, t_n, s_n):
        """One official `lazy_delta_reduction_step`: the pair with one or both sides unfolded,
        True when the same-definition shortcut proved them equal, None when stuck."""
        d_t = self.get_delta_info(t_n)
        d_s = self.get_delta_info(s_n)
        if d_t is None and d_s is None:
            return None
        if d_s is None:  # only t unfolds, unless a projection application on s reduces first
            p = self.try_unfold_proj_app(s_n)
            return (t_n, p) if p is not None else self._unfold_sides(t_n, s_n, True, False)
        if d_t is None:
            p = self.try_unfold_proj_app(t_n)
            return (p, s_n) if p is not None else self._unfold_sides(t_n, s_n, False, True)
        c = _compare_hints(d_t.hints, d_s.hints)
        if c == 0 and t_n.tag == APP and s_n.tag == APP and d_t is d_s and d_t.hints.kind == "regular":
            key = (t_n, s_n)
            if key not in self.failure_cache:
                if self.is_def_eq_levels(app_fn(t_n).levels, app_fn(s_n).levels) and \
                        app_nargs(t_n) == app_nargs(s_n) and self.is_def_eq_args(t_n, s_n):
                    return True
                self.failure_cache.add(key)
        return self._unfold_sides(t_n, s_n, c <= 0, c >= 0)

    def _unfold_sides(self, t, s, left, right):
        """Delta-unfold the chosen sides, then whnf_core them with cheap projections; None when
        a chosen side does not unfold."""
        ut = self.unfold_definition(t) if left else t
        us = self.unfold_definition(s) if right else s
        if ut is None or us is None:
            return None
        return (self.whnf_core(ut, False, True) if left else t,
                self.whnf_core(us, False, True) if right else s)

    def try_eta_expansion(self, t, s):
        if t.tag != LAM or s.tag == LAM:
            return False
        s_type = self.whnf(self.infer(s))
        if s_type.tag != PI:
            return False
        new_s = mk_lam(s_type.name, s_type.type, mk_app(s, mk_bvar(0)), s_type.bi)
        return self.is_def_eq(t, new_s)

    def try_eta_struct(self, t, s):
        if s.tag != APP:
            return False
        f, args = app_spine(s)
        if f.tag != CONST:
            return False
        ctor = self.consts.get(f.name)
        if ctor is None or ctor.kind != CTOR or len(args) != ctor.num_params + ctor.num_fields:
            return False
        ind = self.consts.get(ctor.induct)
        if ind is None or not ind.is_structure_like:
            return False
        if not self.is_def_eq(self.infer(t), self.infer(s)):
            return False
        for i in range(ctor.num_params, len(args)):
            if not self.is_def_eq(mk_proj(ctor.induct, i - ctor.num_params, t), args[i]):
                return False
        return True

    def try_string_lit_expansion(self, t, s):
        def is_str_ctor_app(e):
            f = app_fn(e)
            return f.tag == CONST and (f.name is STRING_OFLIST or f.name is STRING_MK)

        if t.tag == LIT and type(t.value) is str and is_str_ctor_app(s):
            e = self.string_lit_to_constructor(t)
            return None if e is t else self.is_def_eq_core(e, s)
        if s.tag == LIT and type(s.value) is str and is_str_ctor_app(t):
            e = self.string_lit_to_constructor(s)
            return None if e is s else self.is_def_eq_core(t, e)
        return None

    def is_def_eq_unit_like(self, t, s):
        t_type = self.whnf(self.infer(t))
        I = app_fn(t_type)
        if I.tag != CONST:
            return False
        ind = self.consts.get(I.name)
        if ind is None or ind.kind != INDUCT or ind.is_rec or ind.num_indices != 0 or len(ind.ctors) != 1:
            return False
        ctor = self.consts.get(ind.ctors[0])
        if ctor is None or ctor.num_fields != 0:
            return False
        return self.is_def_eq_core(t_type, self.infer(s))


def _compare_hints(h1, h2) -> int:
    """declaration.cpp `compare`: < 0 unfold the left side, > 0 the right, 0 both."""
    k1, k2 = h1.kind, h2.kind
    if k1 == k2:
        if k1 == "regular":
            if h1.height == h2.height:
                return 0
            return -1 if h1.height > h2.height else 1
        return 0
    if k1 == "opaque":
        return 1
    if k2 == "opaque":
        return -1
    if k1 == "abbrev":
        return -1
    if k2 == "abbrev":
        return 1
    return 0
