"""Lean terms written from Python for the demo environment generator.

The generator needs exact Lean terms (types, values and, above all, recursors that the
kernel re-derives and compares), so it builds them in a locally nameless style: binders
are `Local`s while a term is assembled and `pi`/`lam` abstract them into de Bruijn
indices. Terms are plain tuples, independent of the kernel's interned `Expr` (the
generator only writes text):

    ("bvar", i) ("fv", uid) ("sort", lvl) ("const", name, levels) ("app", f, a)
    ("lam" | "pi", binder_name, type, body, binder_info) ("let", name, type, value, body)
    ("lit", n) ("proj", struct_name, idx, e)

and levels ("zero",) ("succ", l) ("max", a, b) ("imax", a, b) ("param", name).
`derive_inductive` computes a (mutual, nested) block's recursors the way the Lean kernel
does, so a demo inductive is exported exactly as lean4export would write it.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import attrs

L_ZERO = ("zero",)


def succ(level, k: int = 1):
    for _ in range(k):
        level = ("succ", level)
    return level


def lmax(a, b):
    return ("max", a, b)


def lparam(name: str):
    return ("param", name)


L_ONE = succ(L_ZERO)


def sort(level):
    return ("sort", level)


PROP = sort(L_ZERO)
TYPE = sort(L_ONE)


def const(name: str, *levels):
    return ("const", name, tuple(levels))


def lit(n: int):
    return ("lit", int(n))


def proj(struct_name: str, idx: int, e):
    return ("proj", struct_name, idx, _e(e))


class Local:
    """A named free variable standing for a binder while a term is built."""

    __slots__ = ("bi", "expr", "name", "type", "uid")
    _uids = itertools.count()

    def __init__(self, name: str, type_, bi: str = "default", uid: int | None = None):
        self.uid = next(Local._uids) if uid is None else uid
        self.name = name
        self.type = _e(type_)
        self.bi = bi
        self.expr = ("fv", self.uid)

    def with_bi(self, bi: str) -> Local:
        """The same variable under another binder info (e.g. `{α}` in a constructor type)."""
        return Local(self.name, self.type, bi, uid=self.uid)


def _e(x):
    return x.expr if isinstance(x, Local) else x


def app(f, *args):
    e = _e(f)
    for a in args:
        e = ("app", e, _e(a))
    return e


def arrow(a, b):
    """Non-dependent function type `a → b` (b must not mention the new binder)."""
    return ("pi", "a", _e(a), _lift(_e(b), 1, 0), "default")


def _lift(e, n: int, depth: int):
    tag = e[0]
    if tag == "bvar":
        return ("bvar", e[1] + n) if e[1] >= depth else e
    if tag in ("sort", "const", "lit", "fv"):
        return e
    if tag == "app":
        return ("app", _lift(e[1], n, depth), _lift(e[2], n, depth))
    if tag in ("lam", "pi"):
        return (tag, e[1], _lift(e[2], n, depth), _lift(e[3], n, depth + 1), e[4])
    if tag == "let":
        return ("let", e[1], _lift(e[2], n, depth), _lift(e[3], n, depth), _lift(e[4], n, depth + 1))
    if tag == "proj":
        return ("proj", e[1], e[2], _lift(e[3], n, depth))
    raise ValueError(f"unknown term {tag}")


def _abstract1(e, uid: int, depth: int):
    tag = e[0]
    if tag == "fv":
        return ("bvar", depth) if e[1] == uid else e
    if tag in ("sort", "const", "lit", "bvar"):
        return e
    if tag == "app":
        return ("app", _abstract1(e[1], uid, depth), _abstract1(e[2], uid, depth))
    if tag in ("lam", "pi"):
        return (tag, e[1], _abstract1(e[2], uid, depth), _abstract1(e[3], uid, depth + 1), e[4])
    if tag == "let":
        return ("let", e[1], _abstract1(e[2], uid, depth), _abstract1(e[3], uid, depth), _abstract1(e[4], uid, depth + 1))
    if tag == "proj":
        return ("proj", e[1], e[2], _abstract1(e[3], uid, depth))
    raise ValueError(f"unknown term {tag}")


def _bind(kind: str, binders: Sequence[Local], body):
    # Innermost first: each pass abstracts one local in everything built so far, which
    # includes the binder types of the later locals that mention it.
    e = _e(body)
    for loc in reversed(binders):
        e = (kind, loc.name, loc.type, _abstract1(e, loc.uid, 0), loc.bi)
    return e


def pi(binders: Sequence[Local], body):
    return _bind("pi", binders, body)


def lam(binders: Sequence[Local], body):
    return _bind("lam", binders, body)


def let(name: str, type_, value, body_fn: Callable):
    x = Local(name, type_)
    return ("let", name, _e(type_), _e(value), _abstract1(_e(body_fn(x)), x.uid, 0))


def _instantiate1(e, value, depth: int = 0):
    """Substitute `value` (closed for bound variables) for bvar `depth`, lowering the rest."""
    tag = e[0]
    if tag == "bvar":
        i = e[1]
        if i == depth:
            return value
        return ("bvar", i - 1) if i > depth else e
    if tag in ("sort", "const", "lit", "fv"):
        return e
    if tag == "app":
        return ("app", _instantiate1(e[1], value, depth), _instantiate1(e[2], value, depth))
    if tag in ("lam", "pi"):
        return (tag, e[1], _instantiate1(e[2], value, depth), _instantiate1(e[3], value, depth + 1), e[4])
    if tag == "let":
        return ("let", e[1], _instantiate1(e[2], value, depth), _instantiate1(e[3], value, depth), _instantiate1(e[4], value, depth + 1))
    if tag == "proj":
        return ("proj", e[1], e[2], _instantiate1(e[3], value, depth))
    raise ValueError(f"unknown term {tag}")


def open_pis(type_, count: int | None = None) -> tuple[list[Local], tuple]:
    """Peel `count` (default: all) leading Π binders into fresh locals."""
    locals_: list[Local] = []
    e = type_
    while e[0] == "pi" and (count is None or len(locals_) < count):
        loc = Local(e[1], e[2], e[4])
        locals_.append(loc)
        e = _instantiate1(e[3], loc.expr)
    if count is not None and len(locals_) < count:
        raise ValueError(f"expected {count} binders, found {len(locals_)}")
    return locals_, e


def instantiate_pis(type_, args: Sequence) -> tuple:
    e = type_
    for a in args:
        if e[0] != "pi":
            raise ValueError("too many arguments for a Π type")
        e = _instantiate1(e[3], _e(a))
    return e


def subst_levels(e, mapping: dict):
    """Replace universe parameters by levels (used to specialise an external inductive)."""
    if not mapping:
        return e

    def lv(level):
        t = level[0]
        if t == "param":
            return mapping.get(level[1], level)
        if t == "succ":
            return ("succ", lv(level[1]))
        if t in ("max", "imax"):
            return (t, lv(level[1]), lv(level[2]))
        return level

    def go(x):
        tag = x[0]
        if tag == "sort":
            return ("sort", lv(x[1]))
        if tag == "const":
            return ("const", x[1], tuple(lv(l) for l in x[2]))
        if tag in ("bvar", "lit", "fv"):
            return x
        if tag == "app":
            return ("app", go(x[1]), go(x[2]))
        if tag in ("lam", "pi"):
            return (tag, x[1], go(x[2]), go(x[3]), x[4])
        if tag == "let":
            return ("let", x[1], go(x[2]), go(x[3]), go(x[4]))
        if tag == "proj":
            return ("proj", x[1], x[2], go(x[3]))
        raise ValueError(f"unknown term {tag}")

    return go(e)


def has_bvar(e, i: int) -> bool:
    """Whether bound variable `i` (counted from the outside of `e`) occurs in `e`."""
    stack = [(e, i)]
    while stack:
        x, k = stack.pop()
        tag = x[0]
        if tag == "bvar":
            if x[1] == k:
                return True
        elif tag == "app":
            stack += ((x[1], k), (x[2], k))
        elif tag in ("lam", "pi"):
            stack += ((x[2], k), (x[3], k + 1))
        elif tag == "let":
            stack += ((x[2], k), (x[3], k), (x[4], k + 1))
        elif tag == "proj":
            stack.append((x[3], k))
    return False


def infer_implicit(type_):
    """Lean's kernel `infer_implicit(t, strict=true)`, which sets a recursor's binder infos:
    an explicit Π binder becomes implicit when the domain of a later *explicit* binder (after
    this same inference) mentions it; binders already non-explicit and the result type play
    no part. So `False.rec` keeps an explicit motive (only the result mentions it)."""
    binders = []
    e = type_
    while e[0] == "pi":
        binders.append(e)
        e = e[3]
    infos = [b[4] for b in binders]
    for k in reversed(range(len(binders))):
        if infos[k] == "default" and any(
            infos[j] == "default" and has_bvar(binders[j][2], j - k - 1) for j in range(k + 1, len(binders))
        ):
            infos[k] = "implicit"
    for b, bi in zip(reversed(binders), reversed(infos)):
        e = ("pi", b[1], b[2], e, bi)
    return e


def app_spine(e) -> tuple[tuple, list]:
    args = []
    while e[0] == "app":
        args.append(e[2])
        e = e[1]
    args.reverse()
    return e, args


def consts_in(e, out: set | None = None) -> set:
    """Names of the constants a term mentions (for definitional heights)."""
    out = set() if out is None else out
    stack = [e]
    while stack:
        x = stack.pop()
        tag = x[0]
        if tag == "const":
            out.add(x[1])
        elif tag == "app":
            stack += (x[1], x[2])
        elif tag in ("lam", "pi"):
            stack += (x[2], x[3])
        elif tag == "let":
            stack += (x[2], x[3], x[4])
        elif tag == "proj":
            stack.append(x[3])
    return out


# ------------------------------------------------------------------ declarations


@attrs.frozen
class Definition:
    name: str
    level_params: tuple
    type: tuple
    value: tuple
    hints: object  # "abbrev" | "opaque" | int height
    all: tuple = ()


@attrs.frozen
class Theorem:
    name: str
    level_params: tuple
    type: tuple
    value: tuple


@attrs.frozen
class Opaque:
    name: str
    level_params: tuple
    type: tuple
    value: tuple


@attrs.frozen
class Axiom:
    name: str
    level_params: tuple
    type: tuple


@attrs.frozen
class QuotDecl:
    name: str
    level_params: tuple
    type: tuple
    kind: str


@attrs.frozen
class Ctor:
    name: str
    type: tuple


@attrs.frozen
class IndType:
    """One user-written inductive type: full type (params, indices, sort) and constructors."""

    name: str
    type: tuple
    ctors: tuple


@attrs.frozen
class ExternalInd:
    """An already declared inductive (e.g. List) that a nested block applies to its types."""

    level_params: tuple
    num_params: int
    ind: IndType


@attrs.frozen
class NestedOcc:
    """An auxiliary member of a nested block: `ext` at `levels` applied to `args(params)`."""

    ext: ExternalInd
    levels: tuple
    args: Callable


@attrs.frozen
class RecRule:
    ctor: str
    nfields: int
    rhs: tuple


@attrs.frozen
class Recursor:
    name: str
    level_params: tuple
    type: tuple
    num_indices: int
    num_motives: int
    num_minors: int
    rules: tuple
    k: bool


@attrs.frozen
class InductiveBlock:
    """One `inductive` export object: types (with derived flags), constructors, recursors."""

    level_params: tuple
    num_params: int
    types: tuple  # IndType
    num_indices: tuple
    num_fields: dict  # ctor name -> fields
    num_nested: int
    is_rec: bool
    is_reflexive: bool
    recs: tuple  # Recursor

    @property
    def names(self) -> tuple:
        return tuple(t.name for t in self.types)

    def constant_count(self) -> int:
        return len(self.types) + sum(len(t.ctors) for t in self.types) + len(self.recs)

    def with_recs(self, recs) -> InductiveBlock:
        return attrs.evolve(self, recs=tuple(recs))


@attrs.frozen
class _Member:
    head: tuple  # the type former applied to the block parameters (or aux arguments)
    ind_type: tuple  # type of `head`: Π indices, Sort l
    ctors: tuple  # (name, applied ctor head, field telescope type)
    rec_name: str


def _match(members: Sequence[_Member], ty) -> tuple[int, list] | None:
    fn, args = app_spine(ty)
    for j, m in enumerate(members):
        mfn, margs = app_spine(m.head)
        if fn == mfn and len(args) >= len(margs) and list(args[: len(margs)]) == margs:
            return j, list(args[len(margs):])
    return None


def _elim_level_name(level_params: Sequence[str]) -> str:
    if "u" not in level_params:
        return "u"
    return next(f"u_{i}" for i in itertools.count(1) if f"u_{i}" not in level_params)


def derive_inductive(
    level_params: Sequence[str],
    num_params: int,
    types: Sequence[IndType],
    *,
    nested: Sequence[NestedOcc] = (),
    large_elim: bool | None = None,
) -> InductiveBlock:
    """Derive the recursors (types and rules) and flags of a (mutual, nested) block.

    `large_elim` must be given for a Prop block (whether it eliminates into every Sort);
    other blocks always do.
    """
    lps = tuple(level_params)
    params, _ = open_pis(types[0].type, num_params)
    lvls = tuple(lparam(n) for n in lps)
    members: list[_Member] = []
    num_indices = []
    for t in types:
        ind_type = instantiate_pis(t.type, params)
        idx, _sort = open_pis(ind_type)
        num_indices.append(len(idx))
        head = app(const(t.name, *lvls), *params)
        ctors = tuple((c.name, app(const(c.name, *lvls), *params), instantiate_pis(c.type, params)) for c in t.ctors)
        members.append(_Member(head, ind_type, ctors, f"{t.name}.rec"))
    for k, occ in enumerate(nested, start=1):
        ext = occ.ext
        mapping = dict(zip(ext.level_params, occ.levels))
        args = [_e(a) for a in occ.args(params)]
        head = app(const(ext.ind.name, *occ.levels), *args)
        ind_type = instantiate_pis(subst_levels(ext.ind.type, mapping), args)
        ctors = tuple(
            (c.name, app(const(c.name, *occ.levels), *args), instantiate_pis(subst_levels(c.type, mapping), args))
            for c in ext.ind.ctors
        )
        members.append(_Member(head, ind_type, ctors, f"{types[0].name}.rec_{k}"))

    _, first_sort = open_pis(members[0].ind_type)
    is_prop = first_sort == PROP
    if is_prop and large_elim is None:
        raise ValueError(f"{types[0].name}: a Prop inductive needs an explicit large_elim")
    large = (not is_prop) or bool(large_elim)
    if large:
        u = _elim_level_name(lps)
        rec_lps = (u,) + lps
        motive_sort = sort(lparam(u))
    else:
        rec_lps = lps
        motive_sort = PROP
    rec_lvls = tuple(lparam(n) for n in rec_lps)

    single = len(members) == 1
    motives = []
    for j, m in enumerate(members):
        idx, _ = open_pis(m.ind_type)
        t = Local("t", app(m.head, *idx))
        motives.append(Local("motive" if single else f"motive_{j + 1}", pi(idx + [t], motive_sort)))

    is_rec = False
    is_reflexive = False
    num_fields: dict[str, int] = {}
    minors: list[Local] = []
    minor_of: dict[tuple[int, int], Local] = {}
    for j, m in enumerate(members):
        for ci, (cname, chead, ctype) in enumerate(m.ctors):
            fields, result = open_pis(ctype)
            num_fields[cname] = len(fields)
            hit = _match(members, result)
            if hit is None or hit[0] != j:
                raise ValueError(f"constructor {cname} does not return its inductive type")
            res_idx = hit[1]
            ihs = []
            for f in fields:
                ys, fres = open_pis(f.type)
                hit = _match(members, fres)
                if hit is None:
                    continue
                is_rec = True
                is_reflexive = is_reflexive or bool(ys)
                jj, fidx = hit
                ihs.append(Local(f"{f.name}_ih", pi(ys, app(motives[jj], *fidx, app(f, *ys)))))
            minor = Local(cname.rsplit(".", 1)[-1], pi(fields + ihs, app(motives[j], *res_idx, app(chead, *fields))))
            minors.append(minor)
            minor_of[(j, ci)] = minor

    k_target = is_prop and len(members) == 1 and len(members[0].ctors) == 1 and num_fields[members[0].ctors[0][0]] == 0
    recs = []
    for j, m in enumerate(members):
        idx, _ = open_pis(m.ind_type)
        t = Local("t", app(m.head, *idx))
        rec_type = infer_implicit(pi(params + motives + minors + idx + [t], app(motives[j], *idx, t)))
        rules = []
        for ci, (cname, _chead, ctype) in enumerate(m.ctors):
            fields, _ = open_pis(ctype)
            ih_vals = []
            for f in fields:
                ys, fres = open_pis(f.type)
                hit = _match(members, fres)
                if hit is None:
                    continue
                jj, fidx = hit
                rec_call = app(const(members[jj].rec_name, *rec_lvls), *params, *motives, *minors, *fidx, app(f, *ys))
                ih_vals.append(lam(ys, rec_call))
            rhs = lam(params + motives + minors + fields, app(minor_of[(j, ci)], *fields, *ih_vals))
            rules.append(RecRule(cname, len(fields), rhs))
        recs.append(
            Recursor(
                name=m.rec_name,
                level_params=rec_lps,
                type=rec_type,
                num_indices=len(idx),
                num_motives=len(members),
                num_minors=len(minors),
                rules=tuple(rules),
                k=k_target,
            )
        )
    return InductiveBlock(
        level_params=lps,
        num_params=num_params,
        types=tuple(types),
        num_indices=tuple(num_indices),
        num_fields=num_fields,
        num_nested=len(nested),
        is_rec=is_rec,
        is_reflexive=is_reflexive,
        recs=tuple(recs),
    )


# ------------------------------------------------------------------ lean4export writer

BINDER_INFO = {"default", "implicit", "strictImplicit", "instImplicit"}
META = {
    "meta": {
        "exporter": {"name": "ix demo-env", "version": "1.0.0"},
        "format": {"version": "3.1.0"},
        "lean": {"githash": "", "version": "4.29.1"},
    }
}


class NdjsonWriter:
    """Writes declarations as lean4export 3.1 NDJSON, interning names, levels and terms
    so that every primitive is emitted once, before its first use."""

    def __init__(self, out):
        import orjson

        self._dumps = orjson.dumps
        self._out = out
        self._names: dict = {}
        self._levels: dict = {}
        self._exprs: dict = {}
        self._line(META)

    def _line(self, obj) -> None:
        self._out.write(self._dumps(obj) + b"\n")

    def name(self, dotted: str) -> int:
        if not dotted:
            return 0
        nid = self._names.get(dotted)
        if nid is None:
            pre, _, last = dotted.rpartition(".")
            pid = self.name(pre)
            nid = self._names[dotted] = len(self._names) + 1
            self._line({"in": nid, "str": {"pre": pid, "str": last}})
        return nid

    def level(self, lv) -> int:
        if lv == L_ZERO:
            return 0
        lid = self._levels.get(lv)
        if lid is not None:
            return lid
        tag = lv[0]
        if tag == "succ":
            body = {"succ": self.level(lv[1])}
        elif tag in ("max", "imax"):
            body = {tag: [self.level(lv[1]), self.level(lv[2])]}
        elif tag == "param":
            body = {"param": self.name(lv[1])}
        else:
            raise ValueError(f"unknown level {lv!r}")
        lid = self._levels[lv] = len(self._levels) + 1
        self._line({"il": lid, **body})
        return lid

    def expr(self, e) -> int:
        eid = self._exprs.get(e)
        if eid is not None:
            return eid
        tag = e[0]
        if tag == "bvar":
            body = {"bvar": e[1]}
        elif tag == "sort":
            body = {"sort": self.level(e[1])}
        elif tag == "const":
            body = {"const": {"name": self.name(e[1]), "us": [self.level(l) for l in e[2]]}}
        elif tag == "app":
            body = {"app": {"fn": self.expr(e[1]), "arg": self.expr(e[2])}}
        elif tag in ("lam", "pi"):
            if e[4] not in BINDER_INFO:
                raise ValueError(f"unknown binder info {e[4]!r}")
            body = {
                "lam" if tag == "lam" else "forallE": {
                    "name": self.name(e[1]), "type": self.expr(e[2]), "body": self.expr(e[3]), "binderInfo": e[4],
                }
            }
        elif tag == "let":
            body = {
                "letE": {"name": self.name(e[1]), "type": self.expr(e[2]), "value": self.expr(e[3]), "body": self.expr(e[4]), "nondep": False}
            }
        elif tag == "lit":
            body = {"natVal": str(e[1])}
        elif tag == "proj":
            body = {"proj": {"typeName": self.name(e[1]), "idx": e[2], "struct": self.expr(e[3])}}
        else:
            raise ValueError(f"cannot export term {tag!r} (free variable left in a declaration?)")
        eid = self._exprs[e] = len(self._exprs)
        self._line({"ie": eid, **body})
        return eid

    def _names_of(self, xs) -> list[int]:
        return [self.name(x) for x in xs]

    def declare(self, d) -> None:
        if isinstance(d, InductiveBlock):
            self._inductive(d)
            return
        head = {"name": self.name(d.name), "levelParams": self._names_of(d.level_params), "type": self.expr(d.type)}
        if isinstance(d, Definition):
            hints = {"regular": d.hints} if isinstance(d.hints, int) else d.hints
            self._line({"def": {**head, "value": self.expr(d.value), "hints": hints, "safety": "safe", "all": self._names_of(d.all or (d.name,))}})
        elif isinstance(d, Theorem):
            self._line({"thm": {**head, "value": self.expr(d.value), "all": [head["name"]]}})
        elif isinstance(d, Opaque):
            self._line({"opaque": {**head, "value": self.expr(d.value), "isUnsafe": False, "all": [head["name"]]}})
        elif isinstance(d, Axiom):
            self._line({"axiom": {**head, "isUnsafe": False}})
        elif isinstance(d, QuotDecl):
            self._line({"quot": {**head, "kind": d.kind}})
        else:
            raise TypeError(f"not a declaration: {d!r}")

    def _inductive(self, b: InductiveBlock) -> None:
        lps = self._names_of(b.level_params)
        all_ = self._names_of(b.names)
        types, ctors, recs = [], [], []
        for t, nidx in zip(b.types, b.num_indices):
            types.append({
                "name": self.name(t.name), "levelParams": lps, "type": self.expr(t.type), "numParams": b.num_params,
                "numIndices": nidx, "all": all_, "ctors": self._names_of(c.name for c in t.ctors),
                "numNested": b.num_nested, "isRec": b.is_rec, "isReflexive": b.is_reflexive, "isUnsafe": False,
            })
            for cidx, c in enumerate(t.ctors):
                ctors.append({
                    "name": self.name(c.name), "levelParams": lps, "type": self.expr(c.type), "induct": self.name(t.name),
                    "cidx": cidx, "numParams": b.num_params, "numFields": b.num_fields[c.name], "isUnsafe": False,
                })
        for r in b.recs:
            recs.append({
                "name": self.name(r.name), "levelParams": self._names_of(r.level_params), "type": self.expr(r.type),
                "all": all_, "numParams": b.num_params, "numIndices": r.num_indices, "numMotives": r.num_motives,
                "numMinors": r.num_minors, "k": r.k, "isUnsafe": False,
                "rules": [{"ctor": self.name(x.ctor), "nfields": x.nfields, "rhs": self.expr(x.rhs)} for x in r.rules],
            })
        self._line({"inductive": {"types": types, "ctors": ctors, "recs": recs}})
