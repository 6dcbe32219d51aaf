"""The one bridge from the Python Lean kernel to the native leaf prover.

`check_blocks(sub_env, blocks)` is the `kernel` the `NativeLeafProver` calls: in the
shard's closure sub-environment it admits, unchecked, every declaration outside the
shard (they are the assumptions other leaves discharge) and checks each declaration of
the shard's blocks, in file order, with fresh caches per declaration (`Kernel.check_selected`).
A block is accepted when all its declarations are; its work is their Ix heartbeats, the
same count the `kernel` profiler puts in the profile, so measured work and the planner's
prediction are in one unit.
"""
from __future__ import annotations

from collections.abc import Sequence

from ixcore.address import Address
from ixcore.errors import VerificationError

from .provers import BlockVerdict


def check_blocks(sub_env, blocks: Sequence[bytes]) -> list[BlockVerdict]:
    """One verdict per block of `blocks` (addresses of `sub_env`, a NativeEnv or the
    `subenv.SubEnv` just written)."""
    from .lean.checker import Kernel

    block_of_decl = {id(d): Address(b) for b in blocks for d in sub_env.decls_of(b)}
    selected = [d for d in sub_env.export.decls if id(d) in block_of_decl]
    stats = Kernel().check_selected(sub_env.export, {n for d in selected for n in d.names()})
    if [st.name for st in stats] != [d.name for d in selected]:
        raise VerificationError(f"{sub_env.path}: the kernel checked other declarations than the shard's")
    ok = {Address(b): True for b in blocks}
    reason = {Address(b): "" for b in blocks}
    work = {Address(b): 0 for b in blocks}
    for decl, st in zip(selected, stats):
        b = block_of_decl[id(decl)]
        work[b] += st.ix_heartbeats
        if not st.ok and ok[b]:
            ok[b], reason[b] = False, st.reason
    return [BlockVerdict(b, ok[b], reason[b], work[b]) for b in ok]


def load_sub_env(path):
    """`subenv.load_sub_env`, imported when a leaf first runs (the export reader it needs
    is not imported by a run that proves nothing)."""
    from .subenv import load_sub_env as load

    return load(path)


def native_leaf_prover():
    """The registered `native` leaf prover: the kernel above over ndjson sub-envs."""
    from .provers import NativeLeafProver

    return NativeLeafProver(check_blocks, load_sub_env)
