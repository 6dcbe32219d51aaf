"""Ixon metadata windows of the `.ixe` named section (§5): skipped by length, parsed on demand.

Metadata never enters a content address, so the reader only frames each window by its
`meta_len`. `parse_window` walks a version-1 window completely (ConstantMeta, then the
optional original) and reports what it references: name indices (into §4), raw meta_refs
addresses (DAG edges) and DataValue blob addresses. The Def/Indc/... `name` field is
kept so tools can cross-check a named entry.
"""
from __future__ import annotations

import attrs

from ..address import Address
from .expr import skip_expr
from .tags import Reader
from .univ import skip_univ

EMPTY_INFO = 255
INFO_NAMES = {255: "Empty", 0: "Def", 1: "Axio", 2: "Quot", 3: "Indc", 4: "Ctor", 5: "Rec", 6: "Muts"}

# Named.with_addr: Empty meta, four empty tables, no original.
EMPTY_WINDOW = bytes((EMPTY_INFO, 0, 0, 0, 0, 0))


@attrs.frozen
class ConstantMeta:
    kind: str
    name: int | None  # §4 index of the constant's own name (None for Empty and Muts)
    name_refs: frozenset[int]
    meta_refs: tuple[Address, ...]
    blobs: frozenset[Address]


@attrs.frozen
class Window:
    meta: ConstantMeta
    original: Address | None
    original_meta: ConstantMeta | None


class _MetaReader:
    def __init__(self, r: Reader, n_names: int) -> None:
        self.r = r
        self.n_names = n_names
        self.names: set[int] = set()
        self.blobs: set[Address] = set()

    def name(self) -> int:
        at = self.r.pos
        i = self.r.tag0("a name index")
        if i >= self.n_names:
            raise self.r.fail(f"a name index below {self.n_names}, found {i}", at)
        self.names.add(i)
        return i

    def name_list(self) -> None:
        for _ in range(self.r.count(1, "a name list length")):
            self.name()

    def indices(self) -> None:
        for _ in range(self.r.count(1, "an index list length")):
            self.r.tag0("an index")

    def data_value(self) -> None:
        at = self.r.pos
        tag = self.r.u8("a DataValue tag")
        if tag == 1:
            self.r.bool("an OfBool value")
        elif tag == 2:
            self.name()
        elif tag in (0, 3, 4, 5):
            self.blobs.add(self.r.address("a DataValue blob address"))
        else:
            raise self.r.fail(f"a DataValue tag 00..05, found {tag:02x}", at)

    def arena(self) -> None:
        r = self.r
        for _ in range(r.count(1, "an arena node count")):
            at = r.pos
            tag = r.u8("an ExprMetaData tag")
            if tag == 0:
                continue
            if tag == 1:
                r.tag0("an App fun index"), r.tag0("an App arg index")
            elif 2 <= tag <= 5:
                self.name(), r.tag0("a binder type index"), r.tag0("a binder body index")
            elif tag == 6:
                self.name()
                for _ in range(3):
                    r.tag0("a let child index")
            elif tag == 7:
                self.name()
            elif tag == 8:
                self.name(), r.tag0("a Prj child index")
            elif tag == 9:
                for _ in range(r.count(1, "a kvmap count")):
                    for _ in range(r.count(2, "a kvmap length")):
                        self.name()
                        self.data_value()
                r.tag0("an Mdata child index")
            elif tag == 10:
                self.call_site()
            else:
                raise r.fail(f"an ExprMetaData tag 0..10, found {tag}", at)

    def call_site(self) -> None:
        r = self.r
        self.name()
        for _ in range(r.count(3, "a call-site entry count")):
            at = r.pos
            if r.u8("a call-site entry tag") > 1:
                raise r.fail("a call-site entry tag 00 (Kept) or 01 (Collapsed)", at)
            r.tag0("a call-site index"), r.tag0("a call-site meta index")
        self.indices()
        at = r.pos
        head = r.u8("a call-site original-head tag")
        if head == 1:
            r.tag0("an original head index"), r.tag0("an original head meta index")
        elif head:
            raise r.fail(f"a call-site original-head tag 00/01, found {head:02x}", at)

    def info(self, version: int) -> tuple[str, int | None]:
        r = self.r
        at = r.pos
        tag = r.u8("a metadata info tag")
        if tag == EMPTY_INFO:
            return "Empty", None
        if tag == 6:
            for _ in range(r.count(1, "a Muts class count")):
                self.name_list()
            at_aux = r.pos
            aux = r.u8("an AuxLayout option tag")
            if aux == 1:
                self.indices()
                self.indices()
                if version >= 1:
                    for _ in range(r.count(1, "an evaporated flag count")):
                        r.bool("an evaporated flag")
            elif aux:
                raise r.fail(f"an AuxLayout option tag 00/01, found {aux:02x}", at_aux)
            return "Muts", None
        if tag > 6:
            raise r.fail(f"a metadata info tag 0..6 or ff, found {tag:02x}", at)
        name = self.name()
        self.name_list()  # level parameter names
        if tag == 0:
            self.name_list(), self.name_list()  # all, ctx
        elif tag == 3:
            self.name_list(), self.name_list(), self.name_list()  # ctors, all, ctx
        elif tag == 4:
            self.name()  # induct
        elif tag == 5:
            self.name_list(), self.name_list(), self.name_list()  # rules, all, ctx
        self.arena()
        r.tag0("a type root")
        if tag == 0:
            r.tag0("a value root")
        elif tag == 5:
            self.indices()  # rule roots
        return INFO_NAMES[tag], name

    def constant_meta(self, version: int) -> ConstantMeta:
        r = self.r
        self.names, self.blobs = set(), set()
        kind, name = self.info(version)
        for _ in range(r.count(1, "a meta sharing count")):
            skip_expr(r)
        meta_refs = tuple(r.address("a meta ref") for _ in range(r.count(32, "a meta refs count")))
        for _ in range(r.count(1, "a meta univs count")):
            skip_univ(r)
        for _ in range(r.count(2, "a universe patch count")):
            r.tag0("a patch arena index")
            for _ in range(r.count(1, "a patch length")):
                r.tag0("a patch universe index")
        return ConstantMeta(kind, name, frozenset(self.names), meta_refs, frozenset(self.blobs))


def parse_window(window: bytes, n_names: int, *, version: int = 1, source: str = "<metadata>", offset: int = 0) -> Window:
    """Parse one §5 window (ConstantMeta, then `00` or `01 ‖ addr ‖ ConstantMeta`); the
    window must be consumed exactly. `offset` is where the window starts in `source`."""
    r = Reader(bytes(window), source, base=offset)
    mr = _MetaReader(r, n_names)
    meta = mr.constant_meta(version)
    original = r.opt_addr("an original tag")
    original_meta = mr.constant_meta(version) if original is not None else None
    if not r.at_end():
        raise r.fail(f"end of metadata window, found {r.remaining} more bytes")
    return Window(meta, original, original_meta)
