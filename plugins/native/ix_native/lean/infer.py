"""Type inference with the official infer-only / check split (`infer_type_core`): when
checking, binder domains must be sorts, arguments must match domains, let values their
types, universe parameters must be declared and constants used with the right arity and
safety; when only inferring, application spines instantiate the Pi telescope in batches.

Binder bodies nested `EAGER_DEPTH` binder groups deep are inferred *open*, under a
context of the locals opened so far, instead of being instantiated first as the official
kernel does. Instantiating a body rebuilds every node on a path to a loose bound variable,
so a chain of n nested binders whose innermost term mentions all of them costs O(n^2) node
rebuilds (`perf/app-lam`: 40M for 4,000 binders); open inference visits each shared node
once per context and closes a subterm (`close`) only where its value flows into a type: a
Pi body with a loose variable, a local's type or let value, a projection's structure. The
types it returns are always closed. Shallower groups are instantiated, so that a term
occurring at several binder depths is one closed node with one cache entry.
Open results are cached on the node plus the locals it uses (or, past `_EXACT_KEY_MAX`
loose variables, the innermost local: locals are fresh, so it identifies the whole context).
"""
from __future__ import annotations

from .environment import INDUCT
from .expr import (
    APP,
    BVAR,
    CONST,
    FVAR,
    LAM,
    LET,
    LIT,
    PI,
    PROJ,
    SORT,
    app_spine,
    instantiate1,
    instantiate_lparams,
    instantiate_rev,
    mk_apps,
    mk_binding,
    mk_fvar,
    mk_proj,
    mk_sort,
    zeta_locals,
)
from .level import level_params_in, mk_imax, mk_succ
from .nat import NAT, NAT_CONST, STRING, STRING_CONST

_CLOSED = ()


def _open_group(ctx):
    """The context list a binder group pushes its locals onto, and its length to pop back
    to (a stack, not a tuple copy per binder: a chain of n binders stays O(n))."""
    if not ctx:
        ctx = []
    return ctx, len(ctx)
#: Open nodes with at most this many loose variables are cached on exactly the locals they
#: use, so they are shared across sibling binders; beyond it, on the innermost local.
_EXACT_KEY_MAX = 8
#: Binder groups nested less deeply than this are instantiated as the official kernel does
#: (the cache then shares a term across binder depths); deeper ones are inferred open.
EAGER_DEPTH = 4


