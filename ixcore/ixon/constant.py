"""Ixon constants: envelope `Head ‖ Payload ‖ sharing ‖ refs ‖ univs`, and their addresses.

A constant's address is blake3 of exactly these bytes. One parser serves two readers:
`decode_constant` builds every expression (codec, tests, tools) and `scan_constant` skips
expressions iteratively and keeps only what work enumeration, closures and static edges
need (member shapes, refs, the projection's block, the refs indices used as constants).
"""
from __future__ import annotations

from typing import Callable

import attrs

from ..address import Address
from .expr import Expr, decode_expr, encode_expr, skip_expr
from .tags import Reader, tag0, tag4
from .univ import Univ, decode_univ, encode_univ, skip_univ

MUTS_FLAG = 0xC
CONST_FLAG = 0xD
DEFN, RECR, AXIO, QUOT, CPRJ, RPRJ, IPRJ, DPRJ = range(8)
VARIANT_NAMES = ("Defn", "Recr", "Axio", "Quot", "CPrj", "RPrj", "IPrj", "DPrj")
MUT_DEFN, MUT_INDC, MUT_RECR = range(3)
PROJECTION_HEADS = frozenset(0xD0 | v for v in (CPRJ, RPRJ, IPRJ, DPRJ))

# Expressions are None only in a skeleton parse (`scan_constant`).
MaybeExpr = Expr | None


@attrs.frozen
class Definition:
    kind: int  # 0 Definition, 1 Opaque, 2 Theorem
    safety: int  # 0 Unsafe, 1 Safe, 2 Partial
    lvls: int
    typ: MaybeExpr
    value: MaybeExpr


@attrs.frozen
class RecursorRule:
    fields: int
    rhs: MaybeExpr


@attrs.frozen
class Recursor:
    k: bool
    is_unsafe: bool
    lvls: int
    params: int
    indices: int
    motives: int
    minors: int
    typ: MaybeExpr
    rules: tuple[RecursorRule, ...] = attrs.field(converter=tuple)


@attrs.frozen
class Axiom:
    is_unsafe: bool
    lvls: int
    typ: MaybeExpr


@attrs.frozen
class Quotient:
    kind: int  # 0 Type, 1 Ctor, 2 Lift, 3 Ind
    lvls: int
    typ: MaybeExpr


@attrs.frozen
class Constructor:
    is_unsafe: bool
    lvls: int
    cidx: int
    params: int
    fields: int
    typ: MaybeExpr


@attrs.frozen
class Inductive:
    is_unsafe: bool
    lvls: int
    params: int
    indices: int
    typ: MaybeExpr
    ctors: tuple[Constructor, ...] = attrs.field(converter=tuple)


@attrs.frozen
class InductiveProj:
    idx: int
    block: Address = attrs.field(converter=Address)


@attrs.frozen
class ConstructorProj:
    idx: int
    cidx: int
    block: Address = attrs.field(converter=Address)


@attrs.frozen
class RecursorProj:
    idx: int
    block: Address = attrs.field(converter=Address)


@attrs.frozen
class DefinitionProj:
    idx: int
    block: Address = attrs.field(converter=Address)


MutConst = Definition | Inductive | Recursor
Projection = InductiveProj | ConstructorProj | RecursorProj | DefinitionProj


@attrs.frozen
class Muts:
    members: tuple[MutConst, ...] = attrs.field(converter=tuple)


ConstantInfo = Definition | Recursor | Axiom | Quotient | Projection | Muts


@attrs.frozen
class Constant:
    """A constant with its per-block tables (shared by every member of a Muts block)."""

    info: ConstantInfo
    sharing: tuple[MaybeExpr, ...] = attrs.field(default=(), converter=tuple)
    refs: tuple[Address, ...] = attrs.field(default=(), converter=lambda xs: tuple(Address(x) for x in xs))
    univs: tuple[Univ | None, ...] = attrs.field(default=(), converter=tuple)

    def encode(self) -> bytes:
        return encode_constant(self)

    def address(self) -> Address:
        return Address.hash(encode_constant(self))


# --- encoding --------------------------------------------------------------------------

_VARIANT_OF = {Definition: DEFN, Recursor: RECR, Axiom: AXIO, Quotient: QUOT,
               ConstructorProj: CPRJ, RecursorProj: RPRJ, InductiveProj: IPRJ, DefinitionProj: DPRJ}
_MUT_TAG = {Definition: MUT_DEFN, Inductive: MUT_INDC, Recursor: MUT_RECR}


