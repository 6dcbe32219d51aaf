"""`IxeEnv`: an Ixon environment behind the pipeline's Env contract (`ixcore.roles`).

Blocks are Ix's `work_block_addr`s (a Muts block address or a standalone constant's
address), so profiles, manifests and check lists line up with those of Ix's Rust host.
"""
from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Iterable

from ..address import Address
from ..errors import InputError
from ..merkle import merkle_root
from ..model import WorkItem
from ..profile import Profile
from .env import IxonEnv
from .work import AnonWork, block_of_addr, build_anon_work, build_sub_env, work_block_addr


class IxeEnv:
    format = "ixe"

    def __init__(self, env: IxonEnv, path: str | Path | None = None) -> None:
        self.env = env
        self.path = Path(path) if path is not None else None

    @cached_property
    def _work(self) -> list[tuple[Address, AnonWork]]:
        keyed = [(work_block_addr(self.env, w), w) for w in build_anon_work(self.env)]
        return sorted(keyed, key=lambda kw: kw[0])

    @cached_property
    def _by_block(self) -> dict[Address, AnonWork]:
        return dict(self._work)

    @cached_property
    def _names(self) -> dict[Address, list[str]]:
        return {a: [str(n) for n in ns] for a, ns in self.env.name_index().items()}

    def work_items(self) -> list[WorkItem]:
        return [
            WorkItem(block, w.primary, w.targets, w.proven_targets,
                     tuple(n for t in w.targets for n in self._names.get(t, ())[:1]))
            for block, w in self._work
        ]

    def anon_work(self) -> list[AnonWork]:
        """Ix's enumeration order (what the guest iterates), not sorted by block."""
        return build_anon_work(self.env)

    def env_root(self) -> Address:
        """Merkle root of all proven targets; equals the header root whenever every derived
        projection is stored (Ix's compiler stores them)."""
        return merkle_root(t for _, w in self._work for t in w.proven_targets)

    def header_root(self) -> Address:
        return self.env.root()

    def name_of(self, addr: Address) -> str | None:
        names = self._names.get(Address(addr))
        if names:
            return names[0]
        item = self._by_block.get(Address(addr))
        if item is not None and item.primary != item.addr:
            names = self._names.get(item.primary)
            return names[0] if names else None
        return None

    def block_size(self, block: Address) -> int:
        """Serialized bytes of the block's constant (the whole Muts block); 0 if absent."""
        return len(self.env.consts.get(Address(block), b""))

    @cached_property
    def _static(self) -> tuple[dict[Address, int], dict[Address, set[Address]]]:
        """Per home block: constant count and walk-edge targets (Ix's static profile)."""
        env = self.env
        home = {a: block_of_addr(env, a) for a in env.consts}
        counts: dict[Address, int] = {}
        edges: dict[Address, set[Address]] = {}
        for addr, h in home.items():
            counts[h] = counts.get(h, 0) + 1
            for t in env.scan(addr).walk_edges():
                pb = home.get(t)
                if pb is not None and pb != h:
                    edges.setdefault(h, set()).add(pb)
        return counts, edges

    def block_refs(self, block: Address) -> set[Address]:
        """Blocks this block statically depends on: refs used as constants by a Ref or Prj
        node, and projection blocks, mapped to their home blocks (self-edges dropped)."""
        return set(self._static[1].get(Address(block), ()))

    def static_profile(self) -> Profile:
        """Ix main's profile-free strategy (#550): size as heartbeats and as `subst` (the
        byte weight), walk edges at block granularity; no kernel run."""
        counts, edges = self._static
        blocks = {
            h: {"heartbeats": self.block_size(h), "size": self.block_size(h), "const_count": n, "subst": self.block_size(h)}
            for h, n in counts.items()
        }
        return Profile.build(blocks, edges)

    def _items_of(self, blocks: Iterable[bytes]) -> list[AnonWork]:
        wanted = {Address(b) for b in blocks}
        unknown = wanted - self._by_block.keys()
        if unknown:
            raise InputError(f"{self.path}: {len(unknown)} block(s) are not work blocks of this env, e.g. {min(unknown)}")
        return [w for block, w in self._work if block in wanted]

    def sub_env(self, blocks: Iterable[bytes]) -> IxonEnv:
        roots = [t for w in self._items_of(blocks) for t in w.proven_targets]
        return build_sub_env(self.env, roots)

    def sub_env_bytes(self, blocks: Iterable[bytes]) -> bytes:
        from ..formats.ixe import dumps_ixe

        return dumps_ixe(self.sub_env(blocks))

    def write_sub_env(self, blocks: Iterable[bytes], path: str | Path) -> Path:
        from ..formats._io import atomic_write

        path = Path(path)
        atomic_write(path, self.sub_env_bytes(blocks))
        return path

    def check_list(self, blocks: Iterable[bytes]) -> list[Address]:
        """The primaries the guest must check for these blocks, in Ix's work order."""
        wanted = {w.primary for w in self._items_of(blocks)}
        return [w.primary for w in build_anon_work(self.env) if w.primary in wanted]
