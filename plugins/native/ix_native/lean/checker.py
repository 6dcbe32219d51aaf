"""The kernel's public API: check an export's declarations as the official kernel does.

Usage::

    from ix_native.lean.export import read_export
    from ix_native.lean.checker import Kernel

    exp = read_export("init-prelude.ndjson")
    k = Kernel()
    for st in k.check_all(exp):              # (a) every declaration in file order
        print(st.name, st.ok, st.lean_heartbeats, st.delta_unfolds)

    k = Kernel()                             # (b) trusted prefix, checked selection
    stats = k.check_selected(exp, {Name.from_str("Nat.add_succ")})

`Kernel.admit(decl)` adds a declaration unchecked (trusted: e.g. proven by another shard);
`Kernel.check(decl)` checks one declaration against what is already in the environment and
adds it on success. A declaration never sees itself or anything after it: `check_selected`
walks the file in order, admitting unselected declarations and checking selected ones.
Every check builds a fresh `TypeChecker` (fresh reduction caches, as each official
`add_decl` does), so its `Stats` do not depend on what was checked before. Deep terms are
checked on a thread with a 512 MiB stack; exhausting it is reported as "too deep".
"""
from __future__ import annotations

import gc
import sys
import threading
import time
from contextlib import contextmanager

from .environment import AXIOM, DEFN, OPAQUE, QUOT, THM, ConstantInfo, Environment
from .expr import (
    INSTANTIATE_MEMO_MAX,
    INTERN_COUNTER,
    SUBST_COUNTER,
    drop_instantiate_memo,
    instantiate_memo_size,
    intern_mark,
    release_unreferenced,
)
from .inductive import InductiveChecker
from .primitives import PRIMITIVE_NAMES, on_add
from .quotient import QUOT_NAMES, check_eq, quot_constants
from .stats import Stats
from .tc import KernelError, TypeChecker

__all__ = ["Kernel", "KernelError", "run_deep"]

_STACK = 512 * 1024 * 1024


def run_deep(fn, *args):
    """Run fn on a thread with a large stack and a high recursion limit; re-raise its error."""
    box: dict = {}

    def target():
        try:
            box["r"] = fn(*args)
        except BaseException as exc:  # noqa: BLE001 - re-raised on the caller's thread
            box["e"] = exc

    old_size = threading.stack_size()
    old_limit = sys.getrecursionlimit()
    threading.stack_size(_STACK)
    sys.setrecursionlimit(max(old_limit, 400_000))
    try:
        th = threading.Thread(target=target, name="lean-kernel")
        th.start()
        th.join()
    finally:
        threading.stack_size(old_size)
    if "e" in box:
        raise box["e"]
    return box["r"]


def _drop_memo_nodes(epoch: int) -> int:
    """Empty instantiate's memo and drop the nodes interned since `epoch` that only it kept
    alive (they outlived the checks that made them); returns the next epoch's mark."""
    drop_instantiate_memo()
    release_unreferenced(epoch)
    return intern_mark()


@contextmanager
def _survivors_frozen():
    """Yield `freeze`, called between declarations while a Kernel walks an export.

    What survives a declaration's check is the parsed export, the environment and the
    intern table, all kept until the walk ends; freezing them (`gc.freeze`, O(1)) keeps the
    cyclic collector from re-traversing that growing graph at every full collection, which
    cost a fifth to a third of a check. Collection itself stays on: objects made while a
    declaration is checked are young and collected as usual. The walk's objects are handed
    back to the collector when it ends (unless something else had frozen objects before).
    """
    was_frozen = gc.get_freeze_count() > 0
    try:
        yield gc.freeze
    finally:
        if not was_frozen:
            gc.unfreeze()