def _put_payload(info, buf: bytearray) -> None:
    if isinstance(info, Definition):
        buf.append(info.kind << 2 | info.safety)
        buf += tag0(info.lvls)
        encode_expr(info.typ, buf)
        encode_expr(info.value, buf)
    elif isinstance(info, Recursor):
        buf.append(int(info.k) | int(info.is_unsafe) << 1)
        for n in (info.lvls, info.params, info.indices, info.motives, info.minors):
            buf += tag0(n)
        encode_expr(info.typ, buf)
        buf += tag0(len(info.rules))
        for rule in info.rules:
            buf += tag0(rule.fields)
            encode_expr(rule.rhs, buf)
    elif isinstance(info, Axiom):
        buf.append(int(info.is_unsafe))
        buf += tag0(info.lvls)
        encode_expr(info.typ, buf)
    elif isinstance(info, Quotient):
        buf.append(info.kind)
        buf += tag0(info.lvls)
        encode_expr(info.typ, buf)
    elif isinstance(info, Inductive):
        buf.append(int(info.is_unsafe))
        for n in (info.lvls, info.params, info.indices):
            buf += tag0(n)
        encode_expr(info.typ, buf)
        buf += tag0(len(info.ctors))
        for c in info.ctors:
            buf.append(int(c.is_unsafe))
            for n in (c.lvls, c.cidx, c.params, c.fields):
                buf += tag0(n)
            encode_expr(c.typ, buf)
    elif isinstance(info, ConstructorProj):
        buf += tag0(info.idx) + tag0(info.cidx) + info.block
    elif isinstance(info, (InductiveProj, RecursorProj, DefinitionProj)):
        buf += tag0(info.idx) + info.block
    else:
        raise TypeError(f"not an Ixon constant payload: {info!r}")


def encode_constant(c: Constant) -> bytes:
    buf = bytearray()
    if isinstance(c.info, Muts):
        buf += tag4(MUTS_FLAG, len(c.info.members))
        for m in c.info.members:
            buf.append(_MUT_TAG[type(m)])
            _put_payload(m, buf)
    else:
        buf += tag4(CONST_FLAG, _VARIANT_OF[type(c.info)])
        _put_payload(c.info, buf)
    buf += tag0(len(c.sharing))
    for e in c.sharing:
        encode_expr(e, buf)
    buf += tag0(len(c.refs))
    for a in c.refs:
        buf += a
    buf += tag0(len(c.univs))
    for u in c.univs:
        encode_univ(u, buf)
    return bytes(buf)


# --- decoding ----------------------------------------------------------------------------

ExprReader = Callable[[Reader], MaybeExpr]


def _definition(r: Reader, expr: ExprReader) -> Definition:
    at = r.pos
    packed = r.u8("a definition kind/safety byte")
    kind, safety = packed >> 2, packed & 3
    if kind > 2 or safety > 2:
        raise r.fail(f"definition kind<=2 and safety<=2, found byte {packed:02x}", at)
    return Definition(kind, safety, r.tag0("lvls"), expr(r), expr(r))


def _recursor(r: Reader, expr: ExprReader) -> Recursor:
    bits = r.u8("recursor flags")
    counts = [r.tag0(w) for w in ("lvls", "params", "indices", "motives", "minors")]
    typ = expr(r)
    rules = [RecursorRule(r.tag0("rule fields"), expr(r)) for _ in range(r.count(2, "a rule count"))]
    return Recursor(bool(bits & 1), bool(bits & 2), *counts, typ, rules)


def _inductive(r: Reader, expr: ExprReader) -> Inductive:
    unsafe = bool(r.u8("inductive flags") & 1)
    lvls, params, indices = (r.tag0(w) for w in ("lvls", "params", "indices"))
    typ = expr(r)
    ctors = []
    for _ in range(r.count(6, "a constructor count")):
        c_unsafe = r.bool("constructor is_unsafe")
        c_fields = [r.tag0(w) for w in ("lvls", "cidx", "params", "fields")]
        ctors.append(Constructor(c_unsafe, *c_fields, expr(r)))
    return Inductive(unsafe, lvls, params, indices, typ, ctors)


def _info(r: Reader, expr: ExprReader):
    at = r.pos
    head = r.data[at] if at < len(r.data) else 0
    if head >> 4 != MUTS_FLAG and (head >> 4 != CONST_FLAG or head & 0x08):
        raise r.fail(f"a constant head C?/D0-D7, found {head:02x}" if at < len(r.data) else "a constant head, found end of data", at)
    flag, size = r.tag4("a constant head")
    if flag == MUTS_FLAG:
        members = []
        for _ in range(size):
            tag_at = r.pos
            tag = r.u8("a mutual member tag")
            if tag == MUT_DEFN:
                members.append(_definition(r, expr))
            elif tag == MUT_INDC:
                members.append(_inductive(r, expr))
            elif tag == MUT_RECR:
                members.append(_recursor(r, expr))
            else:
                raise r.fail(f"a mutual member tag 0..2, found {tag}", tag_at)
        return Muts(members)
    if size == DEFN:
        return _definition(r, expr)
    if size == RECR:
        return _recursor(r, expr)
    if size == AXIO:
        return Axiom(r.bool("axiom is_unsafe"), r.tag0("lvls"), expr(r))
    if size == QUOT:
        q_at = r.pos
        kind = r.u8("a quotient kind")
        if kind > 3:
            raise r.fail(f"a quotient kind 0..3, found {kind}", q_at)
        return Quotient(kind, r.tag0("lvls"), expr(r))
    idx = r.tag0("a projection index")
    if size == CPRJ:
        return ConstructorProj(idx, r.tag0("a constructor index"), r.address("a block address"))
    cls = {RPRJ: RecursorProj, IPRJ: InductiveProj, DPRJ: DefinitionProj}[size]
    return cls(idx, r.address("a block address"))


