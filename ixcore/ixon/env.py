"""The in-memory Ixon environment: what one `.ixe` file holds, keyed as Ix keys it.

Constants are kept as their raw bytes (verbatim, as hashed and as shipped in sub-envs)
and parsed on demand; `scan(addr)` memoizes the expression-free view the pipeline needs.
Blobs and names live in separate maps because H(00) is both the Nat-0 blob and the
anonymous name.
"""
from __future__ import annotations

import attrs

from ..address import Address
from ..errors import InputError
from ..merkle import merkle_root
from .constant import Constant, ConstantScan, decode_constant, scan_constant
from .metadata import EMPTY_WINDOW
from .names import Name

U32_MAX = (1 << 32) - 1
HINT_KINDS = ("opaque", "abbrev", "regular")


@attrs.frozen(order=True)
class Hint:
    """Lean's ReducibilityHints; ordered Opaque < Abbrev < Regular(h) by (kind, height)."""

    rank: int = attrs.field(validator=attrs.validators.in_(range(3)))  # index into HINT_KINDS
    height: int = 0

    @classmethod
    def opaque(cls) -> "Hint":
        return cls(0)

    @classmethod
    def abbrev(cls) -> "Hint":
        return cls(1)

    @classmethod
    def regular(cls, height: int) -> "Hint":
        if not 0 <= height <= U32_MAX:
            raise ValueError(f"a Regular hint height is a u32, got {height}")
        return cls(2, height)

    @property
    def kind(self) -> str:
        return HINT_KINDS[self.rank]

    def fused(self) -> int:
        """§3 value: 0 Opaque, 1 Abbrev, h + 2 Regular(h)."""
        return self.rank + self.height

    @classmethod
    def from_fused(cls, value: int) -> "Hint":
        return cls(value) if value < 2 else cls.regular(value - 2)

    def __str__(self) -> str:
        return f"regular({self.height})" if self.rank == 2 else self.kind


@attrs.frozen
class NamedEntry:
    """A §5 entry: the address a name denotes, its exact hint, and its raw metadata window
    (ConstantMeta then the optional original, as framed by `meta_len`)."""

    addr: Address = attrs.field(converter=Address)
    hint: Hint | None = None
    window: bytes = EMPTY_WINDOW


@attrs.frozen
class Comm:
    secret: Address = attrs.field(converter=Address)
    payload: Address = attrs.field(converter=Address)

    def address(self) -> Address:
        return Address.hash(b"\xe1" + self.secret + self.payload)


def _addr_tuple(xs) -> tuple[Address, ...]:
    return tuple(Address(x) for x in xs)


@attrs.frozen
class IxonEnv:
    """One environment. `names` is the §4 table (hash -> name); `named` maps names to the
    constants they denote. `version` is the `.ixe` header version it was read as or will
    be written as (1 = `E1`, Ix main; 0 = `E0`, the layout just before #569)."""

    consts: dict[Address, bytes] = attrs.field(factory=dict)
    blobs: dict[Address, bytes] = attrs.field(factory=dict)
    hints: dict[Address, Hint] = attrs.field(factory=dict)
    names: dict[Address, Name] = attrs.field(factory=dict)
    named: dict[Name, NamedEntry] = attrs.field(factory=dict)
    comms: dict[Address, Comm] = attrs.field(factory=dict)
    main: Address | None = None
    assumptions: tuple[Address, ...] = attrs.field(default=(), converter=_addr_tuple)
    version: int = 1
    source: str = "<env>"
    _scans: dict[Address, ConstantScan] = attrs.field(factory=dict, init=False, eq=False, repr=False)

    def root(self) -> Address:
        """The header root: canonical merkle root over the constant addresses only."""
        return merkle_root(self.consts)

    def sorted_consts(self) -> list[Address]:
        return sorted(self.consts)

    def scan(self, addr: Address) -> ConstantScan:
        """Expression-free view of a stored constant (memoized); InputError names it."""
        found = self._scans.get(addr)
        if found is None:
            data = self.consts.get(addr)
            if data is None:
                raise KeyError(addr)
            found = scan_constant(data, f"{self.source}: constant {addr}")
            self._scans[addr] = found
        return found

    def constant(self, addr: Address) -> Constant:
        return decode_constant(self.consts[addr], f"{self.source}: constant {addr}")

    def const_is_genuine(self, addr: Address) -> bool:
        """Ix's `get_const(addr).is_some()`: stored, and its bytes hash to its address."""
        data = self.consts.get(addr)
        return data is not None and Address.hash(data) == addr

    def name_index(self) -> dict[Address, list[Name]]:
        """address -> the names denoting it (sorted by display form)."""
        index: dict[Address, list[Name]] = {}
        for name, entry in self.named.items():
            index.setdefault(entry.addr, []).append(name)
        for names in index.values():
            names.sort(key=str)
        return index

    def add_constant(self, data: bytes) -> Address:
        addr = Address.hash(data)
        self.consts[addr] = bytes(data)
        return addr

    def add_blob(self, data: bytes) -> Address:
        addr = Address.hash(data)
        self.blobs[addr] = bytes(data)
        return addr

    def check_main(self) -> None:
        if self.main is not None and self.main not in self.consts:
            raise InputError(f"{self.source}: main {self.main} is not a stored constant")
