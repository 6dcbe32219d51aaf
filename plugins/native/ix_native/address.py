"""Canonical encoding and blake3 content addresses of Lean declarations (docs/addresses.md).

Two layers keep the cost proportional to the size of the interned expression DAG:

- **Expression nodes** hash context-free: `H(e) = blake3(0x45 'E' || node record)`, where a
  node record holds the node's tag, its non-expression fields and its children's 32-byte
  hashes. Constants are recorded by *name*, so one memo entry per interned `Expr` serves
  every declaration that shares the node.
- **Blocks** bind those names: a block record lists its members (kind, name, universe
  parameters, flags, expression hashes) and a *reference table* that maps every constant
  name the block mentions to the block address and member index it denotes (a member of
  the block itself is `SELF` + index: mutual cycles need no address). A dependency's
  address is therefore part of its consumer's address: a Merkle DAG over blocks.

Literals are inline node records with their own tags; the reference table only ever holds
constant addresses, so a literal payload can never alias a constant (unlike Ixon's shared
blob/constant address space, ix-pipeline spec 13.1). Binder names, binder infos, `mdata`
and let `nondep` flags are metadata that cannot change the kernel's verdict and are left
out; everything else is in (names included: the kernel treats Nat, Eq, Quot... specially).
"""
from __future__ import annotations

import blake3

from ixcore.address import Address

from .lean.expr import APP, BVAR, CONST, FVAR, LAM, LET, LIT, PI, PROJ, SORT
from .lean.level import IMAX, MAX, PARAM, SUCC, ZERO

EXPR_DOMAIN = b"E"
BLOCK_DOMAIN = b"B"
MEMBER_DOMAIN = b"M"

# reference-table targets
REF_SELF, REF_BLOCK, REF_MISSING = 0, 1, 2
# block kinds
BLOCK_DECLS, BLOCK_INDUCTIVE, BLOCK_QUOT = 0, 1, 2
# member kinds
M_AXIOM, M_DEF, M_THM, M_OPAQUE, M_QUOT, M_INDUCT, M_CTOR, M_REC = range(8)

HINT_KIND = {"opaque": 0, "abbrev": 1, "regular": 2}
SAFETY = {"safe": 0, "unsafe": 1, "partial": 2}
QUOT_KIND = {"type": 0, "ctor": 1, "lift": 2, "ind": 3}


def uvarint(n: int) -> bytes:
    """Unsigned LEB128."""
    if 0 <= n < 128:  # one byte: most counts, indices and de Bruijn indices
        return _ONE_BYTE[n]
    if n < 0:
        raise ValueError("uvarint of a negative number")
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


_ONE_BYTE = tuple(bytes([i]) for i in range(128))


def blob(data: bytes) -> bytes:
    return uvarint(len(data)) + data


def encode_name(name) -> bytes:
    """uvarint(#components), then per component 0x00 + utf8 blob or 0x01 + uvarint."""
    parts = name.components()
    out = [uvarint(len(parts))]
    for p in parts:
        if isinstance(p, int):
            out.append(b"\x01" + uvarint(p))
        else:
            out.append(b"\x00" + blob(p.encode("utf-8", "surrogatepass")))
    return b"".join(out)


