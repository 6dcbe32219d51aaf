"""Deterministic demo Lean environments (`ix demo-env`): a self-contained test input.

`write_demo_env(path, constants, seed, corrupt)` writes a lean4export 3.1 NDJSON file of
about `constants` constants (counted like MANIFEST.tsv: one per def/thm/opaque/axiom/quot
line plus every type, constructor and recursor of an inductive line). Everything is
written by this module: a small prelude (Nat with literal support, Bool, Eq, True, False,
And, Prod, List, Quot, Eq.symm/trans, congrArg) and then seeded families whose checks
need delta, iota, projection, struct-eta, quotient and Nat-literal (GMP) reduction:

- Nat functions by recursion (`Nat.rec`) and by composition, chained on earlier ones and
  on a few popular hubs (preferential attachment), each with `Eq.refl` computed facts;
- enumerations, structures (projections, eta), mutual and nested inductives, indexed
  families (a universe-polymorphic `Vec`, an inductive `Prop` predicate), mutual def
  groups, quotient lifts, axioms and opaques behind definitions, universe-polymorphic
  identities, and theorems built from other theorems (`congrArg`, `Eq.symm`).

The expected value of every computed fact comes from a Python model of the function, so
a wrong kernel answer is a real disagreement. `corrupt=K` adds K declarations that a
correct kernel rejects (wrong value, wrong proof, type mismatch, bad universe, lying
recursor rule, non-positive constructor, wrong constructor result, non-Prop theorem);
nothing valid depends on them.
"""
from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from pathlib import Path

import attrs

from .demo_terms import (
    L_ONE,
    L_ZERO,
    META,
    PROP,
    TYPE,
    Axiom,
    Ctor,
    Definition,
    ExternalInd,
    IndType,
    InductiveBlock,
    Local,
    NdjsonWriter,
    NestedOcc,
    Opaque,
    QuotDecl,
    RecRule,
    Theorem,
    app,
    arrow,
    const,
    consts_in,
    derive_inductive,
    lam,
    let,
    lit,
    lmax,
    lparam,
    pi,
    proj,
    sort,
    succ,
)

NAT = const("Nat")
BOOL = const("Bool")
MAX_ARG = 5  # facts evaluate functions at 0..MAX_ARG
#: What `corrupt=K` adds, in this order (cycling): each a declaration a correct kernel rejects.
CORRUPTIONS = ("wrong_value", "lying_rule", "bad_universe", "type_mismatch", "wrong_proof",
               "non_positive", "bad_ctor_result", "non_prop_theorem")
COST_CAP = 1500  # estimated kernel reduction steps allowed for one function at MAX_ARG
VALUE_CAP = 1000  # results stay small, so facts are cheap even where Nat.add & co. unfold


@attrs.frozen
class DemoEnvReport:
    path: Path
    seed: int
    constants: int
    declarations: int
    corrupted: tuple  # names of the declarations a correct kernel must reject
    corrupted_kinds: tuple


@attrs.frozen
class NatFn:
    """A unary Nat function of the environment: its Python model as the values it takes at
    0..MAX_ARG (computed from the values of the functions it is built from, never by the
    kernel) and a cost estimate (reduction steps to evaluate it at each of those)."""

    name: str
    values: tuple
    cost: tuple

    def term(self):
        return const(self.name)


def _popularity(uses: int) -> int:
    """Sampling weight of a function picked `uses` times: 1000·(1 + uses^1.5), in integers
    so the draw is exact and identical on every platform."""
    return 1000 + math.isqrt(10**6 * uses**3)


class _FnPool:
    """The functions under one (cost, value) cap, in creation order, with a Fenwick tree
    over their popularity weights: appending, re-weighting and a weighted draw are each
    O(log n), so picking stays cheap however many functions exist."""

    def __init__(self, max_cost: int, max_value: int):
        self.max_cost, self.max_value = max_cost, max_value
        self.fns: list[NatFn] = []
        self.pos: dict[str, int] = {}
        self._tree = [0]  # 1-based; node i sums the weights of (i - lowbit(i), i]

    def admits(self, f: NatFn) -> bool:
        return f.cost[-1] <= self.max_cost and f.values[MAX_ARG] <= self.max_value

    def _prefix(self, i: int) -> int:
        total = 0
        while i > 0:
            total += self._tree[i]
            i -= i & -i
        return total

    def append(self, f: NatFn, weight: int) -> None:
        self.pos[f.name] = len(self.fns)
        self.fns.append(f)
        i = len(self.fns)
        self._tree.append(weight + self._prefix(i - 1) - self._prefix(i - (i & -i)))

    def reweight(self, name: str, delta: int) -> None:
        i = self.pos[name] + 1
        while i < len(self._tree):
            self._tree[i] += delta
            i += i & -i

    def draw(self, rng: random.Random) -> NatFn:
        """A function with probability proportional to its weight."""
        r = rng.randrange(self._prefix(len(self.fns)))
        i, step = 0, 1 << (len(self.fns).bit_length() - 1)
        while step:
            j = i + step
            if j < len(self._tree) and self._tree[j] <= r:
                r -= self._tree[j]
                i = j
            step >>= 1
        return self.fns[i]


