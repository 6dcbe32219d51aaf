"""TEST DOUBLES ONLY (never registered for users): a tiny JSON environment and a leaf
prover over it, so store, fold, executors and the pipeline are tested without the Lean
kernel. An env file is `{"blocks": [{"name": str, "refs": [names], "bad": bool}]}`;
a block's address is blake3 of its name and its refs' addresses; a "bad" block is one
the fake kernel rejects.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ixcore.address import Address
from ixcore.manifest import ShardEntry, ShardManifest, balanced_agg_tree
from ixcore.merkle import merkle_root
from ixcore.model import Claim, Proof, WorkItem
from ixcore.profile import Profile


def toy_addr(name: str) -> Address:
    return Address.hash(b"toy\0" + name.encode())


class ToyEnv:
    def __init__(self, path, blocks):
        self.path = Path(path)
        self.blocks = {toy_addr(b["name"]): b for b in blocks}
        self.names = {a: b["name"] for a, b in self.blocks.items()}

    def work_items(self):
        return [WorkItem(a, a, (a,), (a,), (b["name"],)) for a, b in sorted(self.blocks.items())]

    def env_root(self):
        return merkle_root(self.blocks)

    def name_of(self, addr):
        return self.names.get(addr)

    def block_refs(self, block):
        return {toy_addr(r) for r in self.blocks[block]["refs"]}

    def block_size(self, block):
        return 1 + len(self.blocks[block]["refs"])

    def write_sub_env(self, blocks, path):
        todo, seen = list(blocks), set()
        while todo:
            a = todo.pop()
            if a in seen or a not in self.blocks:
                continue
            seen.add(a)
            todo.extend(self.block_refs(a))
        Path(path).write_text(json.dumps({"blocks": [self.blocks[a] for a in sorted(seen)]}, sort_keys=True))
        return Path(path)

    def static_profile(self):
        blocks = {a: {"heartbeats": 10, "size": self.block_size(a), "const_count": 1} for a in self.blocks}
        edges = {a: {r for r in self.block_refs(a) if r in self.blocks} for a in self.blocks}
        return Profile.build(blocks, edges)


class ToyFormat:
    name = "toy"

    def sniff(self, path):
        return str(path).endswith(".toy.json")

    def load(self, path, **_):
        return ToyEnv(path, json.loads(Path(path).read_text())["blocks"])


class ToyLeafProver:
    """Checks nothing real: a block is 'rejected' iff its `bad` flag is set."""

    name = backend = "native"  # folds with the real native aggregator
    capabilities = frozenset({"execute", "prove", "aggregate"})
    program_id = Address.hash(b"toy leaf program")
    kernel_version = "toy-1"

    def prove(self, env, blocks, workdir):
        sub = env.write_sub_env(blocks, Path(workdir) / "sub.toy.json")
        env_hash = Address.hash(sub.read_bytes())
        subjects = sorted(set(blocks))
        refs = {r for b in blocks for r in env.block_refs(b)}
        assumptions = sorted(refs - set(subjects))
        failed = [env.name_of(b) for b in blocks if env.blocks[b].get("bad")]
        claim = Claim(env_hash, len(failed), merkle_root(subjects), merkle_root(assumptions), len(blocks))
        body = json.dumps({"claim": claim.to_json()}, sort_keys=True).encode()
        return Proof("native", "leaf", self.program_id, claim, subjects, assumptions, body, self.kernel_version,
                     {"seconds": 0.001, "work": len(blocks), "failed": failed})

    def verify(self, proof, reexecute=False, env=None):
        from ixcore.errors import VerificationError

        if json.loads(proof.body).get("claim") != proof.claim.to_json():
            raise VerificationError("toy leaf: body does not carry the claim")

    def cost_model(self):
        return None


def write_toy_env(path, n, *, bad=(), prefix="c", fanout=2, shared_prefix=None):
    """A chain-ish env: block i refers to blocks i-1 .. i-fanout."""
    blocks = []
    for i in range(n):
        refs = [f"{prefix}{j}" for j in range(max(0, i - fanout), i)]
        blocks.append({"name": f"{prefix}{i}", "refs": refs, "bad": i in bad})
    Path(path).write_text(json.dumps({"blocks": blocks}))
    return Path(path)


def range_manifest(env, k, *, tree=True):
    """k contiguous shards over the work items in address order, balanced tree."""
    items = env.work_items()
    chunks = [items[i * len(items) // k : (i + 1) * len(items) // k] for i in range(k)]
    shards = tuple(
        ShardEntry(i, 10 * len(c), len(c), 0, None, tuple(w.block for w in c), ()) for i, c in enumerate(chunks)
    )
    return ShardManifest(0, shards, balanced_agg_tree(0, k) if tree else None)


def backends(*, store=None, jobs=1, executor=None, leaf=None):
    from ix_native.provers import NativeAggProver
    from ixcore.executors import LocalExecutor
    from ixcore.pipeline import Backends

    leaf = leaf or ToyLeafProver()
    return Backends(ToyFormat(), leaf, NativeAggProver(leaf), executor or LocalExecutor(jobs), store)


__all__ = ["ToyEnv", "ToyFormat", "ToyLeafProver", "write_toy_env", "range_manifest", "backends", "toy_addr", "np"]


def toy_leaves(tmp_path, shards: int, blocks: int = 12):
    """A toy env of `blocks` blocks, its range manifest of `shards` shards, and one honest
    leaf proof per shard: the inputs of the fold tests."""
    env = ToyFormat().load(write_toy_env(tmp_path / "e.toy.json", blocks))
    m = range_manifest(env, shards)
    prover = ToyLeafProver()
    return env, m, [prover.prove(env, list(s.blocks), tmp_path) for s in m.shards]
