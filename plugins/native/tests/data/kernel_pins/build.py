"""Small lean4export files that pin one kernel rule each (run: `python build.py` to rewrite them).

Each file is written by the project's own term builder (`ix_native.demo_terms`) and
listed in MANIFEST.tsv with the verdict the official Lean kernel gives and the rule it
pins. A reject file is one a kernel with that rule weakened would accept (a mutant that
survived the 158-file corpus); its accept twin shows the same declarations are well
formed, so the reject is for the reason named. `test_kernel_pins.py` checks that the
stored files are exactly what this script writes and that the kernel's verdicts match.
"""
from __future__ import annotations

import io
import sys
from pathlib import Path

from ix_native.demo_env import quot_declarations
from ix_native.demo_terms import (
    PROP,
    TYPE,
    Axiom,
    Ctor,
    Definition,
    IndType,
    Local,
    NdjsonWriter,
    QuotDecl,
    Theorem,
    app,
    const,
    derive_inductive,
    lam,
    lit,
    lparam,
    pi,
    proj,
    sort,
)

HERE = Path(__file__).resolve().parent


def _eq_block():
    """Lean's `Eq` (universe u_1, two params, one index) as lean4export writes it."""
    u1 = lparam("u_1")
    al = Local("α", sort(u1), "implicit")
    a, a2 = Local("a", al), Local("a✝", al)
    refl = Ctor("Eq.refl", pi([al, a], app(const("Eq", u1), al, a, a)))
    return derive_inductive(("u_1",), 2, [IndType("Eq", pi([al, a, a2], PROP), (refl,))], large_elim=True)


def _bad_eq_block(*, universes=("u_1",), extra_ctor=False, sort_=PROP, refl_takes_b=False):
    """`Eq` with one of the properties quotient initialisation checks broken (Lean's
    `check_eq_type`: one universe, one constructor, the type `{α : Sort u} → α → α → Prop`,
    the constructor type `{α} (a : α) → Eq a a`); each one is a well-formed inductive."""
    u1 = lparam(universes[0])
    lvls = tuple(lparam(n) for n in universes)
    al = Local("α", sort(u1), "implicit")
    a, b, a2 = Local("a", al), Local("b", al), Local("a✝", al)
    eq = const("Eq", *lvls)
    refl = Ctor("Eq.refl", pi([al, a, b], app(eq, al, a, b)) if refl_takes_b else pi([al, a], app(eq, al, a, a)))
    ctors = (refl, Ctor("Eq.refl'", pi([al, a], app(eq, al, a, a)))) if extra_ctor else (refl,)
    return derive_inductive(universes, 2, [IndType("Eq", pi([al, a, a2], sort_), ctors)], large_elim=sort_ is PROP and not extra_ctor)


def _pair_block():
    """`structure Pair (α : Type) where fst : α; snd : α` (two fields of the same type)."""
    al = Local("α", TYPE)
    ial = al.with_bi("implicit")
    fst, snd = Local("fst", al), Local("snd", al)
    pair = IndType("Pair", pi([al], TYPE), (Ctor("Pair.mk", pi([ial, fst, snd], app(const("Pair"), al))),))
    return derive_inductive((), 1, [pair])


ONE = ("succ", ("zero",))


def _eq(ty, a, b, level=ONE):
    return app(const("Eq", level), ty, a, b)


def _rfl(ty, a, level=ONE):
    return app(const("Eq.refl", level), ty, a)


def _thm(name: str, binders, lhs, rhs, ty, witness=None):
    """`theorem name : ∀ binders, lhs = rhs := fun binders => Eq.refl witness` (default lhs)."""
    return Theorem(name, (), pi(binders, _eq(ty, lhs, rhs)), lam(binders, _rfl(ty, lhs if witness is None else witness)))


def _proj_eq_theorem(name: str, lhs_idx: int, rhs_idx: int):
    """`∀ (α : Type) (p : Pair α), p.lhs = p.rhs := fun α p => Eq.refl p.lhs`."""
    al = Local("α", TYPE)
    p = Local("p", app(const("Pair"), al))
    return _thm(name, [al, p], proj("Pair", lhs_idx, p), proj("Pair", rhs_idx, p), al)


