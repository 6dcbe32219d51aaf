"""A declaration's counters do not depend on what the process checked before it.

`instantiate` and `instantiate_lparams` memoise across declarations and a recursor's type
and rules share closed binder types; each hit replays the counts the computation made.
Checking a declaration after the whole env before it (warm memos) must report the same
work as checking it alone in a fresh walk with only its memo entries from that walk."""
from __future__ import annotations

from ix_native.demo_env import write_demo_env
from ix_native.lean import expr
from ix_native.lean.checker import Kernel
from ix_native.lean.export import read_export

COUNTERS = ("lean_heartbeats", "ix_heartbeats", "subst_nodes", "whnf_calls", "def_eq_calls", "nat_arith",
            "intern_nodes", "delta_unfolds", "iota_rules", "ok", "reason")


def _work(st):
    return {k: getattr(st, k) for k in COUNTERS}


def test_counters_same_warm_and_cold(tmp_path):
    rep = write_demo_env(tmp_path / "d.ndjson", constants=400, seed=3)
    exp = read_export(rep.path)
    full = Kernel().check_all(exp, stop_on_error=False)
    assert all(s.ok for s in full)
    by_name = {s.name: s for s in full}
    # theorems reduce closed redexes (memo hits), inductives build recursors (shared binders)
    picks = [d for d in exp.decls if d.kind == "thm"][-6:] + [d for d in exp.decls if d.kind == "inductive"][-3:]
    assert len(picks) == 9
    for d in picks:
        assert expr.instantiate_memo_size() == 0  # every walk empties the memo at its end
        (alone,) = Kernel().check_selected(exp, {d.name})
        assert _work(alone) == _work(by_name[d.name]), d.name


def test_shared_binder_types_replay_their_intern_visits():
    from ix_native.lean.level import L_ZERO
    from ix_native.lean.name import Name

    def n(s):
        return Name.from_str(s)

    a = expr.mk_fvar(n("α"), expr.mk_sort(L_ZERO))
    p = expr.mk_fvar(n("p"), expr.mk_pi(n("x"), a, expr.mk_app(expr.mk_const(n("P")), a)))
    q = expr.mk_fvar(n("q"), expr.mk_app(expr.mk_app(expr.mk_const(n("Q")), a), p))
    body = expr.mk_app(expr.mk_app(expr.mk_const(n("R")), p), q)

    def visits(shared):
        i0 = expr.INTERN_COUNTER[0]
        r = expr.mk_binding(False, [a, p, q], body, shared)
        return r, expr.INTERN_COUNTER[0] - i0

    plain = visits(None)
    shared: dict = {}
    assert visits(shared) == plain  # first use computes and records
    assert len(shared) == 3
    assert visits(shared) == plain  # reuse replays the same visits
