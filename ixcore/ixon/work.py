"""Work enumeration, closures and sub-envs exactly as Ix's hosts and guests compute them
(`kernel/src/anon_work.rs`, `ixon/src/env.rs`): guest and host must agree bit for bit,
because the committed subject root is the merkle root of the proven targets.
"""
from __future__ import annotations

from collections import deque
from typing import Iterable

import attrs

from ..address import Address
from ..errors import InputError
from .constant import PROJECTION_HEADS, member_targets
from .env import IxonEnv

STANDALONE_HEADS = frozenset((0xD0, 0xD1, 0xD2, 0xD3))


@attrs.frozen
class AnonWork:
    """Ix's `AnonWork`: a Standalone constant (`is_block` False) or a Muts Block."""

    addr: Address  # the standalone address, or the Muts block address
    primary: Address
    targets: tuple[Address, ...]
    is_block: bool

    @property
    def proven_targets(self) -> tuple[Address, ...]:
        """The certified set: `[addr]` for a Standalone, `[block] ++ targets` for a Block."""
        return (self.addr, *self.targets) if self.is_block else (self.addr,)


def build_anon_work(env: IxonEnv) -> list[AnonWork]:
    """Sorted constants; projections skipped; D0-D3 standalone; a Muts block yields its
    member projections with each inductive's constructor projections right after it."""
    items = []
    for addr in env.sorted_consts():
        head = env.consts[addr][:1]
        if not head:
            raise InputError(f"{env.source}: constant {addr} is empty")
        h = head[0]
        if h in PROJECTION_HEADS:
            continue
        if h in STANDALONE_HEADS:
            items.append(AnonWork(addr, addr, (addr,), False))
        elif h >> 4 == 0xC:
            targets = member_targets(env.scan(addr).members, addr)
            if targets:
                items.append(AnonWork(addr, targets[0], tuple(targets), True))
        else:
            raise InputError(f"{env.source}: constant {addr} has head {h:02x}, not a Muts block or a D0-D7 constant")
    return items


def block_of_addr(env: IxonEnv, addr: Address) -> Address:
    """A stored projection's block; any other address (absent ones included) itself."""
    data = env.consts.get(addr)
    if data and data[0] in PROJECTION_HEADS:
        return env.scan(addr).block
    return addr


def work_block_addr(env: IxonEnv, item: AnonWork) -> Address:
    """The item's key in profiles and manifests."""
    return block_of_addr(env, item.primary)


def closure_edges(env: IxonEnv, addr: Address) -> list[Address]:
    """Ix's three edge kinds: all refs (constants and blobs), a projection's block, and a
    Muts block's derived member and constructor projections."""
    scan = env.scan(addr)
    edges = list(scan.refs)
    if scan.block is not None:
        edges.append(scan.block)
    if scan.is_muts:
        edges.extend(member_targets(scan.members, addr))
    return edges


def bfs_closure(env: IxonEnv, roots: Iterable[Address]) -> set[Address]:
    """Every address reachable from `roots`; only stored constants are expanded, blobs and
    absent addresses stay in the set as leaves."""
    seen = {Address(a) for a in roots}
    queue = deque(seen)
    while queue:
        addr = queue.popleft()
        if addr not in env.consts:
            continue
        for nxt in closure_edges(env, addr):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def build_sub_env(source: IxonEnv, roots: Iterable[Address]) -> IxonEnv:
    """What the zkVM hosts ship: the closure's constants (verbatim bytes), its blobs and
    its hints; no main, no assumptions, names reduced to the anonymous entry (the writer
    always emits it), no named entries, no comms. Written as version 1, like Ix main."""
    sub = IxonEnv(source=f"sub-env of {source.source}")
    for a in bfs_closure(source, roots):
        if a in source.consts:
            sub.consts[a] = source.consts[a]
        elif a in source.blobs:
            sub.blobs[a] = source.blobs[a]
        if a in source.hints:
            sub.hints[a] = source.hints[a]
    return sub

