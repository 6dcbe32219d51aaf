"""Closure sub-environments: a valid lean4export NDJSON file holding some blocks and every
block they reference, transitively, in dependency order, with freshly numbered ids.

The file re-exports the parsed declarations verbatim (binder names and infos included), so
loading it gives the same block addresses; it is what a leaf prover ships to a checker that
admits the dependencies and checks only the shard's own blocks.

The leaf prover writes the file, binds its claim to the blake3 of the bytes and then loads
it. Parsing and re-addressing the bytes it has just written would cost more than checking
them, so `write_sub_env` keeps what it serialized (`SubEnv`: the parent's own declaration
objects, in file order) under the digest of the bytes, and `load_sub_env` hands that back
when the file still hashes to it; any other file is parsed as usual. The bytes are written
from exactly those objects, and re-executing a leaf writes the same bytes again.
"""
from __future__ import annotations

from pathlib import Path

import attrs
import blake3
import orjson

from ixcore.address import Address
from ixcore.errors import InputError

from .address import expr_children
from .lean.export import Export
from .lean.expr import APP, BINDER_INFOS, BVAR, CONST, LAM, LET, LIT, PI, PROJ, SORT
from .lean.level import IMAX, MAX, PARAM, SUCC, ZERO

_META = {
    "meta": {
        "exporter": {"name": "ix sub-env", "version": "1.0.0"},
        "format": {"version": "3.1.0"},
        "lean": {"githash": "", "version": ""},
    }
}


_BINDER_INFO_JSON = tuple(orjson.dumps(b) for b in BINDER_INFOS)
_BUFFER = 1 << 20


class ExportWriter:
    """Interns kernel names, levels and expressions into new ids, emitting each primitive
    line before its first use. Expression lines, most of the file, are formatted as bytes
    directly (the same bytes orjson writes for the equivalent object) and written in
    chunks; `close()` flushes."""

    def __init__(self, out):
        self.out = out
        self.buf = bytearray()
        self.names: dict = {}
        self.levels: dict = {}
        self.exprs: dict = {}
        self._line(_META)

    def _line(self, obj) -> None:
        self._raw(orjson.dumps(obj) + b"\n")

    def _raw(self, line: bytes) -> None:
        buf = self.buf
        buf += line
        if len(buf) >= _BUFFER:
            self.out.write(bytes(buf))
            buf.clear()

    def close(self) -> None:
        if self.buf:
            self.out.write(bytes(self.buf))
            self.buf.clear()

    def name(self, n) -> int:
        if n.prefix is None:
            return 0
        nid = self.names.get(n)
        if nid is not None:
            return nid
        pre = self.name(n.prefix)
        nid = self.names[n] = len(self.names) + 1
        if isinstance(n.part, int):
            self._line({"in": nid, "num": {"pre": pre, "i": n.part}})
        else:
            self._line({"in": nid, "str": {"pre": pre, "str": n.part}})
        return nid

    def level(self, lv) -> int:
        if lv.kind == ZERO:
            return 0
        lid = self.levels.get(lv)
        if lid is not None:
            return lid
        k = lv.kind
        if k == SUCC:
            body = {"succ": self.level(lv.a)}
        elif k == MAX:
            body = {"max": [self.level(lv.a), self.level(lv.b)]}
        elif k == IMAX:
            body = {"imax": [self.level(lv.a), self.level(lv.b)]}
        elif k == PARAM:
            body = {"param": self.name(lv.a)}
        else:
            raise ValueError(f"unknown level kind {k}")
        lid = self.levels[lv] = len(self.levels) + 1
        self._line({"il": lid, **body})
        return lid

    def expr(self, root) -> int:
        """The id of `root`, writing the lines of every node not written yet, children
        first (iterative post-order: export terms can be very deep). The common tags are
        formatted inline; this loop is most of a leaf's overhead outside the kernel."""
        ids = self.exprs
        got = ids.get(root)
        if got is not None:
            return got
        buf = self.buf
        stack = [root]
        pop, push = stack.pop, stack.append
        while stack:
            e = pop()
            if e in ids:
                continue
            t = e.tag
            if t == APP:
                f, a = e.fn, e.arg
                fi, ai = ids.get(f), ids.get(a)
                if fi is None or ai is None:
                    push(e)
                    if fi is None:
                        push(f)
                    if ai is None:
                        push(a)
                    continue
                eid = ids[e] = len(ids)
                buf += b'{"ie":%d,"app":{"fn":%d,"arg":%d}}\n' % (eid, fi, ai)
            elif t == LAM or t == PI:
                ty, body = e.type, e.body
                ti, bi = ids.get(ty), ids.get(body)
                if ti is None or bi is None:
                    push(e)
                    if ti is None:
                        push(ty)
                    if bi is None:
                        push(body)
                    continue
                eid = ids[e] = len(ids)
                buf += b'{"ie":%d,"%s":{"name":%d,"type":%d,"body":%d,"binderInfo":%s}}\n' % (
                    eid, b"lam" if t == LAM else b"forallE", self.name(e.name), ti, bi, _BINDER_INFO_JSON[e.bi])
            else:
                pending = [c for c in expr_children(e) if c not in ids]
                if pending:
                    push(e)
                    stack += pending
                    continue
                eid = ids[e] = len(ids)
                buf += b'{"ie":%d,%s}\n' % (eid, self._body(e))
            if len(buf) >= _BUFFER:
                self.out.write(bytes(buf))
                buf.clear()
        return ids[root]

    def _body(self, e) -> bytes:
        """The fields after "ie" of a line of the rarer tags, as orjson writes them."""
        t = e.tag
        ids = self.exprs
        if t == BVAR:
            return b'"bvar":%d' % e.idx
        if t == CONST:
            us = b",".join(b"%d" % self.level(lv) for lv in e.levels)
            return b'"const":{"name":%d,"us":[%s]}' % (self.name(e.name), us)
        if t == SORT:
            return b'"sort":%d' % self.level(e.level)
        if t == LET:
            return b'"letE":{"name":%d,"type":%d,"value":%d,"body":%d,"nondep":false}' % (
                self.name(e.name), ids[e.type], ids[e.value], ids[e.body])
        if t == LIT:
            v = e.value
            return b'"natVal":"%d"' % v if isinstance(v, int) else b'"strVal":%s' % orjson.dumps(v)
        if t == PROJ:
            return b'"proj":{"typeName":%d,"idx":%d,"struct":%d}' % (self.name(e.sname), e.idx, ids[e.struct])
        raise ValueError(f"cannot export expression tag {t}")

    def names_of(self, xs) -> list[int]:
        return [self.name(x) for x in xs]

    def decl(self, d) -> None:
        """Write one export declaration (a `lean.export.Decl`)."""
        if d.kind == "inductive":
            self._inductive(d)
            return
        head = {"name": self.name(d.name), "levelParams": self.names_of(d.level_params), "type": self.expr(d.type)}
        k = d.kind
        if k == "axiom":
            self._line({"axiom": {**head, "isUnsafe": d.safety == "unsafe"}})
        elif k == "def":
            h = d.hints
            hints = {"regular": h.height} if h.kind == "regular" else h.kind
            self._line({"def": {**head, "value": self.expr(d.value), "hints": hints, "safety": d.safety, "all": self.names_of(d.all)}})
        elif k == "thm":
            self._line({"thm": {**head, "value": self.expr(d.value), "all": self.names_of(d.all)}})
        elif k == "opaque":
            self._line({"opaque": {**head, "value": self.expr(d.value), "isUnsafe": d.safety == "unsafe", "all": self.names_of(d.all)}})
        elif k == "quot":
            self._line({"quot": {**head, "kind": d.quot_kind}})
        else:
            raise ValueError(f"unknown declaration kind {k!r}")

    def _inductive(self, d) -> None:
        types = [{
            "name": self.name(t.name), "levelParams": self.names_of(t.level_params), "type": self.expr(t.type),
            "numParams": t.num_params, "numIndices": t.num_indices, "all": self.names_of(t.all),
            "ctors": self.names_of(t.ctors), "numNested": t.num_nested, "isRec": t.is_rec,
            "isReflexive": t.is_reflexive, "isUnsafe": t.is_unsafe} for t in d.types]
        ctors = [{
            "name": self.name(c.name), "levelParams": self.names_of(c.level_params), "type": self.expr(c.type),
            "induct": self.name(c.induct), "cidx": c.cidx, "numParams": c.num_params, "numFields": c.num_fields,
            "isUnsafe": c.is_unsafe} for c in d.ctors]
        recs = [{
            "name": self.name(r.name), "levelParams": self.names_of(r.level_params), "type": self.expr(r.type),
            "all": self.names_of(r.all), "numParams": r.num_params, "numIndices": r.num_indices,
            "numMotives": r.num_motives, "numMinors": r.num_minors, "k": r.k, "isUnsafe": r.is_unsafe,
            "rules": [{"ctor": self.name(x.ctor), "nfields": x.nfields, "rhs": self.expr(x.rhs)} for x in r.rules]}
            for r in d.recs]
        self._line({"inductive": {"types": types, "ctors": ctors, "recs": recs}})


