"""The kernel's work follows the size of the term DAG, not of the tree it unfolds to.

Two shapes, built in memory. `perf/app-lam`'s: `T_k = fun x_k : A => g T_(k+1) T_(k+1)`, whose
innermost body applies `f` to every x_1 ... x_n. The DAG has O(n) nodes, the tree 2^n, and
instantiating each binder body in turn (the textbook locally-nameless algorithm) rebuilds
O(n^2) nodes. And a chain of n lets whose result type mentions the last one, so that
zeta-expanding the type one let at a time would rebuild it n times. Work is counted with the kernel's own counters, so nothing here is timed.
"""
from __future__ import annotations

import pytest

from ix_native.lean.checker import Kernel
from ix_native.lean.export import Decl, Hints
from ix_native.lean.expr import mk_app, mk_bvar, mk_const, mk_lam, mk_let, mk_pi, mk_sort
from ix_native.lean.level import L_ZERO, mk_succ
from ix_native.lean.name import ANON, Name

A, F, G, DAG = (Name.from_str(s) for s in ("A", "f", "g", "dag"))


def _axiom(name, type_):
    return Decl("axiom", name, (), type_, None, None, "safe", (name,), 0)


def _arrow(a, b):
    return mk_pi(ANON, a, b)


def _shared_binder_chain(n: int) -> list:
    """Declarations A, f : A -> A -> A, g : (A -> A) -> (A -> A) -> A and `dag : A`."""
    a = mk_const(A)
    a_to_a = _arrow(a, a)
    f, g = mk_const(F), mk_const(G)
    body = mk_bvar(n - 1)  # x_1, seen from under all n binders
    for depth in range(n - 2, -1, -1):  # ... then x_2, ..., x_n
        body = mk_app(mk_app(f, body), mk_bvar(depth))
    t = mk_lam(Name.from_str(f"x{n}"), a, body)
    for k in range(n - 1, 0, -1):
        t = mk_lam(Name.from_str(f"x{k}"), a, mk_app(mk_app(g, t), t))
    value = mk_app(mk_app(g, t), t)
    return [
        _axiom(A, mk_sort(mk_succ(L_ZERO))),
        _axiom(F, _arrow(a, a_to_a)),
        _axiom(G, _arrow(a_to_a, _arrow(a_to_a, a))),
        Decl("def", DAG, (), a, value, Hints("regular", 1), "safe", (DAG,), 0),
    ]


def _let_chain(n: int) -> list:
    """`dag : P x_n := let x_1 := a; let x_(k+1) := f x_k x_k; ...; p x_n` (type zeta-expanded)."""
    a_ty = mk_const(A)
    prop = mk_sort(L_ZERO)
    P, p, a, f = (Name.from_str(s) for s in ("P", "p", "a", "f"))
    chain = mk_const(a)
    body = mk_app(mk_const(p), mk_bvar(0))
    for _ in range(n - 1):
        chain = mk_app(mk_app(mk_const(f), chain), chain)
    value = body
    for k in range(n, 0, -1):
        v = mk_const(a) if k == 1 else mk_app(mk_app(mk_const(f), mk_bvar(0)), mk_bvar(0))
        value = mk_let(Name.from_str(f"x{k}"), a_ty, v, value)
    return [
        _axiom(A, mk_sort(mk_succ(L_ZERO))),
        _axiom(a, a_ty),
        _axiom(f, _arrow(a_ty, _arrow(a_ty, a_ty))),
        _axiom(P, _arrow(a_ty, prop)),
        _axiom(p, mk_pi(Name.from_str("x"), a_ty, mk_app(mk_const(P), mk_bvar(0)))),
        Decl("def", DAG, (), mk_app(mk_const(P), chain), value, Hints("regular", 1), "safe", (DAG,), 0),
    ]


def _work(n: int, shape=_shared_binder_chain):
    kernel = Kernel()
    decls = shape(n)
    for d in decls[:-1]:
        kernel.admit(d)
    st = kernel.check(decls[-1])
    assert st.ok, st.reason
    return st


@pytest.mark.parametrize("shape", [_shared_binder_chain, _let_chain])
@pytest.mark.parametrize("counter", ["lean_heartbeats", "subst_nodes", "intern_nodes"])
def test_checking_a_shared_chain_is_linear_in_its_dag(shape, counter):
    small, large = getattr(_work(300, shape), counter), getattr(_work(600, shape), counter)
    assert large <= 2.2 * max(small, 1), (counter, small, large)


def test_app_lam_visits_each_shared_node_a_bounded_number_of_times(shared_dir):
    from ix_native.lean.export import read_export

    exp = read_export(shared_dir / "lean-exports" / "nyaya" / "good" / "perf" / "app-lam.ndjson")
    stats = Kernel().check_all(exp)
    assert all(s.ok for s in stats)
    last = stats[-1]  # dag_app_binder: 24,001 DAG nodes, 4,000 nested binders
    assert last.lean_heartbeats < 100_000 and last.subst_nodes < 100_000, last


def test_level_operations_visit_a_shared_level_dag_once_per_node():
    """`l_(k+1) = max l_k l_k` (as the export's raw max builds it): 2^80 leaves as a tree."""
    from ix_native.lean.level import (
        instantiate_level,
        is_geq,
        is_not_zero,
        level_params_in,
        mk_max_core,
        mk_param,
        normalize,
    )

    u, v = (Name.from_str(s) for s in ("u", "v"))
    lv = mk_max_core(mk_param(u), mk_param(v))
    for _ in range(80):
        lv = mk_max_core(lv, lv)
    params: set = set()
    level_params_in(lv, params)
    assert params == {u, v}
    assert not is_not_zero(lv)
    assert normalize(lv) is normalize(mk_max_core(mk_param(u), mk_param(v)))
    one = mk_succ(L_ZERO)
    assert is_not_zero(instantiate_level(lv, {u: one}))
    assert is_geq(lv, mk_param(v))
