"""The kernel's constant table: what a checked (or admitted) declaration contributes.

`ConstantInfo.kind` is one of AXIOM, DEFN, THM, OPAQUE, QUOT, INDUCT, CTOR, REC. Fields not
relevant to a kind stay at their defaults. An `Environment` maps names to infos; a checker
only ever sees the constants added before the declaration it checks.
"""
from __future__ import annotations

from types import MappingProxyType

from .export import Hints
from .name import Name

__all__ = ["ConstantInfo", "Environment", "AXIOM", "DEFN", "THM", "OPAQUE", "QUOT", "INDUCT", "CTOR", "REC"]

AXIOM, DEFN, THM, OPAQUE, QUOT, INDUCT, CTOR, REC = "axiom", "def", "thm", "opaque", "quot", "inductive", "ctor", "rec"
_OPAQUE_HINTS = Hints("opaque")
_NO_RULES: MappingProxyType = MappingProxyType({})  # shared by every non-recursor: no empty dict per constant


class ConstantInfo:
    """A constant as the type checker uses it.

    Common: name, level_params (tuple of Name), type, kind, unsafe.
    DEFN/THM/OPAQUE: value; hints (theorems and opaques report opaque hints).
    QUOT: quot_kind. INDUCT: num_params, num_indices, all, ctors, num_nested, is_rec,
    is_reflexive. CTOR: induct, cidx, num_params, num_fields. REC: all, num_params,
    num_indices, num_motives, num_minors, rules ({ctor name: (nfields, rhs)}), k, major_induct.
    """

    __slots__ = (
        "name", "level_params", "type", "kind", "unsafe", "value", "hints", "quot_kind", "num_params",
        "num_indices", "all", "ctors", "num_nested", "is_rec", "is_reflexive", "induct", "cidx",
        "num_fields", "num_motives", "num_minors", "rules", "k", "major_induct",
    )

    def __init__(self, kind, name, level_params, type_, **kw):
        self.kind = kind
        self.name = name
        self.level_params = tuple(level_params)
        self.type = type_
        self.unsafe = False
        self.value = None
        self.hints = _OPAQUE_HINTS
        self.quot_kind = None
        self.num_params = self.num_indices = self.num_nested = self.cidx = self.num_fields = 0
        self.num_motives = self.num_minors = 0
        self.all = ()
        self.ctors = ()
        self.is_rec = self.is_reflexive = self.k = False
        self.induct = None
        self.rules = _NO_RULES
        self.major_induct = None
        for k, v in kw.items():
            setattr(self, k, v)

    @property
    def has_value(self) -> bool:
        """Delta-unfoldable: definitions and theorems (never opaques or axioms)."""
        return self.kind == DEFN or self.kind == THM

    @property
    def is_structure_like(self) -> bool:
        return self.kind == INDUCT and len(self.ctors) == 1 and self.num_indices == 0 and not self.is_rec

    def __repr__(self) -> str:
        return f"<{self.kind} {self.name}>"


class Environment:
    """Name -> ConstantInfo, plus whether the quotient constants have been initialised."""

    __slots__ = ("consts", "quot_initialized")

    def __init__(self):
        self.consts: dict = {}
        self.quot_initialized = False

    def get(self, name: Name):
        return self.consts.get(name)

    def __contains__(self, name: Name) -> bool:
        return name in self.consts

    def add(self, info: ConstantInfo) -> None:
        self.consts[info.name] = info

    def __len__(self) -> int:
        return len(self.consts)
