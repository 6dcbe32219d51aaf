"""Ixon expressions (Tag4, pre-order) with maximal App/Lam/All telescopes.

The in-memory form is binary (App(f, a), Lam(t, b), All(t, b)); the writer collapses each
maximal spine into one telescope head, exactly as Ix does, and a `Share` node ends a
spine. Encoding, decoding and skipping are iterative so deeply nested terms (long list
literals, big proofs) do not hit Python's recursion limit.
"""
from __future__ import annotations

import attrs

from .tags import Reader, tag0, tag4

SORT, VAR, REF, REC, PRJ, STR, NAT, APP, LAM, ALL, LET, SHARE = range(12)


@attrs.frozen
class Sort:
    univ: int  # index into the constant's `univs`


@attrs.frozen
class Var:
    index: int  # de Bruijn index


@attrs.frozen
class Ref:
    ref: int  # index into `refs`
    univs: tuple[int, ...] = attrs.field(default=(), converter=tuple)


@attrs.frozen
class Rec:
    member: int  # position in the mutual block (0 for a standalone self-reference)
    univs: tuple[int, ...] = attrs.field(default=(), converter=tuple)


@attrs.frozen
class Prj:
    ref: int  # `refs` index of the structure type
    field: int
    struct: "Expr"


@attrs.frozen
class Str:
    ref: int  # `refs` index of a UTF-8 blob


@attrs.frozen
class Nat:
    ref: int  # `refs` index of a little-endian blob


@attrs.frozen
class App:
    fn: "Expr"
    arg: "Expr"


@attrs.frozen
class Lam:
    ty: "Expr"
    body: "Expr"


@attrs.frozen
class All:
    ty: "Expr"
    body: "Expr"


@attrs.frozen
class Let:
    non_dep: bool
    ty: "Expr"
    val: "Expr"
    body: "Expr"


@attrs.frozen
class Share:
    index: int  # index into `sharing`


Expr = Sort | Var | Ref | Rec | Prj | Str | Nat | App | Lam | All | Let | Share

_LEAF_FLAG = {Sort: (SORT, "univ"), Var: (VAR, "index"), Str: (STR, "ref"), Nat: (NAT, "ref"), Share: (SHARE, "index")}


def encode_expr(e: Expr, out: bytearray | None = None) -> bytes:
    """Pre-order bytes of `e`, with every App/Lam/All spine collapsed maximally."""
    buf = bytearray() if out is None else out
    pending: list[Expr] = [e]
    while pending:
        e = pending.pop()
        leaf = _LEAF_FLAG.get(type(e))
        if leaf is not None:
            buf += tag4(leaf[0], getattr(e, leaf[1]))
        elif isinstance(e, (Ref, Rec)):
            buf += tag4(REF if isinstance(e, Ref) else REC, len(e.univs))
            buf += tag0(e.ref if isinstance(e, Ref) else e.member)
            for u in e.univs:
                buf += tag0(u)
        elif isinstance(e, App):
            args = []
            while isinstance(e, App):
                args.append(e.arg)
                e = e.fn
            buf += tag4(APP, len(args))
            pending += args  # args were collected last-first: popping yields source order
            pending.append(e)
        elif isinstance(e, (Lam, All)):
            kind = type(e)
            types = []
            while type(e) is kind:
                types.append(e.ty)
                e = e.body
            buf += tag4(LAM if kind is Lam else ALL, len(types))
            pending.append(e)
            pending += reversed(types)
        elif isinstance(e, Let):
            buf += tag4(LET, 1 if e.non_dep else 0)
            pending += (e.body, e.val, e.ty)
        elif isinstance(e, Prj):
            buf += tag4(PRJ, e.field) + tag0(e.ref)
            pending.append(e.struct)
        else:
            raise TypeError(f"not an Ixon expression: {e!r}")
    return bytes(buf)


def _node(r: Reader, at: int) -> tuple[int, int, object]:
    """Read one head: (flag, number of child expressions, scalar payload)."""
    flag, size = r.tag4("an expression head")
    if flag in (REF, REC):
        idx = r.tag0("a Ref/Rec index")
        return flag, 0, (idx, tuple(r.tag0("a universe index") for _ in range(size)))
    if flag == PRJ:
        return flag, 1, (r.tag0("a Prj type index"), size)
    if flag in (APP, LAM, ALL):
        if size == 0:
            raise r.fail("a telescope of at least one App/Lam/All", at)
        return flag, size + 1, size
    if flag == LET:
        return flag, 3, size != 0
    if flag > SHARE:
        raise r.fail(f"an expression flag 0x0..0xB, found 0x{flag:X}", at)
    return flag, 0, size


def _build(flag: int, payload, children: list) -> Expr:
    if flag == APP:
        e = children[0]
        for a in children[1:]:
            e = App(e, a)
        return e
    if flag in (LAM, ALL):
        cls = Lam if flag == LAM else All
        e = children[-1]
        for t in reversed(children[:-1]):
            e = cls(t, e)
        return e
    if flag == LET:
        return Let(payload, *children)
    return Prj(payload[0], payload[1], children[0])


_LEAF_CLASS = {SORT: Sort, VAR: Var, STR: Str, NAT: Nat, SHARE: Share}


def decode_expr(r: Reader) -> Expr:
    frames: list[tuple[int, object, int, list]] = []
    while True:
        at = r.pos
        flag, arity, payload = _node(r, at)
        if arity:
            frames.append((flag, payload, arity, []))
            continue
        if flag in (REF, REC):
            value: Expr = (Ref if flag == REF else Rec)(*payload)
        else:
            value = _LEAF_CLASS[flag](payload)
        while frames:
            flag, payload, arity, children = frames[-1]
            children.append(value)
            if len(children) < arity:
                break
            frames.pop()
            value = _build(flag, payload, children)
        else:
            return value


def skip_expr(r: Reader, const_refs: set[int] | None = None) -> None:
    """Advance past one expression; add the `refs` indices it uses as constants (Ref, Prj)
    to `const_refs` (Ix's claim-walk relation; Str/Nat blob indices are not added)."""
    pending = 1
    while pending:
        pending -= 1
        at = r.pos
        flag, arity, payload = _node(r, at)
        pending += arity
        if const_refs is not None and flag in (REF, PRJ):
            const_refs.add(payload[0])
