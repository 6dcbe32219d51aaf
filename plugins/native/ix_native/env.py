"""Blocks, content addresses and the `ndjson` environment format (NativeEnv).

A *block* is the unit of checking and sharding (lean-kernel spec (d)5): one `inductive`
export object (types, constructors, recursors); the def/thm/opaque lines sharing an `all`
list of size > 1 (a mutual group); the four quot lines; otherwise one declaration.
Blocks are addressed in dependency order (a block's record holds the addresses of the
blocks it references, see `address.py` and docs/addresses.md); an environment whose block
references form a cycle is rejected as input.
"""
from __future__ import annotations

import heapq
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from ixcore.address import Address
from ixcore.errors import InputError, IxError
from ixcore.merkle import merkle_root
from ixcore.model import WorkItem

from .address import (
    BLOCK_DECLS,
    BLOCK_INDUCTIVE,
    BLOCK_QUOT,
    HINT_KIND,
    M_AXIOM,
    M_CTOR,
    M_DEF,
    M_INDUCT,
    M_OPAQUE,
    M_QUOT,
    M_REC,
    M_THM,
    QUOT_KIND,
    REF_BLOCK,
    REF_MISSING,
    REF_SELF,
    SAFETY,
    Encoder,
    block_address,
    member_address,
    uvarint,
)
from .env_index import EnvIndex, IndexCache

if TYPE_CHECKING:
    from ixcore.profile import Profile

_QUOT_ORDER = {"type": 0, "ctor": 1, "lift": 2, "ind": 3}
_MISSING, _SELF, _BLOCK = bytes([REF_MISSING]), bytes([REF_SELF]), bytes([REF_BLOCK])


class RejectedEnv(IxError):
    """The environment is rejected as `ix check` rejects it (a verdict, so exit 1): nothing
    of it is profiled or proven."""

    exit_code = 1


@attrs.frozen(eq=False)
class Member:
    """One constant of a block: `kind` (M_*), its export record (Decl, InductiveType,
    Constructor or Recursor) and the Decl that carries it."""

    kind: int
    name: object
    record: object
    decl: object


@attrs.frozen(eq=False)
class Block:
    """A block before addressing: its members in canonical order and its Decls in file order."""

    kind: int
    members: tuple
    decls: tuple

    @property
    def name(self):
        return self.members[0].name


def group_blocks(decls) -> list[Block]:
    """Group export declarations into blocks (members in a file-order-independent order)."""
    blocks: list[Block] = []
    groups: dict = {}  # frozenset(all) -> list of decls
    quot: list = []
    order: list = []  # ("block", Block) | ("group", key) | ("quot",) in first-appearance order
    for d in decls:
        k = d.kind
        if k == "inductive":
            order.append(("block", _inductive_block(d)))
        elif k == "quot":
            if not quot:
                order.append(("quot",))
            quot.append(d)
        elif k in ("def", "thm", "opaque") and len(d.all) > 1:
            key = frozenset(d.all)
            if key not in groups:
                groups[key] = []
                order.append(("group", key))
            groups[key].append(d)
        else:
            order.append(("block", Block(BLOCK_DECLS, (_decl_member(d),), (d,))))
    for entry in order:
        if entry[0] == "block":
            blocks.append(entry[1])
        elif entry[0] == "quot":
            ms = sorted(quot, key=lambda d: _QUOT_ORDER[d.quot_kind])
            blocks.append(Block(BLOCK_QUOT, tuple(Member(M_QUOT, d.name, d, d) for d in ms), tuple(quot)))
        else:
            ds = groups[entry[1]]
            rank = {n: i for i, n in enumerate(ds[0].all)}
            ms = sorted(ds, key=lambda d: rank.get(d.name, len(rank)))
            blocks.append(Block(BLOCK_DECLS, tuple(_decl_member(d) for d in ms), tuple(ds)))
    return blocks


def _decl_member(d) -> Member:
    kind = {"axiom": M_AXIOM, "def": M_DEF, "thm": M_THM, "opaque": M_OPAQUE}[d.kind]
    return Member(kind, d.name, d, d)


