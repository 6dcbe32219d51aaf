"""Weak head normalisation: `whnf_core` (beta, zeta, iota incl. K and struct-eta majors,
quotients, projections; no delta) and `whnf` (whnf_core, Nat acceleration, delta), following
the official `type_checker.cpp` order and caching (whnf_core cache only without cheap flags)."""
from __future__ import annotations

from .environment import CTOR, INDUCT, QUOT, REC
from .expr import (
    APP,
    CONST,
    FVAR,
    LAM,
    LET,
    LIT,
    PROJ,
    app_fn,
    app_nargs,
    app_spine,
    instantiate,
    instantiate1,
    instantiate_lparams,
    mk_app,
    mk_apps,
    mk_const,
    mk_lit,
    mk_proj,
)
from .name import Name
from .nat import (
    BIN_OPS,
    BOOL_FALSE_CONST,
    BOOL_TRUE_CONST,
    NAT_SUCC,
    PREDICATES,
    STRING_MK,
    STRING_OFLIST,
    limbs,
    nat_lit_to_constructor,
    string_lit_to_constructor,
)

QUOT_LIFT, QUOT_IND, QUOT_MK = Name.from_str("Quot.lift"), Name.from_str("Quot.ind"), Name.from_str("Quot.mk")


class WhnfMixin:
    # ------------------------------------------------------------------ whnf_core
    def whnf_core(self, e, cheap_rec=False, cheap_proj=False):
        self.ctr.lean_heartbeats += 1
        t = e.tag
        if t == FVAR:
            if e.value is None:
                return e
        elif t != APP and t != LET and t != PROJ:
            return e
        cache = self.whnf_core_cache
        cacheable = not cheap_rec and not cheap_proj
        if cacheable:
            r = cache.get(e)
            if r is not None:
                return r
        if t == FVAR:
            return self.whnf_core(e.value, cheap_rec, cheap_proj)
        if t == APP:
            f0 = e.fn
            while f0.tag == APP:
                f0 = f0.fn
            t0 = f0.tag
            if t0 == LET or t0 == PROJ or (t0 == FVAR and f0.value is not None):
                f = self.whnf_core(f0, cheap_rec, cheap_proj)
            else:  # whnf_core would return this head unchanged; its entry still counts
                self.ctr.lean_heartbeats += 1
                if t0 != LAM:  # no beta; only an iota or quotient rule could fire
                    if t0 != CONST:
                        return e
                    info = self.consts.get(f0.name)
                    if info is None or (info.kind != REC and info.kind != QUOT):
                        return e
                f = f0
            args = app_spine(e)[1]
            if f.tag == LAM:
                m = 1
                n = len(args)
                while f.body.tag == LAM and m < n:
                    f = f.body
                    m += 1
                body = instantiate(f.body, args[m - 1::-1])
                r = self.whnf_core(mk_apps(body, args[m:]), cheap_rec, cheap_proj)
            elif f is f0:
                red = self.reduce_recursor(e, f, args, cheap_rec, cheap_proj)
                if red is None:
                    return e
                return self.whnf_core(red, cheap_rec, cheap_proj)
            else:
                r = self.whnf_core(mk_apps(f, args), cheap_rec, cheap_proj)
        elif t == LET:
            r = self.whnf_core(instantiate1(e.body, e.value), cheap_rec, cheap_proj)
        else:
            m = self.reduce_proj(e, cheap_rec, cheap_proj)
            r = e if m is None else self.whnf_core(m, cheap_rec, cheap_proj)
        if cacheable:
            cache[e] = r
        return r

    def reduce_proj(self, e, cheap_rec, cheap_proj):
        c = self.whnf_core(e.struct, cheap_rec, cheap_proj) if cheap_proj else self.whnf(e.struct)
        if c.tag == LIT and type(c.value) is str:
            c = self.string_lit_to_constructor(c)
        f, args = app_spine(c)
        if f.tag != CONST:
            return None
        info = self.consts.get(f.name)
        if info is None or info.kind != CTOR:
            return None
        i = info.num_params + e.idx
        return args[i] if i < len(args) else None

    def string_lit_to_constructor(self, lit):
        """The literal's constructor application, or the literal itself (stuck) while the
        constructor's pieces have not been validated to have the expansion's types."""
        ctor = STRING_OFLIST if STRING_OFLIST in self.env else STRING_MK
        if not self.prim_ok(ctor):
            return lit
        return string_lit_to_constructor(lit.value, ctor)

    # ------------------------------------------------------------------ iota / quot
    def reduce_recursor(self, e, f, args, cheap_rec, cheap_proj):
        if f.tag != CONST:
            return None
        info = self.consts.get(f.name)
        if info is None:
            return None
        if info.kind == REC:
            return self.inductive_reduce_rec(info, f, args, cheap_rec, cheap_proj)
        if info.kind == QUOT and self.env.quot_initialized:
            return self.quot_reduce_rec(f, args)
        return None

    def inductive_reduce_rec(self, rec, f, args, cheap_rec, cheap_proj):
        major_idx = rec.num_params + rec.num_motives + rec.num_minors + rec.num_indices
        if major_idx >= len(args):
            return None
        major = args[major_idx]
        if rec.k:
            major = self.to_ctor_when_k(rec, major)
        major = self.whnf_core(major, cheap_rec, cheap_proj) if cheap_rec else self.whnf(major)
        if major.tag == LIT:
            if type(major.value) is int:
                if not self.nat_ok:  # `Nat.succ n` is only a Nat once Nat is validated
                    return None
                major = nat_lit_to_constructor(major.value)
            else:
                major = self.string_lit_to_constructor(major)
        else:
            mf = app_fn(major)
            if not (mf.tag == CONST and (ci := self.consts.get(mf.name)) is not None and ci.kind == CTOR):
                major = self.to_ctor_when_structure(rec.major_induct, major)
        mf, margs = app_spine(major)
        if mf.tag != CONST:
            return None
        rule = rec.rules.get(mf.name)
        if rule is None:
            return None
        nfields, rhs = rule
        if nfields > len(margs) or len(f.levels) != len(rec.level_params):
            return None
        rhs = instantiate_lparams(rhs, rec.level_params, f.levels)
        rhs = mk_apps(rhs, args[:rec.num_params + rec.num_motives + rec.num_minors])
        rhs = mk_apps(rhs, margs[len(margs) - nfields:])
        if len(args) > major_idx + 1:
            rhs = mk_apps(rhs, args[major_idx + 1:])
        self.ctr.iota_rules[rec.name] = None
        return rhs

    def to_ctor_when_k(self, rec, e):
        app_type = self.whnf(self.infer(e))
        I, iargs = app_spine(app_type)
        if I.tag != CONST or I.name is not rec.major_induct:
            return e
        ind = self.consts.get(I.name)
        if ind is None or ind.kind != INDUCT or not ind.ctors:
            return e
        new_ctor = mk_apps(mk_const(ind.ctors[0], I.levels), iargs[:ind.num_params])
        if not self.is_def_eq(app_type, self.infer(new_ctor)):
            return e
        return new_ctor

    def to_ctor_when_structure(self, induct, e):
        ind = self.consts.get(induct)
        if ind is None or not ind.is_structure_like:
            return e
        e_type = self.whnf(self.infer(e))
        I = app_fn(e_type)
        if I.tag != CONST or I.name is not induct:
            return e
        if self.whnf(self.infer(e_type)) is self.prop:
            return e
        return self.expand_eta_struct(e_type, e)

    def expand_eta_struct(self, e_type, e):
        I, args = app_spine(e_type)
        ind = self.consts.get(I.name)
        ctor = self.consts.get(ind.ctors[0])
        r = mk_apps(mk_const(ctor.name, I.levels), args[:ind.num_params])
        for i in range(ctor.num_fields):
            r = mk_app(r, mk_proj(I.name, i, e))
        return r

    def quot_reduce_rec(self, f, args):
        if f.name is QUOT_LIFT:
            mk_pos, arg_pos = 5, 3
        elif f.name is QUOT_IND:
            mk_pos, arg_pos = 4, 3
        else:
            return None
        if len(args) <= mk_pos:
            return None
        mk = self.whnf(args[mk_pos])
        mkf = app_fn(mk)
        if mkf.tag != CONST or mkf.name is not QUOT_MK or app_nargs(mk) != 3:
            return None
        r = mk_app(args[arg_pos], mk.arg)
        if len(args) > mk_pos + 1:
            r = mk_apps(r, args[mk_pos + 1:])
        self.ctr.iota_rules[f.name] = None
        return r

    # ------------------------------------------------------------------ whnf with delta
    def whnf(self, e):
        ctr = self.ctr
        ctr.whnf_calls += 1
        t = e.tag
        if t == FVAR:
            if e.value is None:
                return e
        elif t != APP and t != CONST and t != LET and t != PROJ and t != LAM:
            return e
        cache = self.whnf_cache
        r = cache.get(e)
        if r is not None:
            return r
        ctr.ix_heartbeats += 1
        x = e
        while True:
            x1 = self.whnf_core(x)
            v = self.reduce_nat(x1)
            if v is not None:
                cache[e] = v
                return v
            nxt = self.unfold_definition(x1)
            if nxt is None:
                cache[e] = x1
                return x1
            x = nxt

    # ------------------------------------------------------------------ delta
    def get_delta_info(self, e):
        f = app_fn(e)
        if f.tag != CONST:
            return None
        info = self.consts.get(f.name)
        if info is not None and info.has_value:
            return info
        return None

    def unfold_const(self, c):
        r = self.unfold_cache.get(c)
        if r is not None:
            return r
        info = self.consts.get(c.name)
        if info is None or not info.has_value or len(c.levels) != len(info.level_params):
            return None
        r = instantiate_lparams(info.value, info.level_params, c.levels)
        self.unfold_cache[c] = r
        return r

    def unfold_definition(self, e):
        if e.tag == APP:
            f, args = app_spine(e)
            if f.tag != CONST:
                return None
            body = self.unfold_const(f)
            if body is None:
                return None
            self.ctr.delta_unfolds[f.name] = None
            return mk_apps(body, args)
        if e.tag != CONST:
            return None
        body = self.unfold_const(e)
        if body is not None:
            self.ctr.delta_unfolds[e.name] = None
        return body

    # ------------------------------------------------------------------ Nat literals
    def is_nat_lit_ext(self, e):
        if e.tag == LIT:
            return type(e.value) is int
        return e is self.nat_zero

    def reduce_nat(self, e):
        if e.fv or e.tag != APP or not self.nat_ok:
            return None
        f = e.fn
        if f.tag == CONST:
            if f is not self.nat_succ or not self.prim_ok(NAT_SUCC):
                return None
            a = self.whnf(e.arg)
            if not self.is_nat_lit_ext(a):
                return None
            v = a.value if a.tag == LIT else 0
            self.ctr.nat_arith += limbs(v)
            return mk_lit(v + 1)
        if f.tag != APP:
            return None
        g = f.fn
        if g.tag != CONST or g.levels:
            return None
        op = BIN_OPS.get(g.name)
        if op is None or not self.prim_ok(g.name):
            return None
        a = self.whnf(f.arg)
        if not self.is_nat_lit_ext(a):
            return None
        b = self.whnf(e.arg)
        if not self.is_nat_lit_ext(b):
            return None
        va = a.value if a.tag == LIT else 0
        vb = b.value if b.tag == LIT else 0
        r = op(va, vb)
        if r is None:
            return None
        self.ctr.nat_arith += limbs(va) + limbs(vb)
        if g.name in PREDICATES:
            return BOOL_TRUE_CONST if r else BOOL_FALSE_CONST
        return mk_lit(r)

    def nat_zero_or_succ(self, e):
        """Offset view for `is_def_eq_offset`: ('zero', None), ('succ', pred) or None."""
        if e.tag == LIT:
            if type(e.value) is not int or not self.nat_ok:
                return None
            return ("zero", None) if e.value == 0 else ("succ", mk_lit(e.value - 1))
        if e is self.nat_zero:
            return ("zero", None)
        if e.tag == APP and e.fn is self.nat_succ:
            return ("succ", e.arg)
        return None
