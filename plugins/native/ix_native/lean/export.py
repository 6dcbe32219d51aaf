"""Streaming reader for lean4export NDJSON (format 3.1, 3.0, and newer 3.x minors).

`read_export(path)` returns an `Export`: the metadata, and the declarations in file order as
`Decl` records whose expressions are interned `expr.Expr` nodes (the export's sharing is
kept: one node per distinct expression). Ids are dictionary keys, so sparse or out-of-order
tables are fine; every reference must point to an id defined on an earlier line. Malformed
input raises `ExportError` ("<file>:<line>: <reason>"), an `InputError` (exit code 2).

Field meaning follows lean4export's `format_ndjson.md`; see the attrs classes below.

Bounds (so hostile input costs a clear error, not memory or minutes): a line longer than
`max_line` bytes (default 256 MiB, env `IX_MAX_NDJSON_LINE`) and a Nat literal of more
than `max_nat_digits` decimal digits (default 1,000,000, env `IX_MAX_NAT_DIGITS`) are
rejected naming the line. Literals are converted by GMP (gmpy2) when installed, else by
divide and conquer (`parse_nat`); both are sub-quadratic where CPython 3.11's
`int(str)` is quadratic (1M digits: 8 s).
"""
from __future__ import annotations

import functools
import gc
import os
import sys
from contextlib import contextmanager
from functools import partial

import attrs
import orjson

from ixcore.errors import InputError
from ixcore.safeio import MIB, open_regular

from .expr import (
    Expr,
    mk_app,
    mk_bvar,
    mk_const,
    mk_lam,
    mk_let,
    mk_lit,
    mk_pi,
    mk_proj,
    mk_sort,
)
from .level import L_ZERO, mk_imax_core, mk_max_core, mk_param, mk_succ
from .name import ANON, Name

__all__ = [
    "DECL_KINDS",
    "Constructor",
    "Decl",
    "Export",
    "ExportError",
    "ExportUnreadable",
    "Hints",
    "InductiveType",
    "RecRule",
    "Recursor",
    "read_export",
]

DECL_KINDS = ("axiom", "def", "thm", "opaque", "quot", "inductive")
MAX_LINE_BYTES = 256 * MIB
MAX_NAT_DIGITS = 1_000_000
_NAT_CHUNK = 1000  # digits int() converts directly; below this its quadratic cost is nil
_BINDER_INFO = {"default": 0, "implicit": 1, "strictImplicit": 2, "instImplicit": 3}


class ExportError(InputError):
    """The export file is malformed; the message is "<file>:<line>: <reason>"."""


class ExportUnreadable(ExportError):
    """The export could not be read at all (missing, not a regular file, I/O error)."""


@attrs.frozen
class Hints:
    """Reducibility hints of a definition: `kind` is "opaque", "abbrev" or "regular";
    `height` is the definitional height for "regular" (0 otherwise)."""

    kind: str
    height: int = 0


@attrs.frozen(eq=False)
class InductiveType:
    """One type of an inductive block (lean4export InductiveVal).

    name, level_params (tuple of Name), type (Expr), num_params, num_indices,
    all (names of the block's types), ctors (constructor names in order), num_nested
    (auxiliary types made by un-nesting), is_rec, is_reflexive, is_unsafe."""

    name: Name
    level_params: tuple
    type: Expr
    num_params: int
    num_indices: int
    all: tuple
    ctors: tuple
    num_nested: int
    is_rec: bool
    is_reflexive: bool
    is_unsafe: bool


@attrs.frozen(eq=False)
class Constructor:
    """A constructor (ConstructorVal): `induct` is its type's name, `cidx` its position."""

    name: Name
    level_params: tuple
    type: Expr
    induct: Name
    cidx: int
    num_params: int
    num_fields: int
    is_unsafe: bool


@attrs.frozen(eq=False)
class RecRule:
    """Recursor computation rule: for constructor `ctor` with `nfields` fields, `rhs` is
    `fun params motives minors fields => ...`."""

    ctor: Name
    nfields: int
    rhs: Expr


@attrs.frozen(eq=False)
class Recursor:
    """A recursor (RecursorVal), including auxiliary `I.rec_k` of nested inductives."""

    name: Name
    level_params: tuple
    type: Expr
    all: tuple
    num_params: int
    num_indices: int
    num_motives: int
    num_minors: int
    rules: tuple
    k: bool
    is_unsafe: bool


