"""Work accounting for one checked declaration: Lean-style and Ix-style heartbeats, the Ix
op counters and the delta edges (constants whose definitions were unfolded)."""
from __future__ import annotations

import attrs

__all__ = ["Counters", "Stats"]


class Counters:
    """Mutable counters owned by one TypeChecker (fresh per declaration).

    lean_heartbeats: entries into infer_open (infer_type_core), whnf_core and is_def_eq_core, counted at
        entry (cache hits and trivial cases included), as Lean's `check_system` does.
    ix_heartbeats: whnf and is_def_eq calls that get past the fast paths and cache probes
        (Ix's `tick()`).
    whnf_calls / def_eq_calls: every whnf / is_def_eq_core entry (before cache probes).
    nat_arith: limb-weighted GMP work of Nat literal acceleration (64-bit limbs).
    delta_unfolds: definitions/theorems delta-unfolded (insertion-ordered dict as a set).
    iota_rules: recursors and quotient eliminators whose reduction rule fired.
    """

    __slots__ = ("lean_heartbeats", "ix_heartbeats", "whnf_calls", "def_eq_calls", "nat_arith",
                 "delta_unfolds", "iota_rules")

    def __init__(self):
        self.lean_heartbeats = 0
        self.ix_heartbeats = 0
        self.whnf_calls = 0
        self.def_eq_calls = 0
        self.nat_arith = 0
        self.delta_unfolds: dict = {}
        self.iota_rules: dict = {}


@attrs.frozen
class Stats:
    """Verdict and work of one checked declaration (one export line / inductive block).

    name: the declaration (first type of an inductive block); kind: its Decl kind.
    ok: verdict; reason: one-line rejection reason ("" when ok).
    lean_heartbeats, ix_heartbeats, subst_nodes, whnf_calls, def_eq_calls, nat_arith,
    intern_nodes: see `Counters` (subst_nodes: nodes visited by instantiate; intern_nodes:
    hash-cons table visits while checking).
    delta_unfolds: names (sorted by their string form) of definitions and theorems that were
    delta-unfolded: the declaration's delta edges. iota_rules: recursors/quot eliminators fired.
    seconds: wall time of the check.
    """

    name: object
    kind: str
    ok: bool
    reason: str
    lean_heartbeats: int = 0
    ix_heartbeats: int = 0
    subst_nodes: int = 0
    whnf_calls: int = 0
    def_eq_calls: int = 0
    nat_arith: int = 0
    intern_nodes: int = 0
    delta_unfolds: tuple = ()
    iota_rules: tuple = ()
    seconds: float = 0.0

    @property
    def verdict(self) -> str:
        return "ok" if self.ok else "error"
