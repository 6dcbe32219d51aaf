"""`.ixe` files (Ixon environments, argumentcomputer/ix `Env::put` / `Env::get`), byte-exact.

Layout: `E1` ‖ root ‖ main ‖ assumptions ‖ §1 blobs ‖ §2 consts ‖ §3 hints ‖ §4 names ‖
§5 named ‖ §6 comms, nothing after. `E0` files of the layout just before the version
bump (#492..#569) frame every section identically and are read too; they differ only
inside metadata windows, which the reader frames by `meta_len` without parsing.

The reader is a full reader (Ix's `Env::get` semantics): by default it verifies every
blob, constant, name and comm hash, the header root, sort orders, index ranges and the
absence of trailing bytes. `trust=True` skips the hash and root checks only. Every
defect is an `InputError` naming the file, the byte offset and what was expected.
"""
from __future__ import annotations

from pathlib import Path

from ..address import Address
from ..errors import InputError
from ..ixon.env import U32_MAX, Comm, Hint, IxonEnv, NamedEntry
from ..ixon.names import decode_component, encode_component, topological_names
from ..ixon.tags import Reader, opt_addr, tag0, tag4
from ..merkle import merkle_root
from ._io import atomic_write, read_bytes

ENV_FLAG = 0xE
VERSIONS = (0, 1)
CURRENT_VERSION = 1
SUFFIX = ".ixe"


def sniff_ixe(head: bytes) -> bool:
    """An `.ixe` starts with `E0`/`E1` and holds at least the header root."""
    return len(head) >= 34 and head[0] in (0xE0, 0xE1)


def _strictly_ascending(r: Reader, prev: bytes | None, addr: bytes, what: str, at: int) -> None:
    if prev is not None and addr <= prev:
        raise r.fail(f"{what} in strictly ascending order, found {addr.hex()[:16]}… after {prev.hex()[:16]}…", at)


def loads_ixe(data: bytes, source: str = "<bytes>", *, trust: bool = False) -> IxonEnv:
    r = Reader(data, source)
    flag, version = r.tag4("the .ixe header")
    if flag != ENV_FLAG or data[0] & 0x08 or version not in VERSIONS:
        raise r.fail(f"an .ixe header byte E0 or E1, found {data[0]:02x}", 0)
    stored_root = r.address("the header merkle root")
    main = r.opt_addr("the bundle main pointer (00, or 01 and an address)")

    assumptions: list[Address] = []
    for _ in range(r.count(32, "an assumption count")):
        at = r.pos
        a = r.address("an assumption address")
        _strictly_ascending(r, assumptions[-1] if assumptions else None, a, "assumptions", at)
        assumptions.append(a)

    blobs: dict[Address, bytes] = {}
    prev = None
    for _ in range(r.count(33, "a blob count")):
        at = r.pos
        addr = r.address("a blob address")
        _strictly_ascending(r, prev, addr, "blob addresses", at)
        body = r.take(r.tag0("a blob length"), "blob bytes")
        if not trust and Address.hash(body) != addr:
            raise r.fail(f"blob bytes hashing to {addr}, found {Address.hash(body)}", at)
        blobs[addr] = body
        prev = addr

    consts: dict[Address, bytes] = {}
    order: list[Address] = []
    for _ in range(r.count(33, "a constant count")):
        at = r.pos
        addr = r.address("a constant address")
        _strictly_ascending(r, order[-1] if order else None, addr, "constant addresses", at)
        body = r.take(r.tag0("a constant length"), "constant bytes")
        if not trust and Address.hash(body) != addr:
            raise r.fail(f"constant bytes hashing to {addr}, found {Address.hash(body)}", at)
        consts[addr] = body
        order.append(addr)
    if not trust:
        root = merkle_root(order)
        if root != stored_root:
            raise InputError(
                f"{source}: offset 1: expected header merkle root {root} (over the {len(order)} constants), found {stored_root}"
            )
    if main is not None and main not in consts:
        raise InputError(f"{source}: offset 33: expected main to be a stored constant, found {main}")

    hints: dict[Address, Hint] = {}
    rank = -1
    for _ in range(r.count(2, "a hint count")):
        at = r.pos
        delta = r.tag0("a hint rank delta")
        fused = r.tag0("a fused hint")
        rank += delta
        if delta < 1 or rank >= len(order):
            raise r.fail(f"a hint delta >= 1 reaching a constant rank below {len(order)}, found delta {delta} (rank {rank})", at)
        if fused - 2 > U32_MAX:
            raise r.fail(f"a Regular hint height within u32, found {fused - 2}", at)
        hints[order[rank]] = Hint.from_fused(fused)

    names = {}
    name_list = []
    for _ in range(r.count(33, "a name count")):
        at = r.pos
        addr = r.address("a name hash")
        name, recomputed = decode_component(r, names)
        if not trust and recomputed != addr:
            raise r.fail(f"a name hash {recomputed} for {name}, found {addr}", at)
        names[addr] = name
        name_list.append(name)

    named: dict = {}
    prev_hash = None
    for _ in range(r.count(4, "a named-entry count")):
        at = r.pos
        name_idx = r.tag0("a name index")
        if name_idx >= len(name_list):
            raise r.fail(f"a name index below {len(name_list)}, found {name_idx}", at)
        const_at = r.pos
        const_rank = r.tag0("a constant rank")
        if const_rank >= len(order):
            raise r.fail(f"a constant rank below {len(order)}, found {const_rank}", const_at)
        hint_at = r.pos
        opt_hint = r.tag0("an optional hint")
        if opt_hint - 3 > U32_MAX:
            raise r.fail(f"a Regular hint height within u32, found {opt_hint - 3}", hint_at)
        window = r.take(r.tag0("a metadata length"), "a metadata window")
        name = name_list[name_idx]
        name_hash = name.address()
        _strictly_ascending(r, prev_hash, name_hash, "named entries by name hash", at)
        prev_hash = name_hash
        named[name] = NamedEntry(order[const_rank], Hint.from_fused(opt_hint - 1) if opt_hint else None, window)

    comms: dict[Address, Comm] = {}
    prev = None
    for _ in range(r.count(96, "a commitment count")):
        at = r.pos
        addr = r.address("a commitment address")
        _strictly_ascending(r, prev, addr, "commitment addresses", at)
        comm = Comm(r.address("a commitment secret"), r.address("a commitment payload"))
        if not trust and comm.address() != addr:
            raise r.fail(f"a commitment hashing to {addr}, found {comm.address()}", at)
        comms[addr] = comm
        prev = addr

    if not r.at_end():
        raise r.fail(f"end of file after the commitments section, found {r.remaining} trailing bytes")
    return IxonEnv(consts, blobs, hints, names, named, comms, main, assumptions, version, source)


