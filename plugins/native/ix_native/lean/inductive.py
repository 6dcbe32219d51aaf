"""Inductive blocks (`inductive.cpp`): un-nesting of nested occurrences into auxiliary
types, header and constructor checks (parameters, universes, strict positivity, result
shape), elimination level, K-target, and generation of the recursors (types and rules),
which are then compared with the exported ones: nothing exported about a block is trusted."""
from __future__ import annotations

from .environment import CTOR, INDUCT, REC, ConstantInfo
from .expr import (
    APP,
    CONST,
    LAM,
    PI,
    abstract,
    app_fn,
    app_spine,
    eq_mod_binders,
    instantiate1,
    instantiate_lparams,
    instantiate_rev,
    mk_app,
    mk_apps,
    mk_binding,
    mk_const,
    mk_fvar,
    mk_lam,
    mk_pi,
    mk_sort,
    occurs_const,
)
from .level import L_ZERO, ZERO, is_equivalent, is_geq, is_not_zero, mk_param
from .name import ANON, Name
from .tc import KernelError


def _replace_prefix(n: Name, old: Name, new: Name) -> Name:
    if n is old:
        return new
    if n.prefix is None:
        return n
    p = _replace_prefix(n.prefix, old, new)
    return n if p is n.prefix else p.append(n.part)


def _append_after(n: Name, i: int) -> Name:
    """Lean's `name.append_after(i)`: `motive` -> `motive_1`."""
    return n.prefix.append(f"{n.part}_{i}")


_ANNOTATIONS = frozenset(Name.from_str(n) for n in ("outParam", "optParam", "autoParam", "semiOutParam"))


def _strip_annotations(e):
    """`outParam T` / `optParam T d` / `autoParam T s` -> T: the generated recursors carry the
    bare parameter types (observed in Lean 4.27-4.29 exports)."""
    while True:
        f, args = app_spine(e)
        if f.tag == CONST and f.name in _ANNOTATIONS and args:
            e = args[0]
        else:
            return e


class _Block:
    """Working form of a block: types [(name, type, [(ctor, ctor_type)])]."""

    def __init__(self, lparams, nparams, types):
        self.lparams = lparams
        self.nparams = nparams
        self.types = types


