"""Type inference with the official infer-only / check split (`infer_type_core`): when
checking, binder domains must be sorts, arguments must match domains, let values their
types, universe parameters must be declared and constants used with the right arity and
safety; when only inferring, application spines instantiate the Pi telescope in batches."""
from __future__ import annotations

from .environment import INDUCT
from .expr import (
    APP, BVAR, CONST, FVAR, LAM, LET, LIT, PI, PROJ, SORT, app_spine, instantiate1, instantiate_lparams,
    instantiate_rev, mk_apps, mk_binding, mk_fvar, mk_proj, mk_sort, abstract,
)
from .level import level_params_in, mk_imax, mk_succ
from .nat import NAT_CONST, STRING_CONST, NAT, STRING


class InferMixin:
    def infer(self, e):
        """Infer without checking (`infer_type`)."""
        return self.infer_type_core(e, True)

    def check(self, e):
        """Infer and check (`infer_type_core(e, false)`)."""
        return self.infer_type_core(e, False)

    def infer_type_core(self, e, infer_only):
        self.ctr.lean_heartbeats += 1
        if e.lbr:
            raise self.error("unexpected loose bound variable")
        cache = self.infer_cache_only if infer_only else self.infer_cache_check
        r = cache.get(e)
        if r is not None:
            return r
        t = e.tag
        if t == FVAR:
            r = e.type
        elif t == SORT:
            if not infer_only:
                self.check_level(e.level)
            r = mk_sort(mk_succ(e.level))
        elif t == CONST:
            r = self.infer_constant(e, infer_only)
        elif t == APP:
            r = self.infer_app(e, infer_only)
        elif t == LAM:
            r = self.infer_lambda(e, infer_only)
        elif t == PI:
            r = self.infer_pi(e, infer_only)
        elif t == LET:
            r = self.infer_let(e, infer_only)
        elif t == LIT:
            if type(e.value) is int:
                if NAT not in self.env:
                    raise self.error("Nat literal used but Nat is not declared")
                r = NAT_CONST
            else:
                if STRING not in self.env:
                    raise self.error("String literal used but String is not declared")
                r = STRING_CONST
        elif t == PROJ:
            r = self.infer_proj(e, infer_only)
        else:
            raise self.error(f"unexpected expression kind {t}")
        cache[e] = r
        return r

    def check_level(self, lv):
        if lv.has_param:
            ps: set = set()
            level_params_in(lv, ps)
            for p in ps:
                if p not in self.lparam_set:
                    raise self.error(f"undeclared universe parameter {p}")

    def infer_constant(self, e, infer_only):
        info = self.env.get(e.name)
        if info is None:
            raise self.error(f"unknown constant {e.name}")
        if len(info.level_params) != len(e.levels):
            raise self.error(f"constant {e.name} expects {len(info.level_params)} universe levels, got {len(e.levels)}")
        if not infer_only:
            if info.unsafe and not self.unsafe_ok:
                raise self.error(f"safe declaration uses unsafe constant {e.name}")
            for lv in e.levels:
                self.check_level(lv)
        return instantiate_lparams(info.type, info.level_params, e.levels)

    def ensure_sort(self, e, what=None):
        if e.tag == SORT:
            return e
        e2 = self.whnf(e)
        if e2.tag == SORT:
            return e2
        raise self.error(f"type expected{' for ' + what if what else ''}, got {self.show(e)}")

    def ensure_pi(self, e):
        if e.tag == PI:
            return e
        e2 = self.whnf(e)
        if e2.tag == PI:
            return e2
        raise self.error(f"function expected, got {self.show(e)}")

    def infer_lambda(self, e, infer_only):
        fvars = []
        while e.tag == LAM:
            d = instantiate_rev(e.type, fvars)
            if not infer_only:
                self.ensure_sort(self.infer_type_core(d, False), "binder domain")
            fvars.append(mk_fvar(e.name, d, None, e.bi))
            e = e.body
        r = self.infer_type_core(instantiate_rev(e, fvars), infer_only)
        r = self.cheap_beta_reduce(r)
        return mk_binding(True, fvars, r)

    def infer_pi(self, e, infer_only):
        fvars = []
        us = []
        while e.tag == PI:
            d = instantiate_rev(e.type, fvars)
            s = self.ensure_sort(self.infer_type_core(d, infer_only), "binder domain")
            us.append(s.level)
            fvars.append(mk_fvar(e.name, d, None, e.bi))
            e = e.body
        s = self.ensure_sort(self.infer_type_core(instantiate_rev(e, fvars), infer_only), "Pi codomain")
        lv = s.level
        for u in reversed(us):
            lv = mk_imax(u, lv)
        return mk_sort(lv)

    def infer_app(self, e, infer_only):
        if not infer_only:
            f_type = self.ensure_pi(self.infer_type_core(e.fn, False))
            a_type = self.infer_type_core(e.arg, False)
            if not self.is_def_eq(a_type, f_type.type):
                raise self.error(f"application type mismatch: argument {self.show(e.arg)} has type "
                                 f"{self.show(a_type)} but is expected to have type {self.show(f_type.type)}")
            return instantiate1(f_type.body, e.arg)
        f, args = app_spine(e)
        f_type = self.infer_type_core(f, True)
        j = 0
        n = len(args)
        for i in range(n):
            if f_type.tag == PI:
                f_type = f_type.body
            else:
                f_type = instantiate_rev(f_type, args[j:i])
                f_type = self.ensure_pi(f_type)
                f_type = f_type.body
                j = i
        return instantiate_rev(f_type, args[j:n])

    def infer_let(self, e, infer_only):
        fvars = []
        while e.tag == LET:
            ty = instantiate_rev(e.type, fvars)
            val = instantiate_rev(e.value, fvars)
            if not infer_only:
                self.ensure_sort(self.infer_type_core(ty, False), "let type")
                vt = self.infer_type_core(val, False)
                if not self.is_def_eq(vt, ty):
                    raise self.error(f"let value type mismatch for {e.name}")
            fvars.append(mk_fvar(e.name, ty, val))
            e = e.body
        r = self.infer_type_core(instantiate_rev(e, fvars), infer_only)
        r = self.cheap_beta_reduce(r)
        # zeta-expand the let-locals that the type still mentions (innermost first)
        for fv in reversed(fvars):
            if r.fv:
                r = instantiate1(abstract(r, [fv]), fv.value)
        return r

    def cheap_beta_reduce(self, e):
        """`(fun xs => b) as` when b is closed or a bound variable; else e unchanged
        (the official post-processing of inferred lambda/let types)."""
        if e.tag != APP:
            return e
        f, args = app_spine(e)
        if f.tag != LAM:
            return e
        i = 0
        while f.tag == LAM and i < len(args):
            f = f.body
            i += 1
        if not f.lbr:
            return mk_apps(f, args[i:])
        if f.tag == BVAR:
            return mk_apps(args[i - f.idx - 1], args[i:])
        return e

    def infer_proj(self, e, infer_only):
        s_type = self.whnf(self.infer_type_core(e.struct, infer_only))
        I, args = app_spine(s_type)
        bad = f"invalid projection {self.show(e)}"
        if I.tag != CONST or I.name is not e.sname:
            raise self.error(bad + ": structure type expected")
        ind = self.env.get(I.name)
        if ind is None or ind.kind != INDUCT or len(ind.ctors) != 1 or \
                len(args) != ind.num_params + ind.num_indices:
            raise self.error(bad + ": not a structure")
        ctor = self.env.get(ind.ctors[0])
        r = instantiate_lparams(ctor.type, ctor.level_params, I.levels)
        for i in range(ind.num_params):
            r = self.whnf(r)
            if r.tag != PI:
                raise self.error(bad)
            r = instantiate1(r.body, args[i])
        is_prop_type = self.is_prop(s_type)
        for i in range(e.idx):
            r = self.whnf(r)
            if r.tag != PI:
                raise self.error(bad + ": index out of range")
            if r.body.lbr:
                if is_prop_type and not self.is_prop(r.type):
                    raise self.error(bad + ": dependent data field of a proposition")
                r = instantiate1(r.body, mk_proj(I.name, i, e.struct))
            else:
                r = r.body
        r = self.whnf(r)
        if r.tag != PI:
            raise self.error(bad + ": index out of range")
        r = r.type
        if is_prop_type and not self.is_prop(r):
            raise self.error(bad + ": data projection out of a proposition")
        return r

    def is_prop(self, e):
        return self.whnf(self.infer(e)) is self.prop
