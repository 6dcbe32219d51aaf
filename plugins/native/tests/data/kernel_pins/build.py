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

from ix_native.demo_terms import (
    PROP,
    TYPE,
    Ctor,
    IndType,
    Local,
    NdjsonWriter,
    Theorem,
    app,
    const,
    derive_inductive,
    lam,
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


def _pair_block():
    """`structure Pair (α : Type) where fst : α; snd : α` (two fields of the same type)."""
    al = Local("α", TYPE)
    ial = al.with_bi("implicit")
    fst, snd = Local("fst", al), Local("snd", al)
    pair = IndType("Pair", pi([al], TYPE), (Ctor("Pair.mk", pi([ial, fst, snd], app(const("Pair"), al))),))
    return derive_inductive((), 1, [pair])


def _proj_eq_theorem(name: str, lhs_idx: int, rhs_idx: int):
    """`∀ (α : Type) (p : Pair α), p.lhs = p.rhs := fun α p => Eq.refl p.lhs`."""
    one = ("succ", ("zero",))
    al = Local("α", TYPE)
    p = Local("p", app(const("Pair"), al))
    lhs, rhs = proj("Pair", lhs_idx, p), proj("Pair", rhs_idx, p)
    return Theorem(name, (), pi([al, p], app(const("Eq", one), al, lhs, rhs)),
                   lam([al, p], app(const("Eq.refl", one), al, lhs)))


# name -> (expected verdict, rule pinned, declarations)
PINS = {
    "proj_same_field.ndjson": (
        "accept", "def_eq: two projections of one struct at the same field index are equal",
        lambda: [_eq_block(), _pair_block(), _proj_eq_theorem("Pair.fst_eq_fst", 0, 0)]),
    "proj_field_index.ndjson": (
        "reject", "def_eq: projections are equal only at the same field index (p.1 = p.2 by rfl is false)",
        lambda: [_eq_block(), _pair_block(), _proj_eq_theorem("Pair.fst_eq_snd", 0, 1)]),
}


def render(name: str) -> bytes:
    """The exact bytes of one pin file."""
    buf = io.BytesIO()
    w = NdjsonWriter(buf)
    for d in PINS[name][2]():
        w.declare(d)
    return buf.getvalue()


def manifest() -> str:
    rows = ["file\texpected\trule"] + [f"{n}\t{v}\t{r}" for n, (v, r, _) in PINS.items()]
    return "\n".join(rows) + "\n"


def main() -> int:
    for name in PINS:
        (HERE / name).write_bytes(render(name))
    (HERE / "MANIFEST.tsv").write_text(manifest())
    return 0


if __name__ == "__main__":
    sys.exit(main())