def _parse(r: Reader, expr: ExprReader, univ: Callable[[Reader], Univ | None]) -> Constant:
    info = _info(r, expr)
    sharing = [expr(r) for _ in range(r.count(1, "a sharing count"))]
    refs = [r.address("a ref address") for _ in range(r.count(32, "a refs count"))]
    univs = [univ(r) for _ in range(r.count(1, "a univs count"))]
    if not r.at_end():
        raise r.fail(f"end of constant, found {r.remaining} trailing bytes")
    return Constant(info, sharing, refs, univs)


def decode_constant(data: bytes, source: str = "<constant>") -> Constant:
    """Full decode of exactly one constant; trailing bytes are an error (as `LazyConstant::get`)."""
    return _parse(Reader(data, source), decode_expr, decode_univ)


@attrs.frozen
class ConstantScan:
    """What the pipeline needs of a constant without its expression trees.

    head: the first byte (0xC? Muts, 0xD0-0xD7 the other variants).
    members: for a Muts block, one (kind, constructor count) pair per member.
    refs: the whole `refs` table (constants and blobs, used or not).
    const_refs: `refs` indices some Ref or Prj uses as a constant (Ix's walk edges).
    block: the block address of a projection, else None.
    """

    head: int
    members: tuple[tuple[int, int], ...]
    refs: tuple[Address, ...]
    const_refs: frozenset[int]
    block: Address | None

    @property
    def is_projection(self) -> bool:
        return self.head in PROJECTION_HEADS

    @property
    def is_muts(self) -> bool:
        return self.head >> 4 == MUTS_FLAG

    def walk_edges(self) -> list[Address]:
        """Refs used as constants plus a projection's block (Ix's `shard_claim::walk_edges`)."""
        edges = [a for i, a in enumerate(self.refs) if i in self.const_refs]
        if self.block is not None:
            edges.append(self.block)
        return edges


def scan_constant(data: bytes, source: str = "<constant>") -> ConstantScan:
    used: set[int] = set()

    def expr(r: Reader) -> None:
        skip_expr(r, used)

    c = _parse(Reader(data, source), expr, lambda r: skip_univ(r))
    members: tuple[tuple[int, int], ...] = ()
    if isinstance(c.info, Muts):
        members = tuple((_MUT_TAG[type(m)], len(m.ctors) if isinstance(m, Inductive) else 0) for m in c.info.members)
    block = c.info.block if isinstance(c.info, (InductiveProj, ConstructorProj, RecursorProj, DefinitionProj)) else None
    return ConstantScan(data[0], members, c.refs, frozenset(used), block)


# --- derived projection addresses (§4.4) ------------------------------------------------

_EMPTY_TABLES = b"\x00\x00\x00"


def indc_proj_address(i: int, block: bytes) -> Address:
    return Address.hash(b"\xd6" + tag0(i) + bytes(block) + _EMPTY_TABLES)


def ctor_proj_address(i: int, c: int, block: bytes) -> Address:
    return Address.hash(b"\xd4" + tag0(i) + tag0(c) + bytes(block) + _EMPTY_TABLES)


def recr_proj_address(i: int, block: bytes) -> Address:
    return Address.hash(b"\xd5" + tag0(i) + bytes(block) + _EMPTY_TABLES)


def defn_proj_address(i: int, block: bytes) -> Address:
    return Address.hash(b"\xd7" + tag0(i) + bytes(block) + _EMPTY_TABLES)


def member_targets(members: tuple[tuple[int, int], ...], block: bytes) -> list[Address]:
    """Ix's Block targets: each member's projection, and right after an inductive member
    its constructor projections in cidx order."""
    targets: list[Address] = []
    for i, (kind, n_ctors) in enumerate(members):
        if kind == MUT_INDC:
            targets.append(indc_proj_address(i, block))
            targets.extend(ctor_proj_address(i, c, block) for c in range(n_ctors))
        elif kind == MUT_RECR:
            targets.append(recr_proj_address(i, block))
        else:
            targets.append(defn_proj_address(i, block))
    return targets