def _eq(ty, level, a, b):
    return app(const("Eq", level), ty, a, b)


def _refl(ty, level, a):
    return app(const("Eq.refl", level), ty, a)


def _nat_eq(a, b):
    return _eq(NAT, L_ONE, a, b)


def _nat_refl(a):
    return _refl(NAT, L_ONE, a)


def _const_motive(domain, codomain):
    return lam([Local("x", domain)], codomain)


def _nat_rec(motive_codomain, zero, succ_fn, major):
    return app(const("Nat.rec", L_ONE), _const_motive(NAT, motive_codomain), zero, succ_fn, major)


def _nat_list(values):
    e = app(const("List.nil", L_ZERO), NAT)
    for v in reversed(values):
        e = app(const("List.cons", L_ZERO), NAT, lit(v), e)
    return e


def quot_declarations() -> list[QuotDecl]:
    """`Quot`, `Quot.mk`, `Quot.lift`, `Quot.ind` as lean4export writes them (after `Eq`)."""
    u, v = lparam("u"), lparam("v")
    al = Local("α", sort(u), "implicit")
    r = Local("r", pi([Local("a", al), Local("b", al)], PROP))
    ir = r.with_bi("implicit")
    quot = app(const("Quot", u), al, r)
    out = [QuotDecl("Quot", ("u",), pi([al, r], sort(u)), "type")]
    a = Local("a", al)
    out.append(QuotDecl("Quot.mk", ("u",), pi([al, r, a], quot), "ctor"))
    be = Local("β", sort(v), "implicit")
    f = Local("f", arrow(al, be))
    a, b = Local("a", al), Local("b", al)
    resp = Local("a✝", pi([a, b, Local("h", app(r, a, b))], app(const("Eq", v), be, app(f, a), app(f, b))))
    out.append(QuotDecl("Quot.lift", ("u", "v"), pi([al, ir, be, f, resp, Local("q", quot)], be), "lift"))
    q = Local("q", quot)
    motive = Local("β", pi([q], PROP), "implicit")
    a = Local("a", al)
    mk = Local("mk", pi([a], app(motive, app(const("Quot.mk", u), al, r, a))))
    q = Local("q", quot)
    out.append(QuotDecl("Quot.ind", ("u",), pi([al, ir, motive, mk, q], app(motive, q)), "ind"))
    return out