def _inductive_block(d) -> Block:
    members = []
    ctor_by_name = {c.name: c for c in d.ctors}
    for t in d.types:
        members.append(Member(M_INDUCT, t.name, t, d))
        for cn in t.ctors:
            c = ctor_by_name.get(cn)
            if c is not None:
                members.append(Member(M_CTOR, c.name, c, d))
    listed = {m.name for m in members}
    members += [Member(M_CTOR, c.name, c, d) for c in d.ctors if c.name not in listed]
    members += [Member(M_REC, r.name, r, d) for r in sorted(d.recs, key=lambda r: str(r.name))]
    return Block(BLOCK_INDUCTIVE, tuple(members), (d,))


def _exprs_of(m: Member) -> list:
    r = m.record
    out = [r.type]
    if m.kind in (M_DEF, M_THM, M_OPAQUE):
        out.append(r.value)
    elif m.kind == M_REC:
        out += [rule.rhs for rule in r.rules]
    return out


def _names_of(m: Member) -> list:
    """Constant names a member mentions outside its expressions."""
    r = m.record
    if m.kind == M_INDUCT:
        return list(r.all) + list(r.ctors)
    if m.kind == M_CTOR:
        return [r.induct]
    if m.kind == M_REC:
        return list(r.all) + [rule.ctor for rule in r.rules]
    if m.kind in (M_DEF, M_THM, M_OPAQUE):
        return list(r.all)
    return []


def check_declaration_order(path, block: Block, names, line_of: dict) -> None:
    """Reject a declaration that mentions a constant declared only after it in the file.

    `ix check` adds declarations in file order, so such a declaration meets an unknown
    constant and is rejected; a leaf's sub-environment is written in dependency order and
    would accept it. Applying `ix check`'s rule when the env is loaded keeps `ix prove` from
    certifying what `ix check` rejects. `names`: the constants the block's expressions
    mention (first-seen order, types before values, as the kernel meets them)."""
    per_decl: tuple[tuple[Any, Iterable], ...]  # (declaration, the constants it mentions)
    if len(block.decls) == 1:
        per_decl = ((block.decls[0], names),)
    else:  # a mutual group or the quotient lines: each declaration is added on its own
        per_decl = tuple((d, _consts_of(m for m in block.members if m.decl is d)) for d in block.decls)
    for decl, mentioned in per_decl:
        for x in mentioned:
            later = line_of.get(x)
            if later is not None and later > decl.line:
                raise RejectedEnv(
                    f"{path}:{decl.line}: {decl.name}: unknown constant {x} (declared later, on line {later}); "
                    f"declarations must only mention constants declared before them, as `ix check` requires")


def _consts_of(members) -> list:
    """Constant names (and projection structures) the members' expressions mention, in
    first-seen order (`Encoder.walk` without the encoding)."""
    from .address import expr_children
    from .lean.expr import CONST, PROJ

    seen: set = set()
    names: dict = {}
    stack = [e for m in members for e in reversed(_exprs_of(m))]
    while stack:
        e = stack.pop()
        if e in seen:
            continue
        seen.add(e)
        if e.tag == CONST:
            names[e.name] = None
        elif e.tag == PROJ:
            names[e.sname] = None
        stack += expr_children(e)
    return list(names)