@attrs.frozen(eq=False)
class SubEnv:
    """A written closure sub-environment as the kernel seam reads it: its declarations in
    file order (`export.decls`), each block's declarations, and the blake3 of its bytes."""

    path: Path
    digest: bytes
    export: Export
    by_block: dict

    def decls_of(self, block) -> list:
        try:
            return list(self.by_block[Address(block)])
        except KeyError:
            raise InputError(f"{self.path}: no block with address {Address(block)}") from None


class _HashingFile:
    """Writes to a file and feeds the same bytes to blake3."""

    def __init__(self, fh):
        self.fh = fh
        self.hasher = blake3.blake3()

    def write(self, data: bytes) -> None:
        self.fh.write(data)
        self.hasher.update(data)


#: the sub-env this process wrote last, until `load_sub_env` takes it
_WRITTEN: list[SubEnv] = []


def write_sub_env(env, blocks, path) -> Path:
    """Write the closure of `blocks` of a NativeEnv to `path` (atomically) and return it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    by_block = {addr: env.decls_of(addr) for addr in env.closure(blocks)}
    decls = [d for ds in by_block.values() for d in ds]
    with open(tmp, "wb") as fh:
        out = _HashingFile(fh)
        w = ExportWriter(out)
        for d in decls:
            w.decl(d)
        w.close()
    tmp.replace(path)
    export = Export(str(path), _META["meta"], _META["meta"]["format"]["version"], decls,
                    {n: d for d in decls for n in d.names()})
    _WRITTEN[:] = [SubEnv(path, out.hasher.digest(), export, by_block)]
    return path


def load_sub_env(path):
    """The sub-env at `path`: the one just written when the file still holds its bytes
    (same path, same blake3), else parsed and addressed from the file."""
    path = Path(path)
    written = _WRITTEN.pop() if _WRITTEN else None
    if written is not None and written.path == path:
        h = blake3.blake3()
        h.update_mmap(str(path))
        if h.digest() == written.digest:
            return written
    from .env import NdjsonFormat

    return NdjsonFormat().load(path)