@attrs.frozen(eq=False)
class Decl:
    """One exported declaration (one line; one inductive block per `inductive` line).

    kind: "axiom" | "def" | "thm" | "opaque" | "quot" | "inductive".
    name: the constant's name (for "inductive": the block's first type).
    level_params: universe parameter names (tuple of Name), in order.
    type: the declared type (for "inductive": the first type's type).
    value: definition body for def/thm/opaque, else None.
    hints: `Hints` for "def" (None otherwise; theorems carry none).
    safety: "safe" | "unsafe" | "partial" ("unsafe" for unsafe axioms/opaques/inductives).
    all: names of the mutual group (just `(name,)` for axioms and quot constants).
    line: 1-based line number in the file.
    quot_kind: "type" | "ctor" | "lift" | "ind" for "quot", else None.
    types / ctors / recs: for "inductive", the block's InductiveType / Constructor /
        Recursor records in file order (empty tuples otherwise).
    """

    kind: str
    name: Name
    level_params: tuple
    type: Expr
    value: Expr | None
    hints: Hints | None
    safety: str
    all: tuple
    line: int
    quot_kind: str | None = None
    types: tuple = ()
    ctors: tuple = ()
    recs: tuple = ()

    def names(self) -> tuple:
        """Every constant this declaration adds (types, then ctors, then recursors)."""
        if self.kind == "inductive":
            return (*[t.name for t in self.types], *[c.name for c in self.ctors], *[r.name for r in self.recs])
        return (self.name,)


@attrs.frozen(eq=False)
class Export:
    """A parsed export: `decls` in file order; `by_name` maps every constant name (including
    constructors and recursors) to the Decl that introduces it."""

    path: str
    meta: dict
    format_version: str
    decls: list
    by_name: dict


@functools.cache
def _gmp_mpz():
    """gmpy2's mpz, imported on the first long literal (most exports have none, and every
    `ix check` would pay its import); None without gmpy2: the pure-Python conversion below."""
    try:
        from gmpy2 import mpz
    except ImportError:
        return None
    return mpz


class _Fail(Exception):
    pass


def _limit(env_var: str, default: int) -> int:
    raw = os.environ.get(env_var)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InputError(f"{env_var}={raw!r}: must be a positive integer") from None
    if value < 1:
        raise InputError(f"{env_var}={raw!r}: must be a positive integer")
    return value


def parse_nat(digits: str) -> int:
    """int(digits) for a string of ASCII decimal digits, sub-quadratic in its length."""
    if len(digits) <= _NAT_CHUNK:
        return int(digits)
    mpz = _gmp_mpz()
    if mpz is not None:
        return int(mpz(digits))
    return parse_nat_dc(digits)


def parse_nat_dc(digits: str) -> int:
    """Pure Python, O(M(n) log n): split at a power-of-two multiple of the chunk size,
    convert both halves, combine with a cached power of ten."""
    powers: dict[int, int] = {}

    def conv(lo: int, hi: int) -> int:
        n = hi - lo
        if n <= _NAT_CHUNK:
            return int(digits[lo:hi])
        k = _NAT_CHUNK
        while 2 * k < n:
            k *= 2
        if k not in powers:
            powers[k] = 10 ** k
        return conv(lo, hi - k) * powers[k] + conv(hi - k, hi)

    return conv(0, len(digits))


def _int(v, what):
    if type(v) is not int or v < 0:
        raise _Fail(f"{what} must be a non-negative integer, got {v!r}")
    return v


def _bool(v, what):
    if type(v) is not bool:
        raise _Fail(f"{what} must be a boolean, got {v!r}")
    return v


def _get(d, key, ctx):
    if type(d) is not dict:
        raise _Fail(f"{ctx} must be an object")
    try:
        return d[key]
    except KeyError:
        raise _Fail(f"{ctx}: missing field {key!r}") from None


def _fields(obj, what: str):
    """`_get` bound to one JSON object: field name -> value, failing with `what` named."""
    return lambda key: _get(obj, key, what)