def _struct_eta_theorem(name: str, first: int, second: int, mk_left: bool = False):
    """`∀ (α : Type) (p : Pair α), p = Pair.mk p.first p.second` (or `Pair.mk … = p`)."""
    al = Local("α", TYPE)
    p = Local("p", app(const("Pair"), al))
    mk = app(const("Pair.mk"), al, proj("Pair", first, p), proj("Pair", second, p))
    if mk_left:
        return _thm(name, [al, p], mk, p, app(const("Pair"), al))
    return _thm(name, [al, p], p, mk, app(const("Pair"), al))


def _any_two(name: str, ty_of):
    """`∀ (α : Type) (x y : ty_of α), x = y`: false unless the type is unit-like."""
    al = Local("α", TYPE)
    x, y = Local("x", ty_of(al)), Local("y", ty_of(al))
    return _thm(name, [al, x, y], x, y, ty_of(al))


def _axiom_type():
    """`axiom T : Type` (a type that is no inductive: nothing reduces on it)."""
    return Axiom("T", (), TYPE)


def _same_head_args(name: str, keep_first: bool):
    """`def f (b x : T) : T := b` (or `:= x`), `∀ (b a a' : T), f b a = f b a'`: the same-head
    shortcut compares the arguments, fails on a ≠ a', and only unfolding f decides."""
    T = const("T")
    b, x = Local("b", T), Local("x", T)
    f = Definition(f"{name}.f", (), pi([b, x], T), lam([b, x], b if keep_first else x), 1)
    b, a, a2 = Local("b", T), Local("a", T), Local("a'", T)
    fa, fa2 = app(const(f"{name}.f"), b, a), app(const(f"{name}.f"), b, a2)
    return [f, _thm(name, [b, a, a2], fa, fa2, T)]


def _fvar_apps(name: str, same_head: bool):
    """`∀ (f g : T → T) (a b : T), f a = f b` (or `f a = g a`): applications of variables,
    equal only when head and every argument are."""
    T = const("T")
    f, g = Local("f", pi([Local("x", T)], T)), Local("g", pi([Local("x", T)], T))
    a, b = Local("a", T), Local("b", T)
    rhs = app(f, b) if same_head else app(g, a)
    return _thm(name, [f, g, a, b], app(f, a), rhs, T)


def _two_defs_same_height():
    """`axiom c : T`, `def F (x : T) : T := x`, `def G (x : T) : T := c` (both height 1),
    `∀ a : T, F a = G a`: false (a is not c); equal arguments do not make different heads equal."""
    T = const("T")
    x = Local("x", T)
    a = Local("a", T)
    return [Axiom("c", (), T), Definition("F", (), pi([x], T), lam([x], x), 1),
            Definition("G", (), pi([x], T), lam([x], const("c")), 1),
            _thm("F_eq_G", [a], app(const("F"), a), app(const("G"), a), T)]


def _binder_domains():
    """`axiom A B : Type`, `(A → A) = (B → A)` as types: Π-types with different domains."""
    A, B = const("A"), const("B")
    x = Local("x", A)
    y = Local("y", B)
    one = ("succ", ONE)  # (A → A) : Type, so Eq lives in Type 1 (level 2)
    return [Axiom("A", (), TYPE), Axiom("B", (), TYPE),
            Theorem("arrow_domains", (), _eq(TYPE, pi([x], A), pi([y], A), one), _rfl(TYPE, pi([x], A), one))]


def _bool_block():
    return derive_inductive((), 0, [IndType("Bool", TYPE, (Ctor("Bool.false", const("Bool")),
                                                           Ctor("Bool.true", const("Bool"))))])


def _tree_block():
    """`inductive Tree | leaf | node (t : Tree)`: constructors, but not a structure."""
    t = Local("t", const("Tree"))
    return derive_inductive((), 0, [IndType("Tree", TYPE, (Ctor("Tree.leaf", const("Tree")),
                                                           Ctor("Tree.node", pi([t], const("Tree")))))])


