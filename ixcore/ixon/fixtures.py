"""A deterministic multi-block `.ixe` for tests and end-to-end runs.

It holds Ix's validated prelude constants (Nat, Bool, Eq, List, PUnit, PProd and Int
blocks with their projections, Quot, Quot.mk, Nat.rec, Nat.casesOn: their addresses are
the ones Ix pins) plus constants assembled here with the codec, so the env has
cross-block references, blobs, hints and mutual blocks of more than one member:

- `Even`/`Odd`: a two-inductive Muts block (indexed families over Nat, in Prop);
- `Fixture.f`/`Fixture.g`: a two-definition Muts block (unsafe mutual recursion);
- `Fixture.two : Nat := 2`, whose value is a Nat-literal blob;
- `Fixture.two_eq : Eq Nat two two := Eq.refl Nat two` (a theorem over Eq and two).

The constants assembled here were not compiled by Ix; their bytes follow the spec's
layout but Ix's compiler could order or share them differently.
"""
from __future__ import annotations

from pathlib import Path

from ..address import Address
from .constant import (
    Constant,
    Constructor,
    ConstructorProj,
    Definition,
    DefinitionProj,
    Inductive,
    InductiveProj,
    Muts,
)
from .env import Hint, IxonEnv, NamedEntry
from .expr import All, App, Lam, Nat, Rec, Ref, Sort, Var
from .names import Name
from .univ import USucc, UZero

# Muts blocks: hex, inductive name, constructor names (Ix's validated vectors).
PRELUDE_BLOCKS = (
    ("c1010000000000020000000000b0000001000191b0b001300000010100", "Nat", ("Nat.zero", "Nat.succ")),
    ("c10100000000000200000000003000000001000030000000010100", "Bool", ("Bool.false", "Bool.true")),
    ("c1010001020193011011000100010002009201107331000111101000000200c0", "Eq", ("Eq.refl",)),
    ("c10100010100910000020001000100910071b010000101010293001071b01171b01201310001000201c0c0", "List", ("List.nil", "List.cons")),
    ("c1010001000000010001000000310000000001c0", "PUnit", ("PUnit.unit",)),
    ("c101000202009201020001000200020294010211117232000102131200000340c040c10100c0c1", "PProd", ("PProd.mk",)),
    ("c1010000000000020000000001b00000010001b001912000300001398a7706cf13f223992d173dce07946857240f49afcc743723e839f8f3f2b631010100", "Int", ("Int.ofNat", "Int.negSucc")),
)
PRELUDE_STANDALONE = (
    ("d300019201921011000100000200c0", "Quot"),
    ("d30101930192101100117221000112110001ab682c1778a17bbeae4032974df36447ce8bfcab6764a36d378566e3ad63cab80200c0", "Quot.mk"),
    ("d100010000010294b6b7b5b0711310020083b6b7b5110184b6b7b5b07211107431000013121110082000711210712002117113b291b1b391b0b491b0007110200103398a7706cf13f223992d173dce07946857240f49afcc743723e839f8f3f2b631d397370157fb9ae2c6e1eda79feb10bf497401741aba788fab726cfa4c467db6def52d1dad5f10cf9893c945e169718d62b15e2dd2c9066e597b9d4570ba056e01c0", "Nat.rec"),
    ("d0010194b5b0b1b471131284b5b0b1b474210100131182b07114107112111206200071112002712003107113b291b0b391b00004398a7706cf13f223992d173dce07946857240f49afcc743723e839f8f3f2b631b975152f3f0cd9039433c68f5a5e5455f5cb5d917078baed0118b59067a74ea7d397370157fb9ae2c6e1eda79feb10bf497401741aba788fab726cfa4c467db6def52d1dad5f10cf9893c945e169718d62b15e2dd2c9066e597b9d4570ba056e01c0", "Nat.casesOn"),
)


