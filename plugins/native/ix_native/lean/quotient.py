"""Quotient initialisation (`quot.cpp`): `Eq` must have the expected shape, then the kernel
builds `Quot`, `Quot.mk`, `Quot.lift`, `Quot.ind` with fixed types. Like the official checker
the exported types of these four are not trusted: the kernel's own are installed."""
from __future__ import annotations

from .environment import INDUCT, QUOT, ConstantInfo
from .expr import eq_mod_binders, mk_app, mk_apps, mk_bvar, mk_const, mk_pi, mk_sort
from .level import L_ZERO, mk_param
from .name import Name

N = Name.from_str
EQ, EQ_REFL = N("Eq"), N("Eq.refl")
QUOT_NAMES = {"type": N("Quot"), "ctor": N("Quot.mk"), "lift": N("Quot.lift"), "ind": N("Quot.ind")}
U, V = N("u"), N("v")


def _b(i):
    return mk_bvar(i)


def expected_eq_types():
    """`Eq.{u} : {α : Sort u} → α → α → Prop` and `Eq.refl.{u} : {α} (a : α) → @Eq α a a`."""
    su = mk_sort(mk_param(U))
    eq = mk_const(EQ, (mk_param(U),))
    eq_ty = mk_pi(N("α"), su, mk_pi(N("a"), _b(0), mk_pi(N("b"), _b(1), mk_sort(L_ZERO))), 1)
    refl_ty = mk_pi(N("α"), su, mk_pi(N("a"), _b(0), mk_apps(eq, (_b(1), _b(0), _b(0)))), 1)
    return eq_ty, refl_ty


def check_eq(env) -> str | None:
    """None if `Eq` is fit for quotients, else the reason."""
    eq = env.get(EQ)
    if eq is None or eq.kind != INDUCT:
        return "quotient initialisation needs the inductive Eq"
    if len(eq.level_params) != 1 or len(eq.ctors) != 1 or eq.num_params != 2 or eq.num_indices != 1:
        return "Eq has an unexpected shape"
    refl = env.get(eq.ctors[0])
    eq_ty, refl_ty = expected_eq_types()
    lp = eq.level_params[0]
    from .expr import instantiate_lparams

    got_eq = instantiate_lparams(eq.type, (lp,), (mk_param(U),))
    if refl is None or len(refl.level_params) != 1:
        return "Eq.refl has an unexpected shape"
    got_refl = instantiate_lparams(refl.type, (refl.level_params[0],), (mk_param(U),))
    if not eq_mod_binders(got_eq, eq_ty) or not eq_mod_binders(got_refl, refl_ty) or refl.name is not EQ_REFL:
        return "Eq/Eq.refl do not have the types quotients require"
    return None


def quot_constants():
    """The four quotient constants, by quot kind, with the kernel's fixed types."""
    u, v = mk_param(U), mk_param(V)
    su, sv = mk_sort(u), mk_sort(v)
    prop = mk_sort(L_ZERO)
    alpha, r_, beta, f_, a_, b_, q_ = (N(x) for x in ("α", "r", "β", "f", "a", "b", "q"))

    def rel(depth_alpha):  # α → α → Prop, α at bvar depth_alpha
        return mk_pi(a_, _b(depth_alpha), mk_pi(b_, _b(depth_alpha + 1), prop))

    quot_c = mk_const(QUOT_NAMES["type"], (u,))
    mk_c = mk_const(QUOT_NAMES["ctor"], (u,))
    eq_v = mk_const(EQ, (v,))
    # Quot.{u} : {α : Sort u} → (α → α → Prop) → Sort u
    quot_ty = mk_pi(alpha, su, mk_pi(r_, rel(0), su), 1)
    # Quot.mk.{u} : {α : Sort u} → (r : α → α → Prop) → (a : α) → @Quot α r
    mk_ty = mk_pi(alpha, su, mk_pi(r_, rel(0), mk_pi(a_, _b(1), mk_apps(quot_c, (_b(2), _b(1))))), 1)
    # Quot.lift.{u,v} : {α : Sort u} → {r : α → α → Prop} → {β : Sort v} → (f : α → β) →
    #   (∀ a b : α, r a b → f a = f b) → @Quot α r → β
    f_ty = mk_pi(a_, _b(2), _b(1))  # under α r β: α = #2, β = #0 -> inside binder β = #1
    h_ty = mk_pi(a_, _b(3), mk_pi(b_, _b(4), mk_pi(N("h"), mk_apps(_b(4), (_b(1), _b(0))),
                 mk_apps(eq_v, (_b(4), mk_app(_b(3), _b(2)), mk_app(_b(3), _b(1)))))))
    lift_ty = mk_pi(alpha, su, mk_pi(r_, rel(0), mk_pi(beta, sv, mk_pi(f_, f_ty, mk_pi(
        N("a"), h_ty, mk_pi(q_, mk_apps(quot_c, (_b(4), _b(3))), _b(3))), 0), 1), 1), 1)
    # Quot.ind.{u} : {α : Sort u} → {r : α → α → Prop} → {β : @Quot α r → Prop} →
    #   (mk : ∀ a : α, β (@Quot.mk α r a)) → ∀ q : @Quot α r, β q
    beta_ty = mk_pi(q_, mk_apps(quot_c, (_b(1), _b(0))), prop)
    mk_case = mk_pi(a_, _b(2), mk_app(_b(1), mk_apps(mk_c, (_b(3), _b(2), _b(0)))))
    ind_ty = mk_pi(alpha, su, mk_pi(r_, rel(0), mk_pi(beta, beta_ty, mk_pi(
        N("mk"), mk_case, mk_pi(q_, mk_apps(quot_c, (_b(3), _b(2))), mk_app(_b(2), _b(0)))), 1), 1), 1)
    out = {
        "type": (QUOT_NAMES["type"], (U,), quot_ty),
        "ctor": (QUOT_NAMES["ctor"], (U,), mk_ty),
        "lift": (QUOT_NAMES["lift"], (U, V), lift_ty),
        "ind": (QUOT_NAMES["ind"], (U,), ind_ty),
    }
    return {k: ConstantInfo(QUOT, n, lps, ty, quot_kind=k) for k, (n, lps, ty) in out.items()}