class InferMixin:
    def infer(self, e):
        """Infer without checking (`infer_type`)."""
        return self.infer_type_core(e, True)

    def check(self, e):
        """Infer and check (`infer_type_core(e, false)`)."""
        return self.infer_type_core(e, False)

    def infer_type_core(self, e, infer_only):
        """Type of the closed term e."""
        return self.infer_open(e, infer_only, _CLOSED)

    def infer_open(self, e, infer_only, ctx):
        """Type of e, whose loose `bvar i` stands for the local `ctx[-1 - i]` (ctx: the fvars
        opened so far, outermost first: empty, or a list that binder groups push onto and
        pop back to its length before returning); the result is closed."""
        self.ctr.lean_heartbeats += 1
        key = e
        n = e.lbr
        if n:
            if n > len(ctx):
                raise self.error("unexpected loose bound variable")
            key = (e, *ctx[-n:]) if n <= _EXACT_KEY_MAX else (e, ctx[-1])
        cache = self.infer_cache_only if infer_only else self.infer_cache_check
        r = cache.get(key)
        if r is not None:
            return r
        t = e.tag
        if t == APP:
            r = self.infer_app(e, infer_only, ctx)
        elif t == CONST:
            r = self.infer_constant(e, infer_only)
        elif t == BVAR:
            r = ctx[-1 - e.idx].type
        elif t == FVAR:
            r = e.type
        elif t == SORT:
            if not infer_only:
                self.check_level(e.level)
            r = mk_sort(mk_succ(e.level))
        elif t == LAM:
            r = self.infer_lambda(e, infer_only, ctx)
        elif t == PI:
            r = self.infer_pi(e, infer_only, ctx)
        elif t == LET:
            r = self.infer_let(e, infer_only, ctx)
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
            r = self.infer_proj(e, infer_only, ctx)
        else:
            raise self.error(f"unexpected expression kind {t}")
        cache[key] = r
        return r

    @staticmethod
    def close(e, ctx):
        """e with its loose bound variables replaced by the locals of ctx."""
        return instantiate_rev(e, ctx) if e.lbr else e

    def check_level(self, lv):
        if lv.has_param and lv not in self.levels_ok:  # levels are interned
            ps: set = set()
            level_params_in(lv, ps)
            for p in ps:
                if p not in self.lparam_set:
                    raise self.error(f"undeclared universe parameter {p}")
            self.levels_ok.add(lv)

    def infer_constant(self, e, infer_only):
        info = self.consts.get(e.name)
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
        return self._whnf_to(SORT, e, "type expected" + (" for " + what if what else ""))

    def ensure_pi(self, e):
        if e.tag == PI:
            return e
        return self._whnf_to(PI, e, "function expected")

    def _whnf_to(self, tag, e, complaint):
        """The whnf of e when that has kind `tag` (callers test e itself first, before
        spelling out `complaint`); else the error `complaint, got e`."""
        e2 = self.whnf(e)
        if e2.tag == tag:
            return e2
        raise self.error(f"{complaint}, got {self.show(e)}")

    def _eager(self, ctx):
        """Instantiate this binder group's body (official) rather than infer it open?"""
        return not ctx and self.binder_depth < EAGER_DEPTH

    def _check_domain(self, e, ctx, eager, what, infer_only=False):
        """Sort of the binder e's domain (checked unless infer_only) and the domain closed."""
        d = self.close(e.type, ctx)
        s = self.ensure_sort(self.infer_open(d, infer_only, _CLOSED) if eager else
                             self.infer_open(e.type, infer_only, ctx), what)
        return s, d

    def _infer_body(self, x, infer_only, ctx, eager):
        """Type of the body x of a binder group opened into ctx (one binder level deeper)."""
        if not eager:
            return self.infer_open(x, infer_only, ctx)
        self.binder_depth += 1
        try:
            return self.infer_open(self.close(x, ctx), infer_only, _CLOSED)
        finally:
            self.binder_depth -= 1

    def infer_lambda(self, e, infer_only, ctx):
        eager = self._eager(ctx)
        ctx, n0 = _open_group(ctx)
        try:
            while e.tag == LAM:
                if infer_only:
                    d = self.close(e.type, ctx)
                else:
                    d = self._check_domain(e, ctx, eager, "binder domain")[1]
                ctx.append(mk_fvar(e.name, d, None, e.bi))
                e = e.body
            r = self.cheap_beta_reduce(self._infer_body(e, infer_only, ctx, eager))
            return mk_binding(True, ctx[n0:], r)
        finally:
            del ctx[n0:]

    def infer_pi(self, e, infer_only, ctx):
        eager = self._eager(ctx)
        ctx, n0 = _open_group(ctx)
        us = []
        try:
            while e.tag == PI:
                s, d = self._check_domain(e, ctx, eager, "binder domain", infer_only)
                us.append(s.level)
                ctx.append(mk_fvar(e.name, d, None, e.bi))
                e = e.body
            s = self.ensure_sort(self._infer_body(e, infer_only, ctx, eager), "Pi codomain")
        finally:
            del ctx[n0:]
        lv = s.level
        for u in reversed(us):
            lv = mk_imax(u, lv)
        return mk_sort(lv)

    def infer_app(self, e, infer_only, ctx):
        if not infer_only:
            f_type = self.ensure_pi(self.infer_open(e.fn, False, ctx))
            a_type = self.infer_open(e.arg, False, ctx)
            if not self.is_def_eq(a_type, f_type.type):
                raise self.error(f"application type mismatch: argument {self.show(self.close(e.arg, ctx))} has "
                                 f"type {self.show(a_type)} but is expected to have type {self.show(f_type.type)}")
            body = f_type.body
            return instantiate1(body, self.close(e.arg, ctx)) if body.lbr else body
        f, args = app_spine(e)
        f_type = self.infer_open(f, True, ctx)
        j = 0
        n = len(args)
        for i in range(n):
            if f_type.tag == PI:
                f_type = f_type.body
            else:
                f_type = self.ensure_pi(self._instantiate_args(f_type, args[j:i], ctx))
                f_type = f_type.body
                j = i
        return self._instantiate_args(f_type, args[j:n], ctx)

    def _instantiate_args(self, body, args, ctx):
        """`instantiate_rev(body, args)` with the (possibly open) args closed first."""
        if not body.lbr:
            return body
        return instantiate_rev(body, [self.close(a, ctx) for a in args])

    def infer_let(self, e, infer_only, ctx):
        eager = self._eager(ctx)
        ctx, n0 = _open_group(ctx)
        try:
            while e.tag == LET:
                val = self.close(e.value, ctx)
                if infer_only:
                    ty = self.close(e.type, ctx)
                else:
                    ty = self._check_domain(e, ctx, eager, "let type")[1]
                    vt = self.infer_open(val, False, _CLOSED) if eager else self.infer_open(e.value, False, ctx)
                    if not self.is_def_eq(vt, ty):
                        raise self.error(f"let value type mismatch for {e.name}")
                ctx.append(mk_fvar(e.name, ty, val))
                e = e.body
            r = self.cheap_beta_reduce(self._infer_body(e, infer_only, ctx, eager))
            return zeta_locals(r, ctx[n0:])  # the type may still mention the let-locals
        finally:
            del ctx[n0:]

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

    def infer_proj(self, e, infer_only, ctx):
        s_type = self.whnf(self.infer_open(e.struct, infer_only, ctx))
        I, args = app_spine(s_type)

        def bad(why=""):
            return self.error(f"invalid projection {self.show(self.close(e, ctx))}{why}")

        if I.tag != CONST or I.name is not e.sname:
            raise bad(": structure type expected")
        ind = self.consts.get(I.name)
        if ind is None or ind.kind != INDUCT or len(ind.ctors) != 1 or \
                len(args) != ind.num_params + ind.num_indices:
            raise bad(": not a structure")
        ctor = self.consts.get(ind.ctors[0])
        r = instantiate_lparams(ctor.type, ctor.level_params, I.levels)
        for i in range(ind.num_params):
            r = self.whnf(r)
            if r.tag != PI:
                raise bad()
            r = instantiate1(r.body, args[i])
        is_prop_type = self.is_prop(s_type)
        for i in range(e.idx):
            r = self.whnf(r)
            if r.tag != PI:
                raise bad(": index out of range")
            if r.body.lbr:
                if is_prop_type and not self.is_prop(r.type):
                    raise bad(": dependent data field of a proposition")
                r = instantiate1(r.body, mk_proj(I.name, i, self.close(e.struct, ctx)))
            else:
                r = r.body
        r = self.whnf(r)
        if r.tag != PI:
            raise bad(": index out of range")
        r = r.type
        if is_prop_type and not self.is_prop(r):
            raise bad(": data projection out of a proposition")
        return r

    def is_prop(self, e):
        return self.whnf(self.infer(e)) is self.prop