class _Reader:
    def __init__(self, path: str, max_nat_digits: int = MAX_NAT_DIGITS):
        self.path = path
        self.max_nat_digits = max_nat_digits
        self.names: dict = {0: ANON}
        self.levels: dict = {0: L_ZERO}
        self.exprs: dict = {}
        self.decls: list = []
        self.by_name: dict = {}
        self.meta: dict = {}
        self.format_version = "3.1.0"
        self._hints: dict = {}

    # -- references
    def name(self, i, what="name"):
        try:
            return self.names[i]
        except (KeyError, TypeError):
            raise _Fail(f"{what} refers to undefined name id {i!r}") from None

    def level(self, i):
        try:
            return self.levels[i]
        except (KeyError, TypeError):
            raise _Fail(f"undefined level id {i!r}") from None

    def expr(self, i):
        try:
            return self.exprs[i]
        except (KeyError, TypeError):
            raise _Fail(f"undefined expression id {i!r}") from None

    def name_list(self, v, what):
        if type(v) is not list:
            raise _Fail(f"{what} must be a list")
        try:
            names = self.names
            return tuple([names[i] for i in v])
        except (KeyError, TypeError):
            return tuple(self.name(i, what) for i in v)

    # -- primitive lines
    @staticmethod
    def _entry(obj, id_key, table, what):
        """(id, kind, payload) of a name/level/expression line whose id is new."""
        i = _int(obj[id_key], what + " id")
        if i in table:
            raise _Fail(f"duplicate {what} id {i}")
        if len(obj) != 2:
            raise _Fail(f"unknown {what} kind {[k for k in obj if k != id_key]!r}")
        first, second = obj
        kind = second if first == id_key else first
        return i, kind, obj[kind]

    def on_name(self, obj):
        """Add a name line: `Name.str` (nearly every line) by plain lookups first, anything
        else or any failed lookup through `_on_name_checked`, which names the fault."""
        names = self.names
        i = obj["in"]
        body = obj.get("str")
        if type(i) is int and i >= 0 and len(obj) == 2 and type(body) is dict and i not in names:
            s = body.get("str")
            if type(s) is str:
                try:
                    names[i] = Name.str(names[body["pre"]], s)
                    return
                except (KeyError, TypeError):
                    pass
        self._on_name_checked(obj)

    def _on_name_checked(self, obj):
        i, k, body = self._entry(obj, "in", self.names, "name")
        if k == "str":
            s = _get(body, "str", "name.str")
            if type(s) is not str:
                raise _Fail("name.str component must be a string")
            n = Name.str(self.name(_get(body, "pre", "name.str")), s)
        elif k == "num":
            n = Name.num(self.name(_get(body, "pre", "name.num")), _int(_get(body, "i", "name.num"), "name.num i"))
        else:
            raise _Fail(f"unknown name kind {k!r}")
        self.names[i] = n

    def on_level(self, obj):
        i, k, v = self._entry(obj, "il", self.levels, "level")
        if k == "succ":
            lv = mk_succ(self.level(v))
        elif k in ("max", "imax"):
            if type(v) is not list or len(v) != 2:
                raise _Fail(f"level {k} needs two level ids")
            a, b = self.level(v[0]), self.level(v[1])
            lv = mk_max_core(a, b) if k == "max" else mk_imax_core(a, b)
        elif k == "param":
            lv = mk_param(self.name(v, "level param"))
        else:
            raise _Fail(f"unknown level kind {k!r}")
        self.levels[i] = lv

    def on_expr(self, obj):
        """Add an expression line: the frequent kinds by plain lookups first (any lookup
        that fails falls through to `_on_expr_checked`, which names the fault)."""
        exprs = self.exprs
        i = obj["ie"]
        if type(i) is int and i >= 0 and len(obj) == 2 and i not in exprs:
            first, second = obj
            k = second if first == "ie" else first
            v = obj[k]
            try:
                if k == "app":
                    exprs[i] = mk_app(exprs[v["fn"]], exprs[v["arg"]])
                    return
                if k == "forallE":
                    exprs[i] = mk_pi(self.names[v["name"]], exprs[v["type"]], exprs[v["body"]],
                                     _BINDER_INFO[v["binderInfo"]])
                    return
                if k == "lam":
                    exprs[i] = mk_lam(self.names[v["name"]], exprs[v["type"]], exprs[v["body"]],
                                      _BINDER_INFO[v["binderInfo"]])
                    return
                if k == "bvar" and type(v) is int and v >= 0:
                    exprs[i] = mk_bvar(v)
                    return
                if k == "const" and type(v["us"]) is list:
                    levels = self.levels
                    exprs[i] = mk_const(self.names[v["name"]], tuple([levels[u] for u in v["us"]]))
                    return
            except (KeyError, TypeError):
                pass
        self._on_expr_checked(obj)

    def _on_expr_checked(self, obj):
        i, k, v = self._entry(obj, "ie", self.exprs, "expression")
        if k == "app":
            e = mk_app(self.expr(_get(v, "fn", "app")), self.expr(_get(v, "arg", "app")))
        elif k == "bvar":
            e = mk_bvar(_int(v, "bvar index"))
        elif k == "const":
            us = _get(v, "us", "const")
            if type(us) is not list:
                raise _Fail("const.us must be a list")
            e = mk_const(self.name(_get(v, "name", "const")), tuple(self.level(u) for u in us))
        elif k == "forallE" or k == "lam":
            bi = _get(v, "binderInfo", k)
            if type(bi) is not str or bi not in _BINDER_INFO:
                raise _Fail(f"unknown binderInfo {bi!r}")
            bi = _BINDER_INFO[bi]
            mk = mk_pi if k == "forallE" else mk_lam
            e = mk(self.name(_get(v, "name", k)), self.expr(_get(v, "type", k)), self.expr(_get(v, "body", k)), bi)
        elif k == "sort":
            e = mk_sort(self.level(v))
        elif k == "letE":
            _get(v, "nondep", "letE")
            e = mk_let(self.name(_get(v, "name", "letE")), self.expr(_get(v, "type", "letE")),
                       self.expr(_get(v, "value", "letE")), self.expr(_get(v, "body", "letE")))
        elif k == "proj":
            e = mk_proj(self.name(_get(v, "typeName", "proj")), _int(_get(v, "idx", "proj"), "proj idx"),
                        self.expr(_get(v, "struct", "proj")))
        elif k == "natVal":
            if type(v) is not str or not v.isascii() or not v.isdigit():
                raise _Fail(f"natVal must be a decimal string, got {v[:40] if type(v) is str else v!r}")
            if len(v) > self.max_nat_digits:
                raise _Fail(f"natVal of {len(v):,} digits exceeds the limit of {self.max_nat_digits:,} "
                            "(raise it with IX_MAX_NAT_DIGITS)")
            e = mk_lit(parse_nat(v))
        elif k == "strVal":
            if type(v) is not str:
                raise _Fail("strVal must be a string")
            e = mk_lit(v)
        elif k == "mdata":
            e = self.expr(_get(v, "expr", "mdata"))  # metadata is transparent to the kernel
        else:
            raise _Fail(f"unknown expression kind {k!r}")
        self.exprs[i] = e

    # -- declarations
    def header(self, v, what):
        """(name, level params, type) of a declaration object: plain lookups first, the
        checked path (which names the fault) when any of them fails."""
        try:
            lps = v["levelParams"]
            if type(lps) is list:
                names = self.names
                return names[v["name"]], tuple([names[i] for i in lps]), self.exprs[v["type"]]
        except (KeyError, TypeError):
            pass
        name = self.name(_get(v, "name", what), what + ".name")
        lps = self.name_list(_get(v, "levelParams", what), what + ".levelParams")
        ty = self.expr(_get(v, "type", what))
        return name, lps, ty

    def hints(self, h):
        """The definition's `Hints`, one shared record per distinct value (they repeat)."""
        if h == "opaque" or h == "abbrev":
            key = (h, 0)
        elif type(h) is dict and list(h) == ["regular"]:
            key = ("regular", _int(h["regular"], "hints.regular"))
        else:
            raise _Fail(f"unknown hints {h!r}")
        hints = self._hints.get(key)
        if hints is None:
            hints = self._hints[key] = Hints(*key)
        return hints

    def add(self, decl: Decl):
        by_name = self.by_name
        if decl.kind != "inductive":  # one constant: no tuple of names to build
            if decl.name in by_name:
                raise _Fail(f"duplicate declaration {decl.name}")
            by_name[decl.name] = decl
        else:
            names = decl.names()
            for n in names:
                if n in by_name:
                    raise _Fail(f"duplicate declaration {n}")
            for n in names:
                by_name[n] = decl
        self.decls.append(decl)

    def on_axiom(self, v, line):
        name, lps, ty = self.header(v, "axiom")
        unsafe = _bool(_get(v, "isUnsafe", "axiom"), "isUnsafe")
        self.add(Decl("axiom", name, lps, ty, None, None, "unsafe" if unsafe else "safe", (name,), line))

    def on_def(self, v, line):
        name, lps, ty = self.header(v, "def")
        val = self.expr(_get(v, "value", "def"))
        if "hints" not in v and "isUnsafe" in v:  # 3.0.0 puts opaques into def arrays
            return self.on_opaque(v, line)
        hints = self.hints(_get(v, "hints", "def"))
        safety = _get(v, "safety", "def")
        if safety not in ("safe", "unsafe", "partial"):
            raise _Fail(f"unknown safety {safety!r}")
        al = self.name_list(_get(v, "all", "def"), "def.all")
        self.add(Decl("def", name, lps, ty, val, hints, safety, al, line))

    def on_thm(self, v, line):
        name, lps, ty = self.header(v, "thm")
        val = self.expr(_get(v, "value", "thm"))
        al = self.name_list(_get(v, "all", "thm"), "thm.all")
        self.add(Decl("thm", name, lps, ty, val, None, "safe", al, line))

    def on_opaque(self, v, line):
        name, lps, ty = self.header(v, "opaque")
        val = self.expr(_get(v, "value", "opaque"))
        unsafe = _bool(_get(v, "isUnsafe", "opaque"), "isUnsafe")
        al = self.name_list(_get(v, "all", "opaque"), "opaque.all")
        self.add(Decl("opaque", name, lps, ty, val, None, "unsafe" if unsafe else "safe", al, line))

    def on_quot(self, v, line):
        name, lps, ty = self.header(v, "quot")
        kind = _get(v, "kind", "quot")
        if kind not in ("type", "ctor", "lift", "ind"):
            raise _Fail(f"unknown quot kind {kind!r}")
        self.add(Decl("quot", name, lps, ty, None, None, "safe", (name,), line, quot_kind=kind))

    def on_inductive(self, v, line):
        if type(v) is not dict:
            raise _Fail("inductive must be an object")
        keys = ("types", "ctors", "recs") if "types" in v else ("inductiveVals", "constructorVals", "recursorVals")
        tv, cv, rv = (_get(v, k, "inductive") for k in keys)
        if not (type(tv) is list and type(cv) is list and type(rv) is list):
            raise _Fail("inductive types/ctors/recs must be lists")
        if not tv:
            raise _Fail("inductive block without types")
        types = []
        for t in tv:
            name, lps, ty = self.header(t, "inductive type")
            g = _fields(t, "inductive type")
            types.append(InductiveType(
                name, lps, ty, _int(g("numParams"), "numParams"), _int(g("numIndices"), "numIndices"),
                self.name_list(g("all"), "all"), self.name_list(g("ctors"), "ctors"),
                _int(g("numNested"), "numNested"), _bool(g("isRec"), "isRec"),
                _bool(g("isReflexive"), "isReflexive"), _bool(g("isUnsafe"), "isUnsafe")))
        ctors = []
        for c in cv:
            name, lps, ty = self.header(c, "constructor")
            g = _fields(c, "constructor")
            ctors.append(Constructor(
                name, lps, ty, self.name(g("induct"), "induct"), _int(g("cidx"), "cidx"),
                _int(g("numParams"), "numParams"), _int(g("numFields"), "numFields"),
                _bool(g("isUnsafe"), "isUnsafe")))
        recs = []
        for r in rv:
            name, lps, ty = self.header(r, "recursor")
            g = _fields(r, "recursor")
            rules_v = g("rules")
            if type(rules_v) is not list:
                raise _Fail("recursor rules must be a list")
            rules = tuple(
                RecRule(self.name(_get(x, "ctor", "rule"), "rule.ctor"), _int(_get(x, "nfields", "rule"), "nfields"),
                        self.expr(_get(x, "rhs", "rule")))
                for x in rules_v)
            recs.append(Recursor(
                name, lps, ty, self.name_list(g("all"), "all"), _int(g("numParams"), "numParams"),
                _int(g("numIndices"), "numIndices"), _int(g("numMotives"), "numMotives"),
                _int(g("numMinors"), "numMinors"), rules, _bool(g("k"), "k"), _bool(g("isUnsafe"), "isUnsafe")))
        first = types[0]
        self.add(Decl("inductive", first.name, first.level_params, first.type, None, None,
                      "unsafe" if any(t.is_unsafe for t in types) else "safe", first.all, line,
                      types=tuple(types), ctors=tuple(ctors), recs=tuple(recs)))

    def on_other(self, obj, line):
        """A level, meta or declaration line (an object with at least one key)."""
        if "il" in obj:
            self.on_level(obj)
        elif "meta" in obj:
            if line != 1 or len(obj) != 1:
                raise _Fail("meta object only allowed alone on the first line")
            self.on_meta(obj, line)
        else:
            if len(obj) != 1:
                raise _Fail(f"unknown line kind {sorted(obj)!r}")
            (k, v), = obj.items()
            handler = _DECL_HANDLERS.get(k)
            if handler is None:
                raise _Fail(f"unknown declaration kind {k!r}")
            for item in v if type(v) is list else [v]:
                getattr(self, handler)(item, line)

    def on_meta(self, obj, line):
        meta = obj["meta"]
        if type(meta) is not dict:
            raise _Fail("meta must be an object")
        self.meta = meta
        fmt = meta.get("format")
        if fmt is None:
            self.format_version = "3.0.0"
            return
        ver = fmt.get("version") if type(fmt) is dict else None
        if type(ver) is not str:
            raise _Fail("meta.format.version must be a string")
        if ver.split(".")[0] != "3":
            raise _Fail(f"unsupported export format {ver} (this reader handles 3.x)")
        self.format_version = ver