class InductiveChecker:
    def __init__(self, env, decl, make_tc):
        self.env = env
        self.decl = decl
        self.make_tc = make_tc
        self.lparams = decl.level_params
        self.levels = tuple(mk_param(p) for p in self.lparams)
        self.tc = make_tc(self.lparams, decl.name)
        self.added: list = []

    def fail(self, msg):
        return KernelError(f"{self.decl.name}: {msg}")

    # ------------------------------------------------------------------ driver
    def run(self) -> list:
        d = self.decl
        if len(set(self.lparams)) != len(self.lparams):
            raise self.fail("duplicate universe parameters")
        nparams = d.types[0].num_params
        for t in d.types:
            if t.level_params != self.lparams:
                raise self.fail("types of a block must share universe parameters")
            if t.num_params != nparams:
                raise self.fail("types of a block must have the same number of parameters")
        by_type = {t.name: [] for t in d.types}
        for c in d.ctors:
            if c.induct not in by_type:
                raise self.fail(f"constructor {c.name} of unknown type {c.induct}")
            by_type[c.induct].append(c)
        for t in d.types:
            if tuple(c.name for c in by_type[t.name]) != t.ctors:
                raise self.fail(f"constructor list of {t.name} does not match its constructors")
        block = _Block(self.lparams, nparams, [(t.name, t.type, [(c.name, c.type) for c in by_type[t.name]])
                                               for t in d.types])
        for name in self._all_names(block):
            if name in self.env:
                raise self.fail(f"{name} is already declared")
        nested = _Unnester(self, block)
        aux_block = nested.run()
        infos = self.check_block(aux_block, len(block.types), nested)
        self.compare_with_export(infos, by_type)
        return infos

    def _all_names(self, block):
        for name, _, ctors in block.types:
            yield name
            yield name.append("rec")
            for c, _ in ctors:
                yield c

    # ------------------------------------------------------------------ checks
    def check_block(self, blk, n_orig, nested):
        tc = self.tc
        env = self.env
        nparams = blk.nparams
        self.n_types = len(blk.types)
        self.type_names = [t[0] for t in blk.types]
        self.type_name_set = frozenset(self.type_names)
        self.ind_consts = [mk_const(n, self.levels) for n in self.type_names]
        # --- types
        params = []
        nindices = []
        result_level = None
        for k, (_name, ty, _) in enumerate(blk.types):
            try:
                tc.ensure_sort(tc.check(ty), "inductive type")
            except KernelError as exc:
                raise self.fail(str(exc)) from None
            t = tc.whnf(ty)
            i = 0
            nidx = 0
            while t.tag == PI:
                if i < nparams:
                    if k == 0:
                        fv = mk_fvar(t.name, _strip_annotations(t.type), None, t.bi)
                        params.append(fv)
                    else:
                        if not tc.is_def_eq(t.type, params[i].type):
                            raise self.fail("parameters of all inductive datatypes must match")
                    t = instantiate1(t.body, params[i])
                    i += 1
                else:
                    fv = mk_fvar(t.name, t.type, None, t.bi)
                    t = instantiate1(t.body, fv)
                    nidx += 1
                t = tc.whnf(t)
            if i != nparams:
                raise self.fail("number of parameters mismatch in inductive datatype declaration")
            t = tc.ensure_sort(t, "inductive type result")
            if result_level is None:
                result_level = t.level
            elif not is_equivalent(result_level, t.level):
                raise self.fail("mutually inductive types must live in the same universe")
            nindices.append(nidx)
        self.params = params
        self.nindices = nindices
        self.result_level = result_level
        self.nparams = nparams
        unsafe = self.decl.safety == "unsafe"
        # declare the types (constructors refer to them)
        for k, (name, ty, ctors) in enumerate(blk.types):
            self._add(ConstantInfo(INDUCT, name, self.lparams, ty, num_params=nparams, num_indices=nindices[k],
                                   all=tuple(self.type_names[:n_orig]), ctors=tuple(c for c, _ in ctors),
                                   num_nested=self.n_types - n_orig, unsafe=unsafe))
        # --- constructors
        for k, (name, _, ctors) in enumerate(blk.types):
            for cidx, (cname, cty) in enumerate(ctors):
                try:
                    tc.ensure_sort(tc.check(cty), "constructor type")
                except KernelError as exc:
                    raise self.fail(str(exc)) from None
                t = cty
                i = 0
                nfields = 0
                while t.tag == PI:
                    if i < nparams:
                        if not tc.is_def_eq(t.type, params[i].type):
                            raise self.fail(f"arg #{i + 1} of {cname} does not match inductive datatype parameters")
                        t = instantiate1(t.body, params[i])
                    else:
                        s = tc.ensure_sort(tc.infer(t.type), "constructor field")
                        if not (is_geq(result_level, s.level) or result_level is L_ZERO):
                            raise self.fail(f"universe level of type_of(arg #{i + 1}) of {cname} is too big "
                                            "for the corresponding inductive datatype")
                        if not unsafe:
                            self.check_positivity(t.type, cname, i)
                        fv = mk_fvar(t.name, t.type, None, t.bi)
                        t = instantiate1(t.body, fv)
                        nfields += 1
                    i += 1
                if self.valid_ind_app(t, k) is None:
                    raise self.fail(f"invalid return type for {cname}")
                self._add(ConstantInfo(CTOR, cname, self.lparams, cty, induct=name, cidx=cidx, num_params=nparams,
                                       num_fields=nfields, unsafe=unsafe))
        # derived flags
        for name, _, ctors in blk.types:
            info = env.get(name)
            info.is_rec = any(self._ctor_is_rec(env.get(c).type) for c, _ in ctors)
            info.is_reflexive = any(self._ctor_is_reflexive(env.get(c).type) for c, _ in ctors)
        # --- recursors
        elim_zero = self.elim_only_at_universe_zero(blk)
        if elim_zero:
            self.elim_level = L_ZERO
            rec_lparams = self.lparams
        else:
            u = Name.str(ANON, "u")
            i = 1
            while u in self.lparams:
                u = Name.str(ANON, f"u_{i}")
                i += 1
            self.elim_level = mk_param(u)
            rec_lparams = (u,) + tuple(self.lparams)
        self.rec_levels = tuple(mk_param(p) for p in rec_lparams)
        k_target = self.is_k_target(blk)
        recs = self.mk_recursors(blk, rec_lparams, k_target, unsafe)
        return nested.restore(blk, n_orig, recs)

    def _add(self, info):
        self.env.add(info)
        self.added.append(info.name)

    def rollback(self):
        for n in self.added:
            self.env.consts.pop(n, None)
        self.added = []

    def has_ind_occ(self, e):
        return occurs_const(e, self.type_name_set)

    def valid_ind_app(self, t, k=None):
        """Index of the block type `t` is a valid application of (params fixed), else None."""
        f, args = app_spine(t)
        if f.tag != CONST:
            return None
        for idx, c in enumerate(self.ind_consts):
            if k is not None and idx != k:
                continue
            if f is not c or len(args) != self.nparams + self.nindices[idx]:
                continue
            if any(args[i] is not self.params[i] for i in range(self.nparams)):
                continue
            if any(self.has_ind_occ(a) for a in args[self.nparams:]):
                continue
            return idx
        return None

    def check_positivity(self, t, cname, i):
        tc = self.tc
        while True:
            t = tc.whnf(t)
            if not self.has_ind_occ(t):
                return
            if t.tag == PI:
                if self.has_ind_occ(t.type):
                    raise self.fail(f"arg #{i + 1} of {cname} has a non positive occurrence of the datatypes being declared")
                t = instantiate1(t.body, mk_fvar(t.name, t.type, None, t.bi))
                continue
            if self.valid_ind_app(t) is not None:
                return
            raise self.fail(f"arg #{i + 1} of {cname} has a non valid occurrence of the datatypes being declared")

    def rec_arg_index(self, ty):
        """If a field type is (a Pi telescope ending in) a block type, its index, else None."""
        tc = self.tc
        t = tc.whnf(ty)
        while t.tag == PI:
            t = tc.whnf(instantiate1(t.body, mk_fvar(t.name, t.type, None, t.bi)))
        return self.valid_ind_app(t)

    def _fields(self, cty):
        """Instantiate a constructor type with the block params; return (fields, result)."""
        t = cty
        fields = []
        i = 0
        while t.tag == PI:
            if i < self.nparams:
                t = instantiate1(t.body, self.params[i])
            else:
                fv = mk_fvar(t.name, _strip_annotations(t.type), None, t.bi)
                fields.append(fv)
                t = instantiate1(t.body, fv)
            i += 1
        return fields, t

    def _ctor_is_rec(self, cty):
        fields, _ = self._fields(cty)
        return any(self.rec_arg_index(f.type) is not None for f in fields)

    def _ctor_is_reflexive(self, cty):
        fields, _ = self._fields(cty)
        for f in fields:
            t = self.tc.whnf(f.type)
            if t.tag == PI and self.rec_arg_index(t) is not None:
                return True
        return False

    def elim_only_at_universe_zero(self, blk):
        if is_not_zero(self.result_level):
            return False
        if len(blk.types) > 1:
            return True
        ctors = blk.types[0][2]
        if len(ctors) > 1:
            return True
        if not ctors:
            return False
        t = ctors[0][1]
        i = 0
        to_check = []
        tc = self.tc
        while t.tag == PI:
            fv = mk_fvar(t.name, t.type, None, t.bi)
            if i >= self.nparams:
                s = tc.ensure_sort(tc.infer(t.type))
                if s.level.kind != ZERO:
                    to_check.append(fv)
            t = instantiate1(t.body, fv)
            i += 1
        _, rargs = app_spine(t)
        return any(all(a is not fv for a in rargs) for fv in to_check)

    def is_k_target(self, blk):
        if len(blk.types) != 1 or self.result_level is not L_ZERO or len(blk.types[0][2]) != 1:
            return False
        t = blk.types[0][2][0][1]
        i = 0
        while t.tag == PI:
            if i >= self.nparams:
                return False
            t = t.body
            i += 1
        return True

    # ------------------------------------------------------------------ recursors
    def mk_recursors(self, blk, rec_lparams, k_target, unsafe):
        tc = self.tc
        params = self.params
        infos = []  # per type: (indices, major, motive)
        multi = len(blk.types) > 1
        for k, (_name, ty, _) in enumerate(blk.types):
            t = tc.whnf(ty)
            i = 0
            indices = []
            while t.tag == PI:
                if i < self.nparams:
                    t = instantiate1(t.body, params[i])
                else:
                    fv = mk_fvar(t.name, _strip_annotations(t.type), None, t.bi)
                    indices.append(fv)
                    t = instantiate1(t.body, fv)
                i += 1
                t = tc.whnf(t)
            major = mk_fvar(Name.str(ANON, "t"), mk_apps(mk_apps(self.ind_consts[k], params), indices))
            motive_ty = mk_binding(True, indices + [major], mk_sort(self.elim_level))
            mname = Name.str(ANON, "motive")
            if multi:
                mname = _append_after(mname, k + 1)
            motive = mk_fvar(mname, motive_ty, None, 1)
            infos.append((indices, major, motive))
        motives = [m for _, _, m in infos]
        minors = []
        ctor_data = []  # (k, cname, fields, rec_fields, minor)
        for k, (name, _, ctors) in enumerate(blk.types):
            for cname, cty in ctors:
                fields, res = self._fields(cty)
                ihs = []
                rec_fields = []
                for f in fields:
                    idx = self.rec_arg_index(f.type)
                    if idx is None:
                        continue
                    u_ty = tc.whnf(tc.infer(f))
                    xs = []
                    while u_ty.tag == PI:
                        x = mk_fvar(u_ty.name, _strip_annotations(u_ty.type), None, u_ty.bi)
                        xs.append(x)
                        u_ty = tc.whnf(instantiate1(u_ty.body, x))
                    it_idx, it_indices = self._ind_indices(u_ty)
                    c_app = mk_app(mk_apps(motives[it_idx], it_indices), mk_apps(f, xs))
                    ih = mk_fvar(Name.str(ANON, f"{f.name}_ih"), mk_binding(True, xs, c_app))
                    ihs.append(ih)
                    rec_fields.append((f, xs, it_idx, it_indices))
                it_idx, it_indices = self._ind_indices(res)
                intro = mk_apps(mk_apps(mk_const(cname, self.levels), params), fields)
                c_app = mk_app(mk_apps(motives[it_idx], it_indices), intro)
                minor_ty = mk_binding(True, fields + ihs, c_app)
                minor = mk_fvar(_replace_prefix(cname, name, ANON), minor_ty)
                minors.append(minor)
                ctor_data.append((k, cname, fields, rec_fields, minor))
        out = []
        rec_levels = self.rec_levels
        shared: dict = {}  # the binder types of params + motives + minors, closed once
        for k, (name, _, _ctors) in enumerate(blk.types):
            indices, major, motive = infos[k]
            c_app = mk_app(mk_apps(motive, indices), major)
            rec_ty = mk_binding(True, params + motives + minors + indices + [major], c_app, shared)
            rules = {}
            for (kk, cname, fields, rec_fields, minor) in ctor_data:
                if kk != k:
                    continue
                vs = []
                for f, xs, it_idx, it_indices in rec_fields:
                    rec_c = mk_const(self.type_names[it_idx].append("rec"), rec_levels)
                    rec_app = mk_app(mk_apps(mk_apps(mk_apps(mk_apps(rec_c, params), motives), minors), it_indices),
                                     mk_apps(f, xs))
                    vs.append(mk_binding(False, xs, rec_app))
                e_app = mk_apps(mk_apps(minor, fields), vs)
                rhs = mk_binding(False, params + motives + minors + fields, e_app, shared)
                rules[cname] = (len(fields), rhs)
            info = ConstantInfo(REC, name.append("rec"), rec_lparams, rec_ty, all=(), num_params=self.nparams,
                                num_indices=self.nindices[k], num_motives=len(motives), num_minors=len(minors),
                                rules=rules, k=k_target, major_induct=name, unsafe=unsafe)
            out.append(info)
        return out

    def _ind_indices(self, t):
        f, args = app_spine(t)
        for idx, c in enumerate(self.ind_consts):
            if f is c:
                return idx, args[self.nparams:]
        raise self.fail("recursive occurrence is not an application of a block type")

    # ------------------------------------------------------------------ export comparison
    def compare_with_export(self, infos, by_type):
        d = self.decl
        gen = {i.name: i for i in infos}
        for t in d.types:
            g = gen[t.name]
            for what, mine, theirs in (("numIndices", g.num_indices, t.num_indices), ("all", g.all, t.all),
                                       ("numNested", g.num_nested, t.num_nested), ("isRec", g.is_rec, t.is_rec),
                                       ("isReflexive", g.is_reflexive, t.is_reflexive),
                                       ("isUnsafe", g.unsafe, t.is_unsafe)):
                if mine != theirs:
                    raise self.fail(f"exported {what} of {t.name} is {theirs!r}, the kernel derives {mine!r}")
        for c in d.ctors:
            g = gen[c.name]
            if (g.induct, g.cidx, g.num_params, g.num_fields, g.unsafe) != (
                    c.induct, c.cidx, c.num_params, c.num_fields, c.is_unsafe) or not eq_mod_binders(g.type, c.type):
                raise self.fail(f"exported constructor {c.name} does not match the kernel's")
        gen_recs = {i.name for i in infos if i.kind == REC}
        exp_recs = {r.name for r in d.recs}
        if gen_recs != exp_recs:
            extra = sorted(str(n) for n in exp_recs - gen_recs)
            missing = sorted(str(n) for n in gen_recs - exp_recs)
            raise self.fail(f"exported recursors differ from the generated ones (extra {extra}, missing {missing})")
        for r in d.recs:
            g = gen[r.name]
            if r.level_params != g.level_params:
                raise self.fail(f"recursor {r.name} has universe parameters {[str(p) for p in r.level_params]}, "
                                f"expected {[str(p) for p in g.level_params]}")
            if (r.num_params, r.num_indices, r.num_motives, r.num_minors, r.k, r.all, r.is_unsafe) != (
                    g.num_params, g.num_indices, g.num_motives, g.num_minors, g.k, g.all, g.unsafe):
                raise self.fail(f"recursor {r.name} header fields do not match the generated recursor")
            if not eq_mod_binders(r.type, g.type):
                raise self.fail(f"recursor {r.name} type does not match the generated recursor")
            if len(r.rules) != len(g.rules):
                raise self.fail(f"recursor {r.name} has {len(r.rules)} rules, expected {len(g.rules)}")
            for rule, (cname, (nf, rhs)) in zip(r.rules, g.rules.items()):
                if rule.ctor is not cname or rule.nfields != nf or not eq_mod_binders(rule.rhs, rhs):
                    raise self.fail(f"recursor {r.name} rule for {rule.ctor} does not match the generated rule")