def nat_bytes(n: int) -> bytes:
    """Minimal little-endian magnitude (0 is empty)."""
    return n.to_bytes((n.bit_length() + 7) // 8, "little")


class Encoder:
    """Memoised node hashes and record sizes for the interned DAG of one process.

    `expr_hash(e)` is iterative (no recursion limit) and touches every distinct node once
    over the Encoder's lifetime. `walk(roots)` returns, for one block, the constant names
    mentioned, and the bytes of its distinct node records.
    """

    def __init__(self):
        self._hash: dict = {}  # Expr -> 32-byte digest
        self._size: dict = {}  # Expr -> record length
        self._level: dict = {}  # Level -> bytes
        self._name: dict = {}  # Name -> bytes

    def name(self, name) -> bytes:
        b = self._name.get(name)
        if b is None:
            b = self._name[name] = encode_name(name)
        return b

    def level(self, lv) -> bytes:
        b = self._level.get(lv)
        if b is not None:
            return b
        out = bytearray()
        stack = [lv]
        while stack:  # pre-order, so the encoding is prefix-free
            x = stack.pop()
            k = x.kind
            if k == ZERO:
                out.append(0)
            elif k == SUCC:
                out.append(1)
                stack.append(x.a)
            elif k == MAX or k == IMAX:
                out.append(2 if k == MAX else 3)
                stack += (x.b, x.a)
            elif k == PARAM:
                out.append(4)
                out += self.name(x.a)
            else:
                raise ValueError(f"unknown level kind {k}")
        b = self._level[lv] = bytes(out)
        return b

    def _record(self, e, h) -> bytes:
        t = e.tag
        if t == BVAR:
            return b"\x00" + uvarint(e.idx)
        if t == SORT:
            return b"\x01" + self.level(e.level)
        if t == CONST:
            return b"\x02" + self.name(e.name) + uvarint(len(e.levels)) + b"".join(self.level(l) for l in e.levels)
        if t == APP:
            return b"\x03" + h[e.fn] + h[e.arg]
        if t == LAM:
            return b"\x04" + h[e.type] + h[e.body]
        if t == PI:
            return b"\x05" + h[e.type] + h[e.body]
        if t == LET:
            return b"\x06" + h[e.type] + h[e.value] + h[e.body]
        if t == LIT:
            v = e.value
            if isinstance(v, int):
                return b"\x07" + blob(nat_bytes(v))
            return b"\x08" + blob(v.encode("utf-8", "surrogatepass"))
        if t == PROJ:
            return b"\x09" + self.name(e.sname) + uvarint(e.idx) + h[e.struct]
        if t == FVAR:
            raise ValueError("free variables have no content address")
        raise ValueError(f"unknown expression tag {t}")

    def expr_hash(self, root) -> bytes:
        h = self._hash
        got = h.get(root)
        if got is not None:
            return got
        size = self._size
        b3 = blake3.blake3
        stack = [root]
        pop, push = stack.pop, stack.append
        while stack:  # iterative post-order; the common tags inline (this loop is hot)
            e = pop()
            if e in h:
                continue
            t = e.tag
            if t == APP:
                f, a = e.fn, e.arg
                hf, ha = h.get(f), h.get(a)
                if hf is None or ha is None:
                    push(e)
                    if hf is None:
                        push(f)
                    if ha is None:
                        push(a)
                    continue
                rec = b"\x03" + hf + ha
            elif t == LAM or t == PI:
                ty, body = e.type, e.body
                ht, hb = h.get(ty), h.get(body)
                if ht is None or hb is None:
                    push(e)
                    if ht is None:
                        push(ty)
                    if hb is None:
                        push(body)
                    continue
                rec = (b"\x04" if t == LAM else b"\x05") + ht + hb
            else:
                pending = [c for c in expr_children(e) if c not in h]
                if pending:
                    push(e)
                    stack += pending
                    continue
                rec = self._record(e, h)
            size[e] = len(rec) + 1
            h[e] = b3(EXPR_DOMAIN + rec).digest()
        return h[root]

    def walk(self, roots) -> tuple[list, int]:
        """Constant names (first-seen order) and total record bytes of the distinct nodes
        reachable from `roots` (the block's share of the DAG)."""
        for r in roots:
            self.expr_hash(r)
        seen = set()
        names: dict = {}
        total = 0
        size = self._size
        stack = list(roots)
        while stack:
            e = stack.pop()
            if e in seen:
                continue
            seen.add(e)
            total += size[e]
            t = e.tag
            if t == APP:  # the children of the common tags inline: this loop is hot
                stack.append(e.fn)
                stack.append(e.arg)
            elif t == LAM or t == PI:
                stack.append(e.type)
                stack.append(e.body)
            elif t == CONST:
                names[e.name] = None
            elif t == PROJ:
                names[e.sname] = None  # the kernel looks the structure up by name
                stack.append(e.struct)
            else:
                stack += expr_children(e)
        return list(names), total


def expr_children(e) -> tuple:
    """The sub-expressions of a node (none for leaves)."""
    t = e.tag
    if t == APP:
        return (e.fn, e.arg)
    if t == LAM or t == PI:
        return (e.type, e.body)
    if t == LET:
        return (e.type, e.value, e.body)
    if t == PROJ:
        return (e.struct,)
    return ()


def member_address(block: bytes, index: int) -> Address:
    """blake3(0x4D 'M' || block address || uvarint(index)): a member of a multi-member block."""
    return Address(blake3.blake3(MEMBER_DOMAIN + bytes(block) + uvarint(index)).digest())


def block_address(record: bytes) -> Address:
    return Address(blake3.blake3(BLOCK_DOMAIN + record).digest())