_DECL_HANDLERS = {
    "axiom": "on_axiom", "axiomInfo": "on_axiom", "def": "on_def", "defnInfo": "on_def",
    "thm": "on_thm", "thmInfo": "on_thm", "opaque": "on_opaque", "opaqueInfo": "on_opaque",
    "quot": "on_quot", "quotInfo": "on_quot", "inductive": "on_inductive",
}


@contextmanager
def _collector_paused():
    """Parsing builds one large acyclic graph (interned names, levels, expressions) that
    lives on: a cyclic collection during it finds nothing and re-traverses the growing
    graph (about a third of the parse). Paused for the parse only, restored after.

    On the way out the survivors are moved to the oldest generation (`freeze` then
    `unfreeze`, O(1), also clearing the young generation's allocation count): otherwise the
    first allocation after the parse would start a young collection over the whole graph
    (a fifth of the parse time), then a middle one over it again. They stay collectable:
    full collections still see them. Skipped when something else keeps objects frozen
    (`unfreeze` would release those too)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if not gc.get_freeze_count():
            gc.freeze()
            gc.unfreeze()
        if was_enabled:
            gc.enable()


def read_export(path, *, max_line: int | None = None, max_nat_digits: int | None = None) -> Export:
    """Parse an NDJSON export; raise `ExportError` naming the file and line on bad input
    (including a special file, an over-long line or an over-long Nat literal)."""
    path = str(path)
    sys.set_int_max_str_digits(0)  # Nat literals are arbitrary precision
    max_line = max_line or _limit("IX_MAX_NDJSON_LINE", MAX_LINE_BYTES)
    rd = _Reader(path, max_nat_digits or _limit("IX_MAX_NAT_DIGITS", MAX_NAT_DIGITS))
    lineno = objects = 0
    try:
        fh = open_regular(path)
    except InputError as exc:
        raise ExportUnreadable(str(exc)) from None
    try:
        with fh, _collector_paused():
            on_expr, on_name, loads = rd.on_expr, rd.on_name, orjson.loads
            for lineno, raw in enumerate(iter(partial(fh.readline, max_line + 1), b""), 1):
                if len(raw) > max_line:
                    raise _Fail(f"line longer than {max_line:,} bytes (raise the limit with IX_MAX_NDJSON_LINE)")
                try:
                    obj = loads(raw)
                except orjson.JSONDecodeError as exc:
                    if not raw.strip():
                        continue
                    raise _Fail(f"invalid JSON ({exc})") from None
                objects += 1
                if type(obj) is not dict or not obj:
                    raise _Fail("expected a JSON object")
                if "ie" in obj:
                    on_expr(obj)
                elif "in" in obj:
                    on_name(obj)
                else:
                    rd.on_other(obj, lineno)
    except _Fail as exc:
        raise ExportError(f"{path}:{lineno}: {exc}") from None
    except OSError as exc:
        raise ExportUnreadable(f"{path}: cannot read ({exc.strerror})") from None
    except RecursionError:
        raise ExportError(f"{path}:{lineno}: structure too deep") from None
    if objects == 0:
        raise ExportError(f"{path}:1: empty file (no meta line)" if lineno == 0 else f"{path}: only blank lines (no meta line)")
    return Export(path, rd.meta, rd.format_version, rd.decls, rd.by_name)