class _Builder:
    def __init__(self) -> None:
        self.env = IxonEnv(source="<fixture>")
        self.addr_of: dict[str, Address] = {}

    def store(self, c: Constant | bytes, name: str | None = None, hint: Hint | None = None) -> Address:
        addr = self.env.add_constant(c if isinstance(c, bytes) else c.encode())
        if name is not None:
            self.addr_of[name] = addr
            self.env.named[Name.parse(name)] = NamedEntry(addr, hint)
            if hint is not None:
                self.env.hints[addr] = hint
        return addr

    def refs(self, *names_or_addrs) -> tuple[list[Address], dict]:
        """A sorted, deduplicated refs table and the index of each entry."""
        addrs = sorted({self.addr_of.get(x) or Address(x) for x in names_or_addrs})
        index = {a: i for i, a in enumerate(addrs)}
        return addrs, {x: index[self.addr_of.get(x) or Address(x)] for x in names_or_addrs}

    def inductive_block(self, block: Constant | bytes, names: list[tuple[str, tuple[str, ...]]]) -> Address:
        addr = self.store(block)
        for i, (ind, ctors) in enumerate(names):
            self.store(Constant(InductiveProj(i, addr)), ind)
            for c, ctor in enumerate(ctors):
                self.store(Constant(ConstructorProj(i, c, addr)), ctor)
        return addr


def _prelude(b: _Builder) -> None:
    for hexstr, ind, ctors in PRELUDE_BLOCKS:
        b.inductive_block(bytes.fromhex(hexstr), [(ind, ctors)])
    for hexstr, name in PRELUDE_STANDALONE:
        b.store(bytes.fromhex(hexstr), name, Hint.abbrev() if name == "Nat.casesOn" else None)


def _even_odd(b: _Builder) -> None:
    refs, ix = b.refs("Nat", "Nat.zero", "Nat.succ")
    nat, zero, succ = Ref(ix["Nat"]), Ref(ix["Nat.zero"]), Ref(ix["Nat.succ"])
    prop = Sort(0)  # univs[0] = Zero

    def step(self_idx: int, other_idx: int, cidx: int) -> Constructor:
        # (n : Nat) → Other n → Self (Nat.succ n)
        typ = All(nat, All(App(Rec(other_idx), Var(0)), App(Rec(self_idx), App(succ, Var(1)))))
        return Constructor(False, 0, cidx, 0, 2, typ)

    even = Inductive(False, 0, 0, 1, All(nat, prop), (Constructor(False, 0, 0, 0, 0, App(Rec(0), zero)), step(0, 1, 1)))
    odd = Inductive(False, 0, 0, 1, All(nat, prop), (step(1, 0, 0),))
    block = Constant(Muts((even, odd)), (), refs, (UZero(),))
    b.inductive_block(block, [("Even", ("Even.zero", "Even.succ")), ("Odd", ("Odd.succ",))])


def _mutual_defs(b: _Builder) -> None:
    refs, ix = b.refs("Nat", "Nat.succ")
    nat, succ = Ref(ix["Nat"]), Ref(ix["Nat.succ"])
    unsafe = 0
    f = Definition(0, unsafe, 0, All(nat, nat), Lam(nat, App(Rec(1), Var(0))))
    g = Definition(0, unsafe, 0, All(nat, nat), Lam(nat, App(Rec(0), App(succ, Var(0)))))
    block = b.store(Constant(Muts((f, g)), (), refs, ()))
    b.store(Constant(DefinitionProj(0, block)), "Fixture.f", Hint.regular(2))
    b.store(Constant(DefinitionProj(1, block)), "Fixture.g", Hint.regular(2))


def _literals(b: _Builder) -> None:
    two_blob = b.env.add_blob(bytes((2,)))
    refs, ix = b.refs("Nat", two_blob)
    b.store(Constant(Definition(0, 1, 0, Ref(ix["Nat"]), Nat(ix[two_blob])), (), refs, ()), "Fixture.two", Hint.regular(1))
    refs, ix = b.refs("Eq", "Eq.refl", "Nat", "Fixture.two")
    nat, two = Ref(ix["Nat"]), Ref(ix["Fixture.two"])
    typ = App(App(App(Ref(ix["Eq"], (0,)), nat), two), two)
    value = App(App(Ref(ix["Eq.refl"], (0,)), nat), two)
    b.store(Constant(Definition(2, 1, 0, typ, value), (), refs, (USucc(UZero()),)), "Fixture.two_eq")


def fixture_env() -> IxonEnv:
    b = _Builder()
    _prelude(b)
    _even_odd(b)
    _mutual_defs(b)
    _literals(b)
    return b.env


def write_fixture_ixe(path: str | Path) -> Path:
    """Write the fixture env as a canonical version-1 `.ixe` (same bytes every time)."""
    from ..formats.ixe import write_ixe

    return write_ixe(fixture_env(), path)
