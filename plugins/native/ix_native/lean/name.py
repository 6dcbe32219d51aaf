"""Lean hierarchical names, interned so that equal names are the same object.

A `Name` is either the anonymous root (`Name.anonymous()`) or a component appended to a
prefix: `Name.str(pre, "foo")` / `Name.num(pre, 3)`. Interning makes `==` an identity test
and lets kernel tables key on names at C speed; `str(name)` gives Lean's dotted form.
"""
from __future__ import annotations

__all__ = ["Name", "ANON"]

_TABLE: dict = {}


class Name:
    """One interned name component. `prefix` is None only for the anonymous name;
    `part` is a `str` (Name.str) or an `int` (Name.num, hygiene numbers can exceed 2^31)."""

    __slots__ = ("prefix", "part", "_str")  # no __weakref__: 8 bytes on every name

    def __init__(self, prefix, part):
        self.prefix = prefix
        self.part = part
        self._str = None

    @staticmethod
    def anonymous() -> "Name":
        return ANON

    @staticmethod
    def str(prefix: "Name", s: str) -> "Name":
        key = (prefix, s)
        n = _TABLE.get(key)
        if n is None:
            n = _TABLE[key] = Name(prefix, s)
        return n

    @staticmethod
    def num(prefix: "Name", i: int) -> "Name":
        key = (prefix, i, 0)
        n = _TABLE.get(key)
        if n is None:
            n = _TABLE[key] = Name(prefix, i)
        return n

    @staticmethod
    def from_str(dotted: str) -> "Name":
        """`"Nat.add"` -> Name; numeric components become Name.num (test and CLI convenience)."""
        n = ANON
        if not dotted:
            return n
        for piece in dotted.split("."):
            n = Name.num(n, int(piece)) if piece.isdigit() else Name.str(n, piece)
        return n

    def append(self, s) -> "Name":
        return Name.num(self, s) if isinstance(s, int) else Name.str(self, s)

    @property
    def is_anonymous(self) -> bool:
        return self.prefix is None

    def components(self) -> list:
        out = []
        n = self
        while n.prefix is not None:
            out.append(n.part)
            n = n.prefix
        out.reverse()
        return out

    def cmp(self, other: "Name") -> int:
        """Lean's structural order (prefix first; numbers before strings): used by level
        normalisation to sort parameters exactly as the C++ kernel does."""
        if self is other:
            return 0
        a, b = self.components(), other.components()
        for x, y in zip(a, b):
            if x == y:
                continue
            xi, yi = isinstance(x, int), isinstance(y, int)
            if xi != yi:
                return -1 if xi else 1
            return -1 if x < y else 1
        return (len(a) > len(b)) - (len(a) < len(b))

    def __str__(self) -> str:
        if self._str is None:
            self._str = "[anonymous]" if self.prefix is None else ".".join(str(c) for c in self.components())
        return self._str

    def __repr__(self) -> str:
        return f"`{self}"

    def __reduce__(self):
        return (_rebuild, (self.components(),))


def _rebuild(parts):
    n = ANON
    for p in parts:
        n = n.append(p)
    return n


ANON = Name(None, None)