class _Addressing:
    """Computes block records and addresses in dependency order."""

    def __init__(self, blocks: list[Block], path: str):
        self.blocks = blocks
        self.enc = Encoder()
        self.where: dict = {}  # constant name -> (block index, member index)
        line_of: dict = {}  # constant name -> line of the declaration that declares it
        for bi, b in enumerate(blocks):
            for mi, m in enumerate(b.members):
                if m.name in self.where:
                    other = blocks[self.where[m.name][0]].decls[0]
                    raise InputError(f"{path}:{m.decl.line}: duplicate declaration {m.name} (first on line {other.line})")
                self.where[m.name] = (bi, mi)
                line_of[m.name] = m.decl.line
        n = len(blocks)
        self.names: list[list] = [None] * n
        import numpy as np

        self.sizes = np.zeros(n, dtype=np.int64)
        self.deps: list[list[int]] = [None] * n
        for bi, b in enumerate(blocks):
            roots = [e for m in b.members for e in _exprs_of(m)]
            names, node_bytes = self.enc.walk(roots)
            check_declaration_order(path, b, names, line_of)
            extra = [x for m in b.members for x in _names_of(m)]
            seen = dict.fromkeys(names + extra)
            self.names[bi] = list(seen)
            self.sizes[bi] = node_bytes
            self.deps[bi] = sorted({self.where[x][0] for x in seen if x in self.where} - {bi})
        self.addrs: list[Address] = [None] * n
        self.records: list[bytes] = [None] * n
        self._outside_refs: dict[Any, bytes] = {}  # constant name -> its reference-table entry from another block
        self.order = self._topo_order(path)
        for bi in self.order:
            rec = self._record(bi)
            self.records[bi] = rec
            self.addrs[bi] = block_address(rec)
            self.sizes[bi] += len(rec)

    def _topo_order(self, path) -> list[int]:
        n = len(self.blocks)
        indeg = [len(d) for d in self.deps]
        users: list[list[int]] = [[] for _ in range(n)]
        for bi, ds in enumerate(self.deps):
            for d in ds:
                users[d].append(bi)
        ready = [i for i in range(n) if indeg[i] == 0]
        heapq.heapify(ready)
        out = []
        while ready:
            i = heapq.heappop(ready)
            out.append(i)
            for u in users[i]:
                indeg[u] -= 1
                if indeg[u] == 0:
                    heapq.heappush(ready, u)
        if len(out) != n:
            stuck = next(i for i in range(n) if indeg[i] > 0)
            b = self.blocks[stuck]
            raise InputError(
                f"{path}:{b.decls[0].line}: block {b.name} is part of a reference cycle between blocks "
                f"(mutual groups must be closed under reference)")
        return out

    def _member_record(self, bi: int, m: Member) -> bytes:
        enc = self.enc
        r = m.record
        k = m.kind
        parts = [bytes([k]), enc.name(m.name), uvarint(len(r.level_params))]
        parts += [enc.name(p) for p in r.level_params]
        parts.append(enc.expr_hash(r.type))

        def names(xs):
            return uvarint(len(xs)) + b"".join(enc.name(x) for x in xs)

        if k == M_AXIOM:
            parts.append(bytes([r.safety == "unsafe"]))
        elif k == M_DEF:
            parts += [enc.expr_hash(r.value), bytes([HINT_KIND[r.hints.kind]]), uvarint(r.hints.height),
                      bytes([SAFETY[r.safety]]), names(r.all)]
        elif k == M_THM:
            parts += [enc.expr_hash(r.value), names(r.all)]
        elif k == M_OPAQUE:
            parts += [enc.expr_hash(r.value), bytes([r.safety == "unsafe"]), names(r.all)]
        elif k == M_QUOT:
            parts.append(bytes([QUOT_KIND[r.quot_kind]]))
        elif k == M_INDUCT:
            flags = r.is_rec | (r.is_reflexive << 1) | (r.is_unsafe << 2)
            parts += [uvarint(r.num_params), uvarint(r.num_indices), uvarint(r.num_nested), bytes([flags]),
                      names(r.all), names(r.ctors)]
        elif k == M_CTOR:
            parts += [enc.name(r.induct), uvarint(r.cidx), uvarint(r.num_params), uvarint(r.num_fields),
                      bytes([r.is_unsafe])]
        elif k == M_REC:
            parts += [names(r.all), uvarint(r.num_params), uvarint(r.num_indices), uvarint(r.num_motives),
                      uvarint(r.num_minors), bytes([r.k | (r.is_unsafe << 1)]), uvarint(len(r.rules))]
            for rule in r.rules:
                parts += [enc.name(rule.ctor), uvarint(rule.nfields), enc.expr_hash(rule.rhs)]
        return b"".join(parts)

    def _record(self, bi: int) -> bytes:
        b = self.blocks[bi]
        enc = self.enc
        parts = [bytes([b.kind]), uvarint(len(b.members))]
        parts += [self._member_record(bi, m) for m in b.members]
        refs = []
        where, outside = self.where, self._outside_refs
        for name in self.names[bi]:
            loc = where.get(name)
            if loc is None:
                ref = enc.name(name) + _MISSING
            elif loc[0] == bi:
                ref = enc.name(name) + _SELF + uvarint(loc[1])
            else:  # the same entry in every block that references this constant
                known = outside.get(name)
                if known is None:
                    known = outside[name] = enc.name(name) + _BLOCK + bytes(self.addrs[loc[0]]) + uvarint(loc[1])
                ref = known
            refs.append(ref)
        # encoded names are prefix-free and distinct within a table, so sorting the
        # entries sorts them by name
        refs.sort()
        parts.append(uvarint(len(refs)))
        parts += refs
        return b"".join(parts)