class DemoEnvBuilder:
    """Accumulates declarations in dependency order and counts constants."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.decls: list = []
        self.constants = 0
        self.heights: dict[str, int] = {}
        self.fns: list[NatFn] = []
        self.pools: dict[tuple[int, int], _FnPool] = {}
        self.uses: dict[str, int] = {}
        self.facts: list[tuple[str, tuple, int]] = []  # (theorem, lhs, value): lhs = lit value
        self.counter = 0
        self.list_ind: IndType | None = None
        self.corrupted: list[tuple[str, str]] = []

    # ------------------------------------------------------------------ bookkeeping

    def fresh(self, stem: str) -> str:
        self.counter += 1
        return f"Demo.{stem}{self.counter}"

    def add(self, d) -> None:
        self.decls.append(d)
        self.constants += d.constant_count() if isinstance(d, InductiveBlock) else 1

    def height_of(self, value) -> int:
        return 1 + max((self.heights.get(n, 0) for n in consts_in(value)), default=0)

    def add_def(self, name, type_, value, lps=(), hints=None, all_=()):
        h = self.height_of(value) if hints is None else hints
        if isinstance(h, int):
            self.heights[name] = h
        self.add(Definition(name, tuple(lps), type_, value, h, tuple(all_)))

    def add_fact(self, lhs, value: int, name: str | None = None) -> str:
        name = name or self.fresh("fact")
        self.add(Theorem(name, (), _nat_eq(lhs, lit(value)), _nat_refl(lit(value))))
        self.facts.append((name, lhs, value))
        return name

    def add_fn(self, fn: NatFn) -> None:
        self.fns.append(fn)
        for pool in self.pools.values():
            if pool.admits(fn):
                pool.append(fn, _popularity(0))

    def pick_fn(self, max_cost: int, prefer_recent: bool = False, max_value: int = VALUE_CAP) -> NatFn:
        """A function to build on: the newest (chains) or a popular one (hubs), among those
        cheap enough to evaluate at 0..MAX_ARG (`Nat.succ` always is)."""
        pool = self.pools.get((max_cost, max_value))
        if pool is None:
            pool = self.pools[max_cost, max_value] = _FnPool(max_cost, max_value)
            for fn in self.fns:
                if pool.admits(fn):
                    pool.append(fn, _popularity(self.uses.get(fn.name, 0)))
        f = pool.fns[-1] if prefer_recent else pool.draw(self.rng)
        uses = self.uses.get(f.name, 0)
        self.uses[f.name] = uses + 1
        delta = _popularity(uses + 1) - _popularity(uses)
        for p in self.pools.values():
            if f.name in p.pos:
                p.reweight(f.name, delta)
        return f

    # ------------------------------------------------------------------ prelude

    def prelude(self) -> None:
        self.add(derive_inductive((), 0, [IndType("Nat", TYPE, (Ctor("Nat.zero", NAT), Ctor("Nat.succ", pi([Local("n", NAT)], NAT))))]))
        self.add(derive_inductive((), 0, [IndType("Bool", TYPE, (Ctor("Bool.false", BOOL), Ctor("Bool.true", BOOL)))]))
        n, m = Local("n", NAT), Local("m", NAT)
        k, ih = Local("k", NAT), Local("ih", NAT)
        nn = pi([Local("n", NAT), Local("m", NAT)], NAT)
        self.add_def("Nat.add", nn, lam([n, m], _nat_rec(NAT, n, lam([k, ih], app(const("Nat.succ"), ih)), m)))
        self.add_def("Nat.mul", nn, lam([n, m], _nat_rec(NAT, lit(0), lam([k, ih], app(const("Nat.add"), ih, n)), m)))
        self.add_def("Nat.pred", arrow(NAT, NAT), lam([n], _nat_rec(NAT, lit(0), lam([k, ih], k), n)))
        self.add_def("Nat.sub", nn, lam([n, m], _nat_rec(NAT, n, lam([k, ih], app(const("Nat.pred"), ih)), m)))
        b = Local("b", BOOL)
        self.add_def("Bool.not", arrow(BOOL, BOOL), lam([b], app(const("Bool.rec", L_ONE), _const_motive(BOOL, BOOL), const("Bool.true"), const("Bool.false"), b)))
        self._prelude_logic()
        self._prelude_data()
        args = range(MAX_ARG + 1)
        for name, op, values in (("Demo.double", "Nat.add", [2 * x for x in args]), ("Demo.square", "Nat.mul", [x * x for x in args])):
            x = Local("x", NAT)
            self.add_def(name, arrow(NAT, NAT), lam([x], app(const(op), x, x)))
            self.add_fn(NatFn(name, tuple(values), tuple(3 for _ in args)))
        self.add_fn(NatFn("Nat.succ", tuple(x + 1 for x in args), tuple(1 for _ in args)))

    def _prelude_logic(self) -> None:
        u1 = lparam("u_1")
        al = Local("α", sort(u1), "implicit")
        a, a2 = Local("a", al), Local("a✝", al)
        eq_ind = IndType("Eq", pi([al, a, a2], PROP), (Ctor("Eq.refl", pi([al, a], app(const("Eq", u1), al, a, a))),))
        self.add(derive_inductive(("u_1",), 2, [eq_ind], large_elim=True))
        self.add(derive_inductive((), 0, [IndType("True", PROP, (Ctor("True.intro", const("True")),))], large_elim=True))
        self.add(derive_inductive((), 0, [IndType("False", PROP, ())], large_elim=True))
        pa, pb = Local("a", PROP), Local("b", PROP)
        ipa, ipb = pa.with_bi("implicit"), pb.with_bi("implicit")
        hl, hr = Local("left", pa), Local("right", pb)
        and_ind = IndType("And", pi([pa, pb], PROP), (Ctor("And.intro", pi([ipa, ipb, hl, hr], app(const("And"), pa, pb))),))
        self.add(derive_inductive((), 2, [and_ind], large_elim=True))
        # Eq.symm, Eq.trans, congrArg: all by Eq.rec into Prop
        u, v = lparam("u"), lparam("v")
        al = Local("α", sort(u), "implicit")
        x, y, z = Local("a", al, "implicit"), Local("b", al, "implicit"), Local("c", al, "implicit")

        def eq_u(p, q):
            return app(const("Eq", u), al, p, q)

        def eq_rec(major_from, motive_body: Callable, minor, major_to, h):
            t = Local("x", al)
            ht = Local("h", eq_u(major_from, t))
            return app(const("Eq.rec", L_ZERO, u), al, major_from, lam([t, ht], motive_body(t)), minor, major_to, h)

        h = Local("h", eq_u(x, y))
        self.add(Theorem("Eq.symm", ("u",), pi([al, x, y, h], eq_u(y, x)),
                         lam([al, x, y, h], eq_rec(x, lambda t: eq_u(t, x), app(const("Eq.refl", u), al, x), y, h))))
        h1, h2 = Local("h₁", eq_u(x, y)), Local("h₂", eq_u(y, z))
        self.add(Theorem("Eq.trans", ("u",), pi([al, x, y, z, h1, h2], eq_u(x, z)),
                         lam([al, x, y, z, h1, h2], eq_rec(y, lambda t: eq_u(x, t), h1, z, h2))))
        be = Local("β", sort(v), "implicit")
        f = Local("f", arrow(al, be))
        h = Local("h", eq_u(x, y))

        def eq_v(p, q):
            return app(const("Eq", v), be, p, q)

        self.add(Theorem("congrArg", ("u", "v"), pi([al, be, x, y, f, h], eq_v(app(f, x), app(f, y))),
                         lam([al, be, x, y, f, h], eq_rec(x, lambda t: eq_v(app(f, x), app(f, t)),
                                                          app(const("Eq.refl", v), be, app(f, x)), y, h))))
        self._prelude_quot()

    def _prelude_quot(self) -> None:
        for decl in quot_declarations():
            self.add(decl)

    def _prelude_data(self) -> None:
        u, v = lparam("u"), lparam("v")
        al, be = Local("α", sort(succ(u))), Local("β", sort(succ(v)))
        ial, ibe = al.with_bi("implicit"), be.with_bi("implicit")
        prod = app(const("Prod", u, v), al, be)
        fst, snd = Local("fst", al), Local("snd", be)
        prod_ind = IndType("Prod", pi([al, be], sort(succ(lmax(u, v)))), (Ctor("Prod.mk", pi([ial, ibe, fst, snd], prod)),))
        self.add(derive_inductive(("u", "v"), 2, [prod_ind]))
        p = Local("self", prod)
        self.add_def("Prod.fst", pi([ial, ibe, p], al), lam([ial, ibe, p], proj("Prod", 0, p)), ("u", "v"), "abbrev")
        self.add_def("Prod.snd", pi([ial, ibe, p], be), lam([ial, ibe, p], proj("Prod", 1, p)), ("u", "v"), "abbrev")
        al = Local("α", sort(succ(u)))
        ial = al.with_bi("implicit")
        lst = app(const("List", u), al)
        hd, tl = Local("head", al), Local("tail", lst)
        self.list_ind = IndType("List", pi([al], sort(succ(u))), (
            Ctor("List.nil", pi([ial], lst)), Ctor("List.cons", pi([ial, hd, tl], lst))))
        self.add(derive_inductive(("u",), 1, [self.list_ind]))
        lnat = app(const("List", L_ZERO), NAT)
        l, h, t, ih = Local("l", lnat), Local("h", NAT), Local("t", lnat), Local("ih", NAT)
        self.add_def("List.sum", arrow(lnat, NAT), lam([l], app(
            const("List.rec", L_ONE, L_ZERO), NAT, _const_motive(lnat, NAT), lit(0),
            lam([h, t, ih], app(const("Nat.add"), h, ih)), l)))

    # ------------------------------------------------------------------ families

    def fam_rec_fn(self) -> None:
        """f n = b + Σ_{k<n} g k by Nat.rec, then a fact about it."""
        g = self.pick_fn(max_cost=COST_CAP // (MAX_ARG + 1), max_value=VALUE_CAP // MAX_ARG)
        base = self.rng.randrange(0, 10)
        name = self.fresh("rec")
        n, k, ih = Local("n", NAT), Local("k", NAT), Local("ih", NAT)
        self.add_def(name, arrow(NAT, NAT), lam([n], _nat_rec(NAT, lit(base), lam([k, ih], app(const("Nat.add"), ih, app(g.term(), k))), n)))

        values = tuple(base + sum(g.values[:x]) for x in range(MAX_ARG + 1))
        cost = tuple(2 + x + sum(g.cost[: x]) for x in range(MAX_ARG + 1))
        self._register_fn(name, values, cost)

    def fam_compose_fn(self) -> None:
        """f n = op (g n) (h n) or a let, chained on the newest function half the time."""
        g = self.pick_fn(max_cost=COST_CAP // 2, prefer_recent=self.rng.random() < 0.5)
        h = self.pick_fn(max_cost=COST_CAP // 2)
        name = self.fresh("fn")
        n = Local("n", NAT)
        shape = self.rng.choice(("add", "mul", "sub", "let", "const"))
        c = self.rng.randrange(1, 9)
        gv, hv = g.values[MAX_ARG], h.values[MAX_ARG]
        if shape == "mul" and gv * hv > VALUE_CAP:
            shape = "add"
        if (shape == "add" and gv + hv > VALUE_CAP) or (shape == "let" and 2 * gv + c > VALUE_CAP):
            shape = "sub"
        gs, hs = g.values, h.values
        if shape == "add":
            body, values = app(const("Nat.add"), app(g.term(), n), app(h.term(), n)), [a + b for a, b in zip(gs, hs)]
        elif shape == "mul":
            body, values = app(const("Nat.mul"), app(g.term(), n), app(h.term(), n)), [a * b for a, b in zip(gs, hs)]
        elif shape == "sub":
            body, values = app(const("Nat.sub"), app(g.term(), n), lit(c)), [max(a - c, 0) for a in gs]
        elif shape == "let":
            body = let("y", NAT, app(g.term(), n), lambda y: app(const("Nat.add"), y, app(const("Nat.add"), y, lit(c))))
            values = [2 * a + c for a in gs]
        else:
            body, values = app(const("Nat.add"), app(g.term(), n), lit(c)), [a + c for a in gs]
        self.add_def(name, arrow(NAT, NAT), lam([n], body))
        if shape in ("add", "mul"):
            cost = tuple(2 + g.cost[x] + h.cost[x] for x in range(MAX_ARG + 1))
        else:  # zeta-reduction copies the let value: it is evaluated twice
            cost = tuple(2 + (2 if shape == "let" else 1) * g.cost[x] for x in range(MAX_ARG + 1))
        self._register_fn(name, tuple(values), cost)

    def _register_fn(self, name, values, cost) -> None:
        fn = NatFn(name, values, cost)
        self.add_fn(fn)
        for _ in range(self.rng.randrange(1, 3)):
            x = self.rng.randrange(0, MAX_ARG + 1)
            self.add_fact(app(fn.term(), lit(x)), fn.values[x])

    def fam_derived_fact(self) -> None:
        """Theorems from theorems: congrArg Nat.succ h, or Eq.symm h."""
        if not self.facts:
            return
        thm, lhs, value = self.rng.choice(self.facts)
        name = self.fresh("derived")
        if self.rng.random() < 0.5:
            s = const("Nat.succ")
            self.add(Theorem(name, (), _nat_eq(app(s, lhs), app(s, lit(value))),
                             app(const("congrArg", L_ONE, L_ONE), NAT, NAT, lhs, lit(value), s, const(thm))))
        else:
            self.add(Theorem(name, (), _nat_eq(lit(value), lhs), app(const("Eq.symm", L_ONE), NAT, lhs, lit(value), const(thm))))

    def fam_enum(self) -> None:
        name = self.fresh("Color")
        k = self.rng.randrange(2, 6)
        ty = const(name)
        self.add(derive_inductive((), 0, [IndType(name, TYPE, tuple(Ctor(f"{name}.c{i}", ty) for i in range(k)))]))
        vals = [self.rng.randrange(0, 100) for _ in range(k)]
        c = Local("c", ty)
        fn = f"{name}.toNat"
        self.add_def(fn, arrow(ty, NAT), lam([c], app(const(f"{name}.rec", L_ONE), _const_motive(ty, NAT), *map(lit, vals), c)))
        j = self.rng.randrange(k)
        self.add_fact(app(const(fn), const(f"{name}.c{j}")), vals[j])

    def fam_struct(self) -> None:
        name = self.fresh("Pt")
        ty = const(name)
        x, y, fl = Local("x", NAT), Local("y", NAT), Local("flag", BOOL)
        self.add(derive_inductive((), 0, [IndType(name, TYPE, (Ctor(f"{name}.mk", pi([x, y, fl], ty)),))]))
        s = Local("self", ty)
        for i, (field, fty) in enumerate((("x", NAT), ("y", NAT), ("flag", BOOL))):
            self.add_def(f"{name}.{field}", arrow(ty, fty), lam([s], proj(name, i, s)), hints="abbrev")
        a, b = self.rng.randrange(100), self.rng.randrange(100)
        pt = app(const(f"{name}.mk"), lit(a), lit(b), const("Bool.true"))
        self.add_fact(app(const(f"{name}.y"), pt), b)
        p = Local("p", ty)
        eta = app(const(f"{name}.mk"), *(app(const(f"{name}.{f}"), p) for f in ("x", "y", "flag")))
        self.add(Theorem(f"{name}.eta", (), pi([p], _eq(ty, L_ONE, p, eta)), lam([p], _refl(ty, L_ONE, p))))

    def fam_mutual_ind(self) -> None:
        a_name, b_name = self.fresh("TreeA"), self.fresh("TreeB")
        A, B = const(a_name), const(b_name)
        blk = derive_inductive((), 0, [
            IndType(a_name, TYPE, (Ctor(f"{a_name}.leaf", arrow(NAT, A)), Ctor(f"{a_name}.node", arrow(B, A)))),
            IndType(b_name, TYPE, (Ctor(f"{b_name}.one", arrow(A, B)), Ctor(f"{b_name}.two", pi([Local("l", A), Local("r", A)], B)))),
        ])
        self.add(blk)
        x = Local("x", A)
        nv, bv, av, a1, a2 = Local("n", NAT), Local("b", B), Local("a", A), Local("l", A), Local("r", A)
        i1, i2 = Local("ih", NAT), Local("ih₂", NAT)
        weight = f"{a_name}.weight"
        self.add_def(weight, arrow(A, NAT), lam([x], app(
            const(f"{a_name}.rec", L_ONE), _const_motive(A, NAT), _const_motive(B, NAT),
            lam([nv], nv), lam([bv, i1], app(const("Nat.succ"), i1)), lam([av, i1], i1),
            lam([a1, a2, i1, i2], app(const("Nat.add"), i1, i2)), x)))
        term, value = self._random_ab(a_name, b_name, depth=3)
        self.add_fact(app(const(weight), term), value)

    def _random_ab(self, a_name, b_name, depth):
        if depth == 0 or self.rng.random() < 0.3:
            n = self.rng.randrange(10)
            return app(const(f"{a_name}.leaf"), lit(n)), n
        if self.rng.random() < 0.5:
            t, v = self._random_ab(a_name, b_name, depth - 1)
            return app(const(f"{a_name}.node"), app(const(f"{b_name}.one"), t)), v + 1
        (t1, v1), (t2, v2) = self._random_ab(a_name, b_name, depth - 1), self._random_ab(a_name, b_name, depth - 1)
        return app(const(f"{a_name}.node"), app(const(f"{b_name}.two"), t1, t2)), v1 + v2 + 1

    def fam_nested_ind(self) -> None:
        name = self.fresh("Rose")
        T = const(name)
        lt = app(const("List", L_ZERO), T)
        val, kids = Local("val", NAT), Local("children", lt)
        list_ext = ExternalInd(("u",), 1, self.list_ind)
        self.add(derive_inductive((), 0, [IndType(name, TYPE, (Ctor(f"{name}.node", pi([val, kids], T)),))],
                                  nested=[NestedOcc(list_ext, (L_ZERO,), lambda _params: [T])]))
        t = Local("t", T)
        v, cs, hd, tl = Local("v", NAT), Local("cs", lt), Local("h", T), Local("t", lt)
        i1, i2 = Local("ih", NAT), Local("ih₂", NAT)
        total = f"{name}.total"
        self.add_def(total, arrow(T, NAT), lam([t], app(
            const(f"{name}.rec", L_ONE), _const_motive(T, NAT), _const_motive(lt, NAT),
            lam([v, cs, i1], app(const("Nat.add"), v, i1)), lit(0),
            lam([hd, tl, i1, i2], app(const("Nat.add"), i1, i2)), t)))
        term, value = self._random_rose(name, depth=3)
        self.add_fact(app(const(total), term), value)

    def _random_rose(self, name, depth):
        v = self.rng.randrange(10)
        kids = [] if depth == 0 else [self._random_rose(name, depth - 1) for _ in range(self.rng.randrange(0, 3))]
        T = const(name)
        lst = app(const("List.nil", L_ZERO), T)
        for term, _ in reversed(kids):
            lst = app(const("List.cons", L_ZERO), T, term, lst)
        return app(const(f"{name}.node"), lit(v), lst), v + sum(x for _, x in kids)

    def fam_vec(self) -> None:
        name = self.fresh("Vec")
        u = lparam("u")
        al = Local("α", sort(succ(u)))
        ial = al.with_bi("implicit")

        def vec(n_):
            return app(const(name, u), al, n_)

        n = Local("n", NAT, "implicit")
        a, tl = Local("a", al), Local("v", vec(n))
        ind = IndType(name, pi([al], arrow(NAT, sort(succ(u)))), (
            Ctor(f"{name}.nil", pi([ial], vec(const("Nat.zero")))),
            Ctor(f"{name}.cons", pi([ial, n, a, tl], vec(app(const("Nat.succ"), n))))))
        self.add(derive_inductive(("u",), 1, [ind]))

        def vnat(n_):
            return app(const(name, L_ZERO), NAT, n_)

        n0 = Local("n", NAT, "implicit")
        v0 = Local("v", vnat(n0))
        m, x, ih = Local("m", NAT), Local("x", NAT), Local("ih", NAT)
        w = Local("w", vnat(m))
        i = Local("i", NAT)
        motive = lam([i, Local("t", vnat(i))], NAT)
        total = f"{name}.total"
        self.add_def(total, pi([n0, v0], NAT), lam([n0, v0], app(
            const(f"{name}.rec", L_ONE, L_ZERO), NAT, motive, lit(0),
            lam([m, x, w, ih], app(const("Nat.add"), x, ih)), n0, v0)))
        vals = [self.rng.randrange(50) for _ in range(self.rng.randrange(1, 5))]
        term = app(const(f"{name}.nil", L_ZERO), NAT)
        for idx, value in enumerate(reversed(vals)):
            term = app(const(f"{name}.cons", L_ZERO), NAT, lit(idx), lit(value), term)
        self.add_fact(app(const(total), lit(len(vals)), term), sum(vals))

    def fam_le(self) -> None:
        name = self.fresh("Le")
        n = Local("n", NAT)
        n_i, m_i = Local("n", NAT, "implicit"), Local("m", NAT, "implicit")
        h = Local("h", app(const(name), n_i, m_i))
        ind = IndType(name, pi([n], arrow(NAT, PROP)), (
            Ctor(f"{name}.refl", pi([n_i], app(const(name), n_i, n_i))),
            Ctor(f"{name}.step", pi([n_i, m_i, h], app(const(name), n_i, app(const("Nat.succ"), m_i))))))
        self.add(derive_inductive((), 1, [ind], large_elim=False))
        lo = self.rng.randrange(20)
        gap = self.rng.randrange(0, 5)
        proof = app(const(f"{name}.refl"), lit(lo))
        for j in range(gap):
            proof = app(const(f"{name}.step"), lit(lo), lit(lo + j), proof)
        self.add(Theorem(self.fresh("le"), (), app(const(name), lit(lo), lit(lo + gap)), proof))

    def fam_mutual_defs(self) -> None:
        ev, od = self.fresh("isEven"), self.fresh("isOdd")
        n, k, ih = Local("n", NAT), Local("k", NAT), Local("ih", BOOL)
        group = (ev, od)
        self.add_def(ev, arrow(NAT, BOOL), lam([n], _nat_rec(BOOL, const("Bool.true"), lam([k, ih], app(const("Bool.not"), ih)), n)), all_=group)
        self.add_def(od, arrow(NAT, BOOL), lam([n], app(const("Bool.not"), app(const(ev), n))), all_=group)
        x = self.rng.randrange(12)
        res = const("Bool.true" if x % 2 else "Bool.false")
        self.add(Theorem(self.fresh("parity"), (), _eq(BOOL, L_ONE, app(const(od), lit(x)), res), _refl(BOOL, L_ONE, res)))

    def fam_quot(self) -> None:
        g = self.pick_fn(max_cost=COST_CAP // 2)
        name = self.fresh("qlift")
        a, b = Local("a", NAT), Local("b", NAT)
        rel = lam([a, b], _nat_eq(a, b))
        q = app(const("Quot", L_ONE), NAT, rel)
        a, b = Local("a", NAT), Local("b", NAT)
        hab = Local("h", _nat_eq(a, b))
        resp = lam([a, b, hab], app(const("congrArg", L_ONE, L_ONE), NAT, NAT, a, b, g.term(), hab))
        self.add_def(name, arrow(q, NAT), app(const("Quot.lift", L_ONE, L_ONE), NAT, rel, NAT, g.term(), resp))
        x = self.rng.randrange(MAX_ARG + 1)
        self.add_fact(app(const(name), app(const("Quot.mk", L_ONE), NAT, rel, lit(x))), g.values[x])

    def fam_opaque(self) -> None:
        """Axioms and opaques behind definitions: facts that hold without unfolding them."""
        if self.rng.random() < 0.5:
            atom = self.fresh("ax")
            self.add(Axiom(atom, (), NAT))
        else:
            atom = self.fresh("opq")
            self.add(Opaque(atom, (), NAT, lit(self.rng.randrange(100))))
        g = self.pick_fn(max_cost=COST_CAP // 2)
        x = self.rng.randrange(MAX_ARG + 1)
        user = self.fresh("uses")
        self.add_def(user, NAT, app(const("Nat.add"), const(atom), app(g.term(), lit(x))))
        rhs = app(const("Nat.add"), const(atom), lit(g.values[x]))
        self.add(Theorem(self.fresh("unfold"), (), _nat_eq(const(user), rhs), _nat_refl(rhs)))

    def fam_poly(self) -> None:
        name = self.fresh("id")
        u = lparam("u")
        al = Local("α", sort(u), "implicit")
        a = Local("a", al)
        self.add_def(name, pi([al, a], al), lam([al, a], a), ("u",), "abbrev")
        g = self.pick_fn(max_cost=COST_CAP // 2)
        x = self.rng.randrange(MAX_ARG + 1)
        self.add_fact(app(const(name, L_ONE), NAT, app(g.term(), lit(x))), g.values[x])

    def fam_list(self) -> None:
        vals = [self.rng.randrange(100) for _ in range(self.rng.randrange(0, 6))]
        self.add_fact(app(const("List.sum"), _nat_list(vals)), sum(vals))

    FAMILIES = (
        ("fam_rec_fn", 14), ("fam_compose_fn", 22), ("fam_derived_fact", 8), ("fam_enum", 5), ("fam_struct", 4),
        ("fam_mutual_ind", 3), ("fam_nested_ind", 2), ("fam_vec", 2), ("fam_le", 4), ("fam_mutual_defs", 4),
        ("fam_quot", 3), ("fam_opaque", 4), ("fam_poly", 3), ("fam_list", 3),
    )

    def grow(self, target: int) -> None:
        names, weights = zip(*self.FAMILIES)
        while self.constants < target:
            getattr(self, self.rng.choices(names, weights)[0])()

    # ------------------------------------------------------------------ corruptions

    def corrupt(self, count: int, kinds: Sequence[str] = CORRUPTIONS) -> None:
        """Append `count` rejectable declarations, cycling through `kinds`."""
        for i in range(count):
            kind = kinds[i % len(kinds)]
            name = f"Bad.{kind}{i}"
            getattr(self, f"_bad_{kind}")(name)
            self.corrupted.append((name, kind))

    def _bad_wrong_value(self, name):
        fn = self.pick_fn(max_cost=COST_CAP // 2)
        x = self.rng.randrange(MAX_ARG + 1)
        wrong = fn.values[x] + 1 + self.rng.randrange(3)
        self.add(Theorem(name, (), _nat_eq(app(fn.term(), lit(x)), lit(wrong)), _nat_refl(lit(wrong))))

    def _bad_wrong_proof(self, name):
        if not self.facts:
            self.add_fact(app(const("Nat.succ"), lit(1)), 2)
        thm, lhs, value = self.rng.choice(self.facts)
        self.add(Theorem(name, (), _nat_eq(app(const("Nat.succ"), lhs), lit(value)), const(thm)))

    def _bad_type_mismatch(self, name):
        self.add(Definition(name, (), NAT, const("Bool.true"), 1))

    def _bad_bad_universe(self, name):
        # `Nat : Sort 1`, declared `: Sort u` for every u
        self.add(Definition(name, ("u",), sort(lparam("u")), NAT, 1))

    def _bad_non_prop_theorem(self, name):
        self.add(Theorem(name, (), NAT, lit(3)))

    def _enum(self, name, k=3) -> InductiveBlock:
        return derive_inductive((), 0, [IndType(name, TYPE, tuple(Ctor(f"{name}.c{i}", const(name)) for i in range(k)))])

    def _bad_lying_rule(self, name):
        blk = self._enum(name)
        rec = blk.recs[0]
        rules = list(rec.rules)
        rules[0] = RecRule(rules[0].ctor, rules[0].nfields, rules[1].rhs)  # c0 computes like c1
        self.add(blk.with_recs([attrs.evolve(rec, rules=tuple(rules))]))

    def _bad_non_positive(self, name):
        ty = const(name)
        self.add(derive_inductive((), 0, [IndType(name, TYPE, (Ctor(f"{name}.mk", arrow(arrow(ty, NAT), ty)),))]))

    def _bad_bad_ctor_result(self, name):
        blk = self._enum(name, 2)
        t = blk.types[0]
        ctors = (t.ctors[0], Ctor(t.ctors[1].name, NAT))  # c1 claims to build a Nat
        self.add(attrs.evolve(blk, types=(attrs.evolve(t, ctors=ctors),)))


def write_demo_env(path, constants: int, seed: int, corrupt: int = 0,
                   corrupt_kinds: Sequence[str] = CORRUPTIONS) -> DemoEnvReport:
    """Generate the environment and write it; returns what was written. The corruptions
    cycle through `corrupt_kinds` (a subset of CORRUPTIONS; all of them by default)."""
    unknown = set(corrupt_kinds) - set(CORRUPTIONS)
    if unknown or not corrupt_kinds:
        raise ValueError(f"corrupt_kinds must be a non-empty subset of {CORRUPTIONS}, got {tuple(corrupt_kinds)}")
    b = DemoEnvBuilder(seed)
    b.prelude()
    b.grow(constants)
    b.corrupt(corrupt, corrupt_kinds)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as out:
        w = NdjsonWriter(out)
        for d in b.decls:
            w.declare(d)
    tmp.replace(path)
    return DemoEnvReport(
        path=path, seed=seed, constants=b.constants, declarations=len(b.decls),
        corrupted=tuple(n for n, _ in b.corrupted), corrupted_kinds=tuple(k for _, k in b.corrupted),
    )


def write_binder_chain(path, depth: int) -> Path:
    """Write a stress env for binder telescopes, one binder per export line:
    `def chain : (A : Type) → (y₁ … y_depth : A) → A := fun A x₁ … x_depth => x₁`.
    Each binder's domain is `A` at a different de Bruijn index, and the names differ so
    that the value's type is compared with the declared one binder by binder. (Written
    directly: the generic writer hashes nested tuples, quadratic in the nesting depth.)"""
    import orjson

    path = Path(path)
    lines = [
        META,
        {"in": 1, "str": {"pre": 0, "str": "A"}},
        {"in": 2, "str": {"pre": 0, "str": "x"}},
        {"in": 3, "str": {"pre": 0, "str": "y"}},
        {"in": 4, "str": {"pre": 0, "str": "chain"}},
        {"il": 1, "succ": 0},
        {"ie": 0, "sort": 1},
    ]
    for i in range(depth + 1):  # bvar i has id i + 1
        lines.append({"ie": i + 1, "bvar": i})
    ty, body, nxt = depth + 1, depth, depth + 2  # A and x₁ seen from under all the binders
    for k in range(depth - 1, -1, -1):  # the binder with k binders (after A) outside it
        lines.append({"ie": nxt, "forallE": {"name": 3, "type": k + 1, "body": ty, "binderInfo": "default"}})
        lines.append({"ie": nxt + 1, "lam": {"name": 2, "type": k + 1, "body": body, "binderInfo": "default"}})
        ty, body, nxt = nxt, nxt + 1, nxt + 2
    lines.append({"ie": nxt, "forallE": {"name": 1, "type": 0, "body": ty, "binderInfo": "default"}})
    lines.append({"ie": nxt + 1, "lam": {"name": 1, "type": 0, "body": body, "binderInfo": "default"}})
    lines.append({"def": {"name": 4, "levelParams": [], "type": nxt, "value": nxt + 1, "hints": {"regular": 1},
                          "safety": "safe", "all": [4]}})
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as out:
        out.writelines(orjson.dumps(obj) + b"\n" for obj in lines)
    return path