class Kernel:
    """An environment plus the policy for adding declarations to it."""

    def __init__(self):
        self.env = Environment()
        self.validated: set = set()

    # ------------------------------------------------------------------ public API
    def check_all(self, export, stop_on_error: bool = True, progress=None) -> list:
        """Check every declaration in file order; by default stop at the first rejection."""
        return run_deep(self._check_seq, export.decls, None, stop_on_error, progress)

    def check_selected(self, export, names, progress=None) -> list:
        """Admit every declaration not in `names` and check those in it, in file order."""
        return run_deep(self._check_seq, export.decls, frozenset(names), False, progress)

    def check(self, decl) -> Stats:
        return run_deep(self._check_one, decl)

    def admit(self, decl) -> None:
        """Add `decl` without checking it (trusted)."""
        for info in self._infos_unchecked(decl):
            self._add(info)

    # ------------------------------------------------------------------ internals
    def _check_seq(self, decls, selected, stop_on_error, progress):
        with _survivors_frozen() as freeze:
            return self._check_seq_frozen(decls, selected, stop_on_error, progress, freeze)

    def _check_seq_frozen(self, decls, selected, stop_on_error, progress, freeze):
        out = []
        epoch = intern_mark()
        for decl in decls:
            freeze()
            if selected is not None and not (set(decl.names()) & selected):
                self.admit(decl)
            else:
                mark = intern_mark()
                st = self._check_one(decl)
                release_unreferenced(mark)  # the check's intermediate terms
                if instantiate_memo_size() > INSTANTIATE_MEMO_MAX:
                    epoch = _drop_memo_nodes(epoch)
                out.append(st)
                if not st.ok:
                    if stop_on_error:
                        break
                    self._admit_rejected(decl)
            if progress is not None:
                progress(decl)
        _drop_memo_nodes(epoch)
        return out

    def _admit_rejected(self, decl) -> None:
        """Trust a declaration just rejected, so that the ones after it are judged on
        their own instead of failing with "unknown constant" (the verdict is already a
        rejection; this only keeps the remaining reasons first-hand)."""
        try:
            self.admit(decl)
        except Exception:  # noqa: BLE001, S110 - a declaration too broken to admit stays out
            pass

    def _make_tc(self, lparams, name, prim_ok=None, unsafe_ok=False):
        return TypeChecker(self.env, lparams, unsafe_ok=unsafe_ok,
                           prim_ok=prim_ok or self.validated.__contains__, decl_name=name)

    def _check_one(self, decl) -> Stats:
        i0, s0, t0 = INTERN_COUNTER[0], SUBST_COUNTER[0], time.perf_counter()
        tcs: list = []
        try:
            self._check_decl(decl, tcs)
            ok, reason = True, ""
        except KernelError as exc:
            ok, reason = False, str(exc)
        except RecursionError:
            ok, reason = False, f"{decl.name}: term too deep for the checker's stack"
        except MemoryError:
            ok, reason = False, f"{decl.name}: out of memory (term too large or too deep)"
        agg = {k: 0 for k in ("lean_heartbeats", "ix_heartbeats", "whnf_calls", "def_eq_calls", "nat_arith")}
        deltas: dict = {}
        iotas: dict = {}
        for tc in tcs:
            for k in agg:
                agg[k] += getattr(tc.ctr, k)
            deltas.update(tc.ctr.delta_unfolds)
            iotas.update(tc.ctr.iota_rules)
        return Stats(
            decl.name, decl.kind, ok, reason, subst_nodes=SUBST_COUNTER[0] - s0,
            intern_nodes=INTERN_COUNTER[0] - i0, delta_unfolds=tuple(sorted(deltas, key=str)),
            iota_rules=tuple(sorted(iotas, key=str)), seconds=time.perf_counter() - t0, **agg)

    def _policy(self, decl):
        if decl.safety != "safe":
            raise KernelError(f"{decl.name}: {decl.safety} declarations are declined (only safe ones are checked)")
        if len(set(decl.level_params)) != len(decl.level_params):
            raise KernelError(f"{decl.name}: duplicate universe parameters")
        for n in decl.names():
            if n in self.env:
                raise KernelError(f"{n}: already declared")

    def _check_decl(self, decl, tcs):
        self._policy(decl)
        kind = decl.kind
        if kind == "inductive":
            chk = InductiveChecker(self.env, decl, lambda lps, name: self._new_tc(tcs, lps, name))
            try:
                infos = chk.run()
            except BaseException:
                chk.rollback()
                raise
            chk.rollback()
            for info in infos:
                self._add(info)
            return
        tc = self._new_tc(tcs, decl.level_params, decl.name)
        if kind == "quot":
            self._check_quot(decl)
            return
        tc.ensure_sort(tc.check(decl.type), "declaration type")
        if kind == "axiom":
            self._add(ConstantInfo(AXIOM, decl.name, decl.level_params, decl.type))
            return
        if kind == "thm" and not tc.is_prop(decl.type):
            raise KernelError(f"{decl.name}: theorem type is not a proposition")
        val_type = tc.check(decl.value)
        if not tc.is_def_eq(val_type, decl.type):
            raise KernelError(f"{decl.name}: declared type {tc.show(decl.type)} does not match the value's "
                              f"type {tc.show(val_type)}")
        ck = {"def": DEFN, "thm": THM, "opaque": OPAQUE}[kind]
        extra = {"hints": decl.hints} if kind == "def" else {}
        self._add(ConstantInfo(ck, decl.name, decl.level_params, decl.type, value=decl.value, **extra))

    def _new_tc(self, tcs, lparams, name):
        tc = self._make_tc(lparams, name)
        tcs.append(tc)
        return tc

    def _check_quot(self, decl):
        reason = check_eq(self.env)
        if reason is not None:
            raise KernelError(f"{decl.name}: {reason}")
        if QUOT_NAMES[decl.quot_kind] is not decl.name:
            raise KernelError(f"{decl.name}: quotient constant of kind {decl.quot_kind} must be "
                              f"{QUOT_NAMES[decl.quot_kind]}")
        if decl.quot_kind != "type" and QUOT_NAMES["type"] not in self.env:
            raise KernelError(f"{decl.name}: Quot must be declared first")
        self._add(quot_constants()[decl.quot_kind])

    def _add(self, info):
        self.env.add(info)
        if info.kind == QUOT and info.quot_kind == "type":
            self.env.quot_initialized = True
        if info.name in PRIMITIVE_NAMES:
            on_add(self.env, info.name, self._make_tc, self.validated)

    def _infos_unchecked(self, decl):
        """Environment entries for a trusted declaration, built without checking it."""
        k = decl.kind
        if k == "axiom":
            return [ConstantInfo(AXIOM, decl.name, decl.level_params, decl.type, unsafe=decl.safety != "safe")]
        if k in ("def", "thm", "opaque"):
            ck = {"def": DEFN, "thm": THM, "opaque": OPAQUE}[k]
            extra = {"hints": decl.hints} if k == "def" else {}
            return [ConstantInfo(ck, decl.name, decl.level_params, decl.type, value=decl.value,
                                 unsafe=decl.safety != "safe", **extra)]
        if k == "quot":
            return [quot_constants()[decl.quot_kind]]
        return _trusted_inductive_infos(decl)