class NativeEnv:
    """A lean4export environment as content-addressed blocks (the `Env` role contract).

    Built from an `EnvIndex` (addresses, names, sizes, references: all the pipeline reads
    when nothing needs proving), the parsed export, its blocks and their records are loaded
    from `path` on first use (`blocks`, `export`, `decls_of`, `block_record`,
    `write_sub_env`, the kernel profiler) and must then reproduce the index exactly.
    """

    format = "ndjson"

    def __init__(self, path, export):
        self.path = Path(path)
        self._cache = None
        self._full = None
        self._install_full(export)
        self._set_index(self._full[2])

    @classmethod
    def from_index(cls, path, index: EnvIndex, cache: IndexCache | None = None) -> "NativeEnv":
        """An env whose export is read from `path` only when first needed; `cache` is the
        entry `index` came from, dropped if the file turns out to disagree with it."""
        env = cls.__new__(cls)
        env.path = Path(path)
        env._cache = cache
        env._full = None
        env._set_index(index)
        return env

    def _install_full(self, export) -> None:
        blocks = group_blocks(export.decls)
        a = _Addressing(blocks, str(self.path))
        index = EnvIndex(
            addrs=tuple(a.addrs), names=tuple(tuple(str(m.name) for m in b.members) for b in blocks),
            sizes=a.sizes, deps=tuple(tuple(d) for d in a.deps), order=tuple(a.order),
            root=merkle_root(t for i in range(len(blocks)) for t in _proven_targets(a.addrs[i], len(blocks[i].members))),
        )
        if len(set(index.addrs)) != len(blocks):
            dup = next(i for i, x in enumerate(a.addrs) if a.addrs.index(x) != i)
            raise InputError(f"{self.path}:{blocks[dup].decls[0].line}: block {blocks[dup].name} repeats an earlier block")
        self._full = (export, blocks, index, a.records)

    def _set_index(self, index: EnvIndex) -> None:
        self._ix = index
        self._index = {addr: i for i, addr in enumerate(index.addrs)}
        self._block_by_name = {n: index.addrs[i] for i, ns in enumerate(index.names) for n in ns}
        self._items = [_work_item(addr, names) for addr, names in zip(index.addrs, index.names)]
        self._names: dict[Address, str] = {}
        for item in self._items:
            self._names[item.block] = item.names[0]
            for t, n in zip(item.targets, item.names):
                self._names.setdefault(t, n)

    def load_full(self) -> None:
        """Parse the export now (before forking workers, so they share it)."""
        if self._full is not None:
            return
        from .lean.export import read_export

        indexed = self._ix
        self._install_full(read_export(self.path))
        fresh = self._full[2]
        if not fresh.same_content(indexed):
            self._full = None
            if self._cache is not None:
                self._cache.drop()
            raise InputError(
                f"{self.path}: the file no longer matches its cached env index (env root {indexed.root} "
                f"cached, {fresh.root} recomputed); the cache entry is dropped, run again")

    @property
    def export(self):
        self.load_full()
        return self._full[0]

    @property
    def blocks(self) -> list[Block]:
        self.load_full()
        return self._full[1]

    def __getstate__(self):
        """Workers get the index and the path; the export is re-read there on first use."""
        state = self.__dict__.copy()
        state["_full"] = None
        return state

    # ---------------------------------------------------------------- Env contract

    def work_items(self) -> list[WorkItem]:
        return sorted(self._items, key=lambda w: w.block)

    def env_root(self) -> Address:
        return self._ix.root

    def name_of(self, addr) -> str | None:
        return self._names.get(Address(addr))

    def block_index(self, block) -> int:
        try:
            return self._index[Address(block)]
        except KeyError:
            raise InputError(f"{self.path}: no block with address {Address(block)}") from None

    def block_address_at(self, index: int) -> Address:
        """Address of `self.blocks[index]`."""
        return self._ix.addrs[index]

    def block_of_name(self, name) -> Address | None:
        """The block that declares constant `name` (a Name or its dotted string)."""
        return self._block_by_name.get(str(name))

    def block_size(self, block) -> int:
        """Bytes of the block record plus its distinct expression node records."""
        return int(self._ix.sizes[self.block_index(block)])

    def block_refs(self, block) -> set[Address]:
        ix = self._ix
        return {ix.addrs[d] for d in ix.deps[self.block_index(block)]}

    def block_record(self, block) -> bytes:
        i = self.block_index(block)
        self.load_full()
        return self._full[3][i]

    def decls_of(self, block) -> list:
        """The export declarations of a block, in file order (what the kernel checks)."""
        i = self.block_index(block)
        return list(self.blocks[i].decls)

    def closure(self, blocks) -> list[Address]:
        """The blocks and everything they reference, transitively, in dependency order."""
        ix = self._ix
        todo = [self.block_index(b) for b in blocks]
        keep = set(todo)
        while todo:
            for d in ix.deps[todo.pop()]:
                if d not in keep:
                    keep.add(d)
                    todo.append(d)
        return [ix.addrs[i] for i in ix.order if i in keep]

    def write_sub_env(self, blocks, path) -> Path:
        from .subenv import write_sub_env

        return write_sub_env(self, blocks, path)

    def static_profile(self) -> Profile:
        """Sizes and static reference edges (consumer -> referenced block), no kernel run.

        As Ix main's profile-free strategy, a block's size stands in for its work: it is
        the heartbeat count and the `subst` counter, so every cost model gives a weight
        proportional to size rather than zero."""
        ix = self._ix
        rows = {}
        edges = {}
        for i, addr in enumerate(ix.addrs):
            size = int(ix.sizes[i])
            rows[addr] = {"size": size, "heartbeats": size, "subst": size, "const_count": len(ix.names[i])}
            edges[addr] = {ix.addrs[d] for d in ix.deps[i]}
        from ixcore.profile import Profile

        return Profile.build(rows, edges)