def dumps_ixe(env: IxonEnv, version: int | None = None) -> bytes:
    """Canonical bytes (Ix's `Env::put`): every section sorted as §7.3 says, minimal varints."""
    version = env.version if version is None else version
    if version not in VERSIONS:
        raise ValueError(f".ixe versions are {VERSIONS}, got {version}")
    env.check_main()
    order = env.sorted_consts()
    rank_of = {a: i for i, a in enumerate(order)}
    out = bytearray(tag4(ENV_FLAG, version))
    out += env.root()
    out += opt_addr(env.main)
    assumptions = sorted(set(env.assumptions))
    out += tag0(len(assumptions))
    for a in assumptions:
        out += a
    out += tag0(len(env.blobs))
    for a in sorted(env.blobs):
        body = env.blobs[a]
        out += a + tag0(len(body)) + body
    out += tag0(len(order))
    for a in order:
        body = env.consts[a]
        out += a + tag0(len(body)) + body
    hinted = sorted(env.hints, key=lambda a: rank_of[a] if a in rank_of else _missing(env, a, "hint"))
    out += tag0(len(hinted))
    prev = -1
    for a in hinted:
        out += tag0(rank_of[a] - prev) + tag0(env.hints[a].fused())
        prev = rank_of[a]
    table = topological_names([*env.names.values(), *env.named])
    index = {name: i for i, (name, _) in enumerate(table)}
    hashes = dict(table)
    out += tag0(len(table))
    for name, h in table:
        out += h + encode_component(name, hashes[name.parent] if name.parts else b"")
    out += tag0(len(env.named))
    for name in sorted(env.named, key=hashes.__getitem__):
        entry = env.named[name]
        if entry.addr not in rank_of:
            _missing(env, entry.addr, f"named entry {name}")
        out += tag0(index[name]) + tag0(rank_of[entry.addr])
        out += tag0(0 if entry.hint is None else entry.hint.fused() + 1)
        out += tag0(len(entry.window)) + entry.window
    out += tag0(len(env.comms))
    for a in sorted(env.comms):
        out += a + env.comms[a].secret + env.comms[a].payload
    return bytes(out)


def _missing(env: IxonEnv, addr: Address, what: str):
    raise ValueError(f"{env.source}: {what} points at {addr}, which is not a stored constant")


def read_ixe(path: str | Path, *, trust: bool = False) -> IxonEnv:
    return loads_ixe(read_bytes(path, "env"), str(path), trust=trust)


def write_ixe(env: IxonEnv, path: str | Path, version: int | None = None) -> Path:
    path = Path(path)
    atomic_write(path, dumps_ixe(env, version))
    return path


class IxeFormat:
    """The `ixe` env format: sniff by header byte, load into the pipeline's Env contract."""

    name = "ixe"

    def __init__(self, trust: bool = False) -> None:
        self.trust = trust

    def sniff(self, path: str | Path) -> bool:
        from ..safeio import open_regular

        with open_regular(path) as fh:
            return sniff_ixe(fh.read(34))

    def load(self, path: str | Path, trust: bool | None = None, **options):
        """`trust=True` skips hash and root verification (for files this host wrote)."""
        from ..errors import ConfigError
        from ..ixon.pipeline import IxeEnv

        if options:
            raise ConfigError(f"env format ixe: unknown load option(s) {', '.join(sorted(options))} (known: trust)")
        return IxeEnv(read_ixe(path, trust=self.trust if trust is None else trust), path)