class _Unnester:
    """Replace nested occurrences `J Ds` (J an existing inductive, Ds mentioning the block)
    by auxiliary types, and translate the generated constants back (`elim_nested_inductive`)."""

    def __init__(self, chk: InductiveChecker, block: _Block):
        self.chk = chk
        self.block = block
        self.aux2nested: dict = {}  # aux type name -> `J As` (over self.params fvars)
        self.aux_ctor: dict = {}    # aux ctor name -> (J ctor name, aux type name)
        self.next_idx = 1

    def run(self) -> _Block:
        blk = self.block
        nparams = blk.nparams
        ty = blk.types[0][1]
        params = []
        for _ in range(nparams):
            if ty.tag != PI:
                return blk  # malformed headers are reported by the main check
            fv = mk_fvar(ty.name, instantiate_rev(ty.type, params), None, ty.bi)
            params.append(fv)
            ty = ty.body
        self.params = params
        self.new_types = [list(t) for t in blk.types]
        self.names = {t[0] for t in blk.types}
        q = 0
        while q < len(self.new_types):
            _name, ty, ctors = self.new_types[q]
            new_ctors = []
            for cname, cty in ctors:
                body = self._instantiate_pi_params(cty, nparams, params)
                if body is None:
                    new_ctors.append((cname, cty))
                    continue
                body = self._replace_all_nested(body)
                new_ctors.append((cname, mk_binding(True, params, body)))
            self.new_types[q][2] = new_ctors
            q += 1
        if len(self.new_types) == len(blk.types):
            return blk
        return _Block(blk.lparams, nparams, [tuple(t) for t in self.new_types])

    @staticmethod
    def _instantiate_pi_params(e, n, params):
        for _ in range(n):
            if e.tag != PI:
                return None
            e = e.body
        return instantiate_rev(e, params)

    def _is_nested_app(self, e):
        if e.tag != APP:
            return None
        f, args = app_spine(e)
        if f.tag != CONST:
            return None
        info = self.chk.env.get(f.name)
        if info is None or info.kind != INDUCT:
            return None
        np = info.num_params
        if np > len(args):
            return None
        nested = False
        loose = False
        for a in args[:np]:
            if a.lbr:
                loose = True
            if occurs_const(a, self.names):
                nested = True
        if not nested:
            return None
        if loose:
            raise self.chk.fail(f"invalid nested inductive datatype {f.name}, nested inductive datatypes "
                                "parameters cannot contain local variables")
        return f, args, info

    def _replace_all_nested(self, e):
        return self._replace_nested_in(e, {})

    def _replace_nested_in(self, x, cache):
        # a method with its cache passed in, not a self-calling closure (a reference cycle)
        r = cache.get(x)
        if r is not None:
            return r
        hit = self._is_nested_app(x)
        if hit is not None:
            r = self._replace_nested(*hit)
        else:
            t = x.tag
            if t == APP:
                f = self._replace_nested_in(x.fn, cache)
                a = self._replace_nested_in(x.arg, cache)
                r = x if (f is x.fn and a is x.arg) else mk_app(f, a)
            elif t == PI or t == LAM:
                ty = self._replace_nested_in(x.type, cache)
                b = self._replace_nested_in(x.body, cache)
                r = x if (ty is x.type and b is x.body) else (mk_pi if t == PI else mk_lam)(x.name, ty, b, x.bi)
            else:
                r = x
        cache[x] = r
        return r

    def _replace_nested(self, f, args, info):
        chk = self.chk
        np = info.num_params
        IAs = mk_apps(f, args[:np])
        for aux, nested in self.aux2nested.items():
            if nested is IAs:
                return mk_apps(mk_apps(mk_const(aux, chk.levels), self.params), args[np:])
        result = None
        for j_name in info.all:
            j_info = chk.env.get(j_name)
            aux_name = self._aux_name(j_name)
            j_const = mk_const(j_name, f.levels)
            self.aux2nested[aux_name] = mk_apps(j_const, args[:np])
            aux_ty = instantiate_lparams(j_info.type, j_info.level_params, f.levels)
            aux_ty = self._instantiate_pi_params(aux_ty, np, args[:np])
            if aux_ty is None:
                raise chk.fail(f"invalid nested inductive datatype {j_name}")
            aux_ty = mk_binding(True, self.params, aux_ty)
            if j_name is f.name:
                result = mk_apps(mk_apps(mk_const(aux_name, chk.levels), self.params), args[np:])
            ctors = []
            for jc in j_info.ctors:
                jc_info = chk.env.get(jc)
                aux_c = _replace_prefix(jc, j_name, aux_name)
                self.aux_ctor[aux_c] = (jc, aux_name)
                cty = instantiate_lparams(jc_info.type, jc_info.level_params, f.levels)
                cty = self._instantiate_pi_params(cty, np, args[:np])
                if cty is None:
                    raise chk.fail(f"invalid nested inductive datatype {j_name}")
                ctors.append((aux_c, mk_binding(True, self.params, cty)))
            self.new_types.append([aux_name, aux_ty, ctors])
            self.names.add(aux_name)
        return result

    def _aux_name(self, j_name):
        base = self.block.types[0][0]
        while True:
            n = base.append(f"_nested_aux_{self.next_idx}")
            self.next_idx += 1
            if n not in self.chk.env:
                return n

    # ------------------------------------------------------------------ translate back
    def restore(self, blk, n_orig, recs):
        env = self.chk.env
        first = blk.types[0][0]
        orig_names = tuple(t[0] for t in blk.types[:n_orig])
        n_nested = len(blk.types) - n_orig
        rec_map = {}
        for i, (name, _, _) in enumerate(blk.types):
            if i >= n_orig:
                rec_map[name.append("rec")] = first.append(f"rec_{i - n_orig + 1}")
        out = []
        for name in orig_names:
            info = env.get(name)
            info.all = orig_names
            info.num_nested = n_nested
            out.append(info)
            for c in info.ctors:
                ci = env.get(c)
                if self.aux2nested:
                    ci.type = self._restore_expr(ci.type, rec_map)
                out.append(ci)
        for rec in recs:
            rec.name = rec_map.get(rec.name, rec.name)
            rec.all = orig_names
            if self.aux2nested:
                rec.type = self._restore_expr(rec.type, rec_map)
                new_rules = {}
                for cname, (nf, rhs) in rec.rules.items():
                    jc = self.aux_ctor.get(cname)
                    new_rules[jc[0] if jc else cname] = (nf, self._restore_expr(rhs, rec_map))
                rec.rules = new_rules
                if rec.major_induct in self.aux2nested:
                    rec.major_induct = app_fn(self.aux2nested[rec.major_induct]).name
            out.append(rec)
        # drop the auxiliary types and constructors from the environment
        for name, _, ctors in blk.types[n_orig:]:
            env.consts.pop(name, None)
            for c, _ in ctors:
                env.consts.pop(c, None)
        return out

    def _restore_expr(self, e, rec_map):
        n = len(self.params)
        As = []
        t = e
        for _ in range(n):
            if t.tag != PI and t.tag != LAM:
                return e
            fv = mk_fvar(t.name, instantiate_rev(t.type, As), None, t.bi)
            As.append(fv)
            t = t.body
        is_pi = e.tag == PI
        body = instantiate_rev(t, As)
        return mk_binding(is_pi, As, self._restore_in(body, rec_map, As, {}))

    def _restore_in(self, x, rec_map, As, cache):
        # a method with its state passed in, not a self-calling closure (a reference cycle)
        r = cache.get(x)
        if r is not None:
            return r
        r = None
        n = len(self.params)
        if x.tag == CONST and x.name in rec_map:
            r = mk_const(rec_map[x.name], x.levels)
        else:
            f, args = app_spine(x)
            if f.tag == CONST:
                if f.name in self.aux2nested:
                    r = mk_apps(instantiate_rev(abstract(self.aux2nested[f.name], self.params), As),
                                [self._restore_in(a, rec_map, As, cache) for a in args[n:]])
                elif f.name in self.aux_ctor:
                    jc, aux = self.aux_ctor[f.name]
                    J, jargs = app_spine(self.aux2nested[aux])
                    new_c = mk_apps(mk_const(jc, J.levels), jargs)
                    r = mk_apps(instantiate_rev(abstract(new_c, self.params), As),
                                [self._restore_in(a, rec_map, As, cache) for a in args[n:]])
        if r is None:
            t = x.tag
            if t == APP:
                r = mk_app(self._restore_in(x.fn, rec_map, As, cache), self._restore_in(x.arg, rec_map, As, cache))
            elif t == PI or t == LAM:
                r = (mk_pi if t == PI else mk_lam)(x.name, self._restore_in(x.type, rec_map, As, cache),
                                                    self._restore_in(x.body, rec_map, As, cache), x.bi)
            else:
                r = x
        cache[x] = r
        return r