def _proven_targets(addr: Address, members: int) -> tuple[Address, ...]:
    if members == 1:
        return (addr,)
    return (addr,) + tuple(member_address(addr, j) for j in range(members))


def _work_item(addr: Address, names: tuple[str, ...]) -> WorkItem:
    """A block as the pipeline sees it: a lone constant is its own target; a multi-member
    block certifies its block address and one address per member."""
    if len(names) == 1:
        return WorkItem(block=addr, primary=addr, targets=(addr,), proven_targets=(addr,), names=names)
    proven = _proven_targets(addr, len(names))
    return WorkItem(block=addr, primary=proven[1], targets=proven[1:], proven_targets=proven, names=names)


class NdjsonFormat:
    """The `ndjson` env format: lean4export NDJSON (3.x) files."""

    name = "ndjson"

    def sniff(self, path) -> bool:
        from .sniff import looks_like_export

        return looks_like_export(path)

    def indexed_root(self, path) -> tuple[Address, int] | None:
        """(env root, block count) from this file's authenticated env-index cache entry,
        without loading the env; None when there is no valid entry."""
        cache = IndexCache.for_env(path) if Path(path).is_file() else None
        return cache.summary() if cache is not None else None

    def load(self, path, trust: bool | None = None, **_options) -> NativeEnv:
        """From the cached env index when one matches the file's bytes, else by parsing
        the export (and caching its index for the next run). `trust=False` (a verifier)
        recomputes everything from the file and neither reads nor writes the cache."""
        from .lean.export import read_export

        if not Path(path).is_file():
            raise InputError(f"{path}: no such file")
        cache = IndexCache.for_env(path) if trust is not False else None
        index = cache.load() if cache is not None else None
        if index is not None:
            return NativeEnv.from_index(path, index, cache)
        env = NativeEnv(path, read_export(path))
        if cache is not None:
            cache.save(env._ix)
            env._cache = cache
        return env