def _tree_eta_theorem():
    m, n = Local("m", const("Tree")), Local("n", const("Tree"))
    return _thm("Tree.eta", [m, n], m, app(const("Tree.node"), n), const("Tree"))


def _opt_block():
    """`inductive Opt (α : Type) | none | some (a : α)`: `Opt.none α` is a constructor
    application without fields, of a type that is not a structure."""
    al = Local("α", TYPE)
    ial = al.with_bi("implicit")
    a = Local("a", al)
    opt = app(const("Opt"), al)
    return derive_inductive((), 1, [IndType("Opt", pi([al], TYPE), (Ctor("Opt.none", pi([ial], opt)),
                                                                     Ctor("Opt.some", pi([ial, a], opt))))])


def _opt_none_theorem():
    """`∀ (α : Type) (m : Opt α), m = Opt.none`."""
    al = Local("α", TYPE)
    m = Local("m", app(const("Opt"), al))
    return _thm("Opt.eta_none", [al, m], m, app(const("Opt.none"), al), app(const("Opt"), al))


def _unit_blocks():
    """`inductive U | u` (unit-like) and `inductive J : U → Type | mk : J U.u` (one
    constructor without fields, but an index: not unit-like)."""
    unit = derive_inductive((), 0, [IndType("U", TYPE, (Ctor("U.u", const("U")),))])
    i = Local("i", const("U"))
    indexed = derive_inductive((), 0, [IndType("J", pi([i], TYPE), (Ctor("J.mk", app(const("J"), const("U.u"))),))])
    return [unit, indexed]


def _unit_theorem(name: str, ty):
    x, y = Local("x", ty), Local("y", ty)
    return _thm(name, [x, y], x, y, ty)


def _nat_block():
    """Lean's `Nat` (zero, succ): the kernel then reads literals as `Nat.succ` chains."""
    nat = const("Nat")
    n = Local("n", nat)
    return derive_inductive((), 0, [IndType("Nat", TYPE, (Ctor("Nat.zero", nat), Ctor("Nat.succ", pi([n], nat))))])


def _nat_zero_succ_theorem():
    """`∀ n : Nat, Nat.zero = Nat.succ n` (false: different constructors)."""
    n = Local("n", const("Nat"))
    return _thm("Nat.zero_eq_succ", [n], const("Nat.zero"), app(const("Nat.succ"), n), const("Nat"))


def _nat_lit_succ_theorem():
    """`2 = Nat.succ (Nat.succ Nat.zero)`: a literal against constructors, by offsets."""
    two = app(const("Nat.succ"), app(const("Nat.succ"), const("Nat.zero")))
    return _thm("Nat.two_eq", [], lit(2), two, const("Nat"))


def _levels_theorem(name: str):
    """`∀ (α : Sort (max u v)) (a : α), @Eq.{max u v} α a a := @Eq.refl.{max v u} α a`."""
    u, v = lparam("u"), lparam("v")
    uv, vu = ("max", u, v), ("max", v, u)
    al = Local("α", sort(uv))
    a = Local("a", al)
    return Theorem(name, ("u", "v"), pi([al, a], _eq(al, a, a, uv)), lam([al, a], _rfl(al, a, vu)))


def _eq_axiom():
    """`axiom Eq.{u_1} : {α : Sort u_1} → α → α → Prop`: the right type, but no inductive."""
    al = Local("α", sort(lparam("u_1")), "implicit")
    return Axiom("Eq", ("u_1",), pi([al, Local("a", al), Local("a✝", al)], PROP))


# nanoda (../shared/anchors/nanoda) is no oracle for these: it rejects the recursor of an
# inductive whose constructors have no fields (U, Bool: its recursor check fails), while Lean accepts
# `example (x y : Unit) : x = y := rfl` and unfolds `t = true` (see those rows in MANIFEST.tsv).
NANODA_BLIND = {"unit_like.ndjson", "unit_like_indexed.ndjson", "bool_true_reflection.ndjson"}

