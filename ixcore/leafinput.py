"""What a zkVM leaf guest receives for one shard, and the claim it must commit.

Closure injection (ix-pipeline.md §7.3 step 7): the guest gets the closure sub-env of
the shard's proven targets and a check list of the shard's primaries. The host mirror
of the guest's claim rules (`ixcore.ixon.claims.leaf_claim_lists`) gives the subject and
assumption preimages every backend binds its committed roots to before aggregating.
"""
from __future__ import annotations

from typing import Iterable

import attrs

from .address import Address, pack, unpack
from .errors import InputError, VerificationError
from .merkle import WitnessRoots


def _sorted_addrs(xs) -> tuple[Address, ...]:
    return tuple(sorted({Address(x) for x in xs}))


@attrs.frozen
class LeafInput(WitnessRoots):
    """sub_env: serialized closure sub-env; check_list: packed primaries (work order);
    subjects / assumptions: sorted, deduplicated preimages the guest must commit."""

    sub_env: bytes
    check_list: bytes
    subjects: tuple[Address, ...] = attrs.field(converter=_sorted_addrs)
    assumptions: tuple[Address, ...] = attrs.field(converter=_sorted_addrs)

    @property
    def env_hash(self) -> Address:
        return Address.hash(self.sub_env)


def leaf_input(env, blocks: Iterable[bytes]) -> LeafInput:
    """Build the shard's guest input from an env that supports sub-envs (the `ixe` format)."""
    from .formats.ixe import loads_ixe
    from .ixon.claims import leaf_claim_lists

    wanted = {Address(b) for b in blocks}
    if not wanted:
        raise InputError(f"{getattr(env, 'path', '<env>')}: a shard needs at least one block")
    for needed in ("sub_env_bytes", "check_list"):
        if not hasattr(env, needed):
            raise InputError(
                f"{getattr(env, 'path', '<env>')}: format {getattr(env, 'format', '?')!r} cannot ship sub-envs "
                "to a zkVM guest; convert the environment to .ixe"
            )
    items = [w for w in env.work_items() if w.block in wanted]
    unknown = sorted(wanted - {w.block for w in items})
    if unknown:
        raise InputError(f"{getattr(env, 'path', '<env>')}: block {unknown[0]} is not a work item of this env")
    ordered = sorted(wanted)
    sub_env = bytes(env.sub_env_bytes(ordered))
    check = env.check_list(ordered)
    check_list = bytes(check) if isinstance(check, (bytes, bytearray)) else pack(check)
    shipped = loads_ixe(sub_env, f"{getattr(env, 'path', '<env>')} sub-env")
    subjects, assumptions = leaf_claim_lists(shipped, unpack(check_list))
    cover = {t for w in items for t in w.proven_targets}
    if set(map(Address, subjects)) != cover:
        raise VerificationError(
            f"{getattr(env, 'path', '<env>')}: the claim mirror certifies {len(set(subjects))} targets "
            f"but the shard's blocks prove {len(cover)}; sub-env and work items disagree"
        )
    return LeafInput(sub_env, check_list, cover, assumptions)