def _trusted_inductive_infos(decl):
    from .environment import CTOR, INDUCT, REC
    from .expr import PI, app_fn

    out = []
    for t in decl.types:
        out.append(ConstantInfo(INDUCT, t.name, t.level_params, t.type, num_params=t.num_params,
                                num_indices=t.num_indices, all=t.all, ctors=t.ctors, num_nested=t.num_nested,
                                is_rec=t.is_rec, is_reflexive=t.is_reflexive, unsafe=t.is_unsafe))
    for c in decl.ctors:
        out.append(ConstantInfo(CTOR, c.name, c.level_params, c.type, induct=c.induct, cidx=c.cidx,
                                num_params=c.num_params, num_fields=c.num_fields, unsafe=c.is_unsafe))
    for r in decl.recs:
        t = r.type
        for _ in range(r.num_params + r.num_motives + r.num_minors + r.num_indices):
            t = t.body if t.tag == PI else t
        major = app_fn(t.type).name if t.tag == PI and app_fn(t.type).tag == 3 else None
        out.append(ConstantInfo(REC, r.name, r.level_params, r.type, all=r.all, num_params=r.num_params,
                                num_indices=r.num_indices, num_motives=r.num_motives, num_minors=r.num_minors,
                                rules={x.ctor: (x.nfields, x.rhs) for x in r.rules}, k=r.k, major_induct=major,
                                unsafe=r.is_unsafe))
    return out