# name -> (expected verdict, rule pinned, declarations)
PINS = {
    "proj_same_field.ndjson": (
        "accept", "def_eq: two projections of one struct at the same field index are equal",
        lambda: [_eq_block(), _pair_block(), _proj_eq_theorem("Pair.fst_eq_fst", 0, 0)]),
    "proj_field_index.ndjson": (
        "reject", "def_eq: projections are equal only at the same field index (p.1 = p.2 by rfl is false)",
        lambda: [_eq_block(), _pair_block(), _proj_eq_theorem("Pair.fst_eq_snd", 0, 1)]),
    "struct_eta.ndjson": (
        "accept", "def_eq: struct eta, p = Pair.mk p.1 p.2",
        lambda: [_eq_block(), _pair_block(), _struct_eta_theorem("Pair.eta", 0, 1)]),
    "struct_eta_left.ndjson": (
        "accept", "def_eq: struct eta with the constructor on the left, Pair.mk p.1 p.2 = p",
        lambda: [_eq_block(), _pair_block(), _struct_eta_theorem("Pair.eta_left", 0, 1, mk_left=True)]),
    "struct_eta_fields_swapped.ndjson": (
        "reject", "def_eq: struct eta compares every field (p = Pair.mk p.2 p.1 is false)",
        lambda: [_eq_block(), _pair_block(), _struct_eta_theorem("Pair.eta_swapped", 1, 0)]),
    "ctor_eta_not_structure.ndjson": (
        "reject", "def_eq: struct eta only for structures (m = Tree.node n is false)",
        lambda: [_eq_block(), _tree_block(),
                 _tree_eta_theorem()]),
    "ctor_eta_fieldless.ndjson": (
        "reject", "def_eq: struct eta only for structures, also for a constructor without fields (m = Opt.none)",
        lambda: [_eq_block(), _opt_block(), _opt_none_theorem()]),
    "same_head_unfolds.ndjson": (
        "accept", "def_eq lazy delta: a failed same-head argument comparison falls back to unfolding",
        lambda: [_eq_block(), _axiom_type(), *_same_head_args("K", True)]),
    "same_head_args_differ.ndjson": (
        "reject", "def_eq lazy delta: the same-head shortcut needs every argument equal (id a = id a' is false)",
        lambda: [_eq_block(), _axiom_type(), *_same_head_args("I", False)]),
    "app_args_differ.ndjson": (
        "reject", "def_eq: applications are equal only if every argument is (f a = f b is false)",
        lambda: [_eq_block(), _axiom_type(), _fvar_apps("app_args", True)]),
    "app_heads_differ.ndjson": (
        "reject", "def_eq: applications are equal only if the heads are (f a = g a is false)",
        lambda: [_eq_block(), _axiom_type(), _fvar_apps("app_heads", False)]),
    "delta_heads_differ.ndjson": (
        "reject", "def_eq lazy delta: the argument shortcut is for one definition only (F a = G a, same height)",
        lambda: [_eq_block(), _axiom_type(), *_two_defs_same_height()]),
    "binder_domain_differ.ndjson": (
        "reject", "def_eq: binders are equal only if their domains are ((A → A) = (B → A) is false)",
        lambda: [_eq_block(), *_binder_domains()]),
    "nat_lit_differ.ndjson": (
        "reject", "def_eq: two Nat literals are equal only if their values are (2 = 3 is false)",
        lambda: [_eq_block(), _nat_block(), _thm("two_eq_three", [], lit(2), lit(3), const("Nat"))]),
    "bool_true_reflection.ndjson": (
        "accept", "def_eq: a closed term whose whnf is Bool.true equals Bool.true (t = true)",
        lambda: [_eq_block(), _bool_block(), Definition("t", (), const("Bool"), const("Bool.true"), 1),
                 _thm("t_eq_true", [], const("t"), const("Bool.true"), const("Bool"))]),
    "unit_like.ndjson": (
        "accept", "def_eq: any two values of a unit-like type are equal",
        lambda: [_eq_block(), *_unit_blocks(), _unit_theorem("U.eq", const("U"))]),
    "unit_like_indexed.ndjson": (
        "reject", "def_eq: a type with an index is not unit-like even with one field-less constructor",
        lambda: [_eq_block(), *_unit_blocks(), _unit_theorem("J.eq", app(const("J"), const("U.u")))]),
    "nat_zero_succ.ndjson": (
        "reject", "def_eq Nat offsets: zero is never a successor (Nat.zero = Nat.succ n is false)",
        lambda: [_eq_block(), _nat_block(), _nat_zero_succ_theorem()]),
    "nat_lit_succ.ndjson": (
        "accept", "def_eq Nat offsets: a literal equals its successor chain (2 = succ (succ zero))",
        lambda: [_eq_block(), _nat_block(), _nat_lit_succ_theorem()]),
    "structure_not_unit_like.ndjson": (
        "reject", "def_eq: a structure with fields is not unit-like (any p q : Pair α equal is false)",
        lambda: [_eq_block(), _pair_block(), _any_two("Pair.all_eq", lambda al: app(const("Pair"), al))]),
    "variable_type_not_unit_like.ndjson": (
        "reject", "def_eq: values of a type variable are not all equal (x = y for x y : α is false)",
        lambda: [_eq_block(), _any_two("all_eq", lambda al: al)]),
    "levels_commuted.ndjson": (
        "accept", "def_eq: constants are equal when their universe levels are equivalent (max u v ~ max v u)",
        lambda: [_eq_block(), _levels_theorem("Eq.levels_commute")]),
    "quot_init.ndjson": (
        "accept", "quotient initialisation: Quot, Quot.mk, Quot.lift, Quot.ind after Lean's Eq",
        lambda: [_eq_block(), *quot_declarations()]),
    "quot_eq_axiom.ndjson": (
        "reject", "quotient initialisation: Eq must be an inductive type (an axiom of the right type is not)",
        lambda: [_eq_axiom(), *quot_declarations()]),
    "quot_eq_two_universes.ndjson": (
        "reject", "quotient initialisation: Eq must have exactly one universe parameter",
        lambda: [_bad_eq_block(universes=("u_1", "u_2")), *quot_declarations()]),
    "quot_eq_two_ctors.ndjson": (
        "reject", "quotient initialisation: Eq must have exactly one constructor",
        lambda: [_bad_eq_block(extra_ctor=True), *quot_declarations()]),
    "quot_eq_in_type.ndjson": (
        "reject", "quotient initialisation: Eq must be {α : Sort u} → α → α → Prop (here it lands in Type)",
        lambda: [_bad_eq_block(sort_=TYPE), *quot_declarations()]),
    "quot_eq_refl_any.ndjson": (
        "reject", "quotient initialisation: Eq.refl must be {α} (a : α) → Eq a a (here (a b : α) → Eq a b)",
        lambda: [_bad_eq_block(refl_takes_b=True), *quot_declarations()]),
}


def render(name: str, *, without_quot: bool = False) -> bytes:
    """The exact bytes of one pin file (`without_quot`: its declarations before the
    quotient ones, the twin that shows a quotient pin's `Eq` is itself well formed)."""
    buf = io.BytesIO()
    w = NdjsonWriter(buf)
    for d in PINS[name][2]():
        if not (without_quot and isinstance(d, QuotDecl)):
            w.declare(d)
    return buf.getvalue()


def manifest() -> str:
    rows = ["file\texpected\tnanoda\trule"] + [
        f"{n}\t{v}\t{'-' if n in NANODA_BLIND else v}\t{r}" for n, (v, r, _) in PINS.items()]
    return "\n".join(rows) + "\n"


def main() -> int:
    for name in PINS:
        (HERE / name).write_bytes(render(name))
    (HERE / "MANIFEST.tsv").write_text(manifest())
    return 0


if __name__ == "__main__":
    sys.exit(main())
