"""`.ixes`: shard manifests, byte-exact with Ix's `ShardManifest::{to,from}_bytes`.

    magic "IXES\\0\\0\\0\\0" | u128 total_cross_ingress | u32 S
    S × { u32 id | u64 heartbeats | u64 own_size | u64 cross_ingress
          | u8 asm_present [32 asm_root] | u32 n_blocks, n × addr | u32 n_foreign, n × addr }
    [u8 tree_present [AggNode preorder: 0x00 u32 id | 0x01 left right]]

All integers little-endian; no version field. We always write the tree-presence byte.

Reading is stricter than Ix (each rule below is rejected with file and offset, where
Ix would accept or silently reinterpret):
- trailing bytes after the tree (Ix ignores them);
- an `asm_present` or `tree_present` byte other than 0 or 1 (Ix reads it as "absent");
- a shard id that is not its position (Ix main never checks);
- a block listed twice (Ix keeps its first shard);
- `total_cross_ingress` differing from the shards' sum (Ix never checks);
- a tree repeating a leaf id, or deeper than `MAX_TREE_DEPTH` (fold code recurses).
Like Ix main, the tree's leaf ids must equal the shard ids. `legacy_411=True` relaxes
that to [411]'s manifests, whose trees may omit empty shards. Writing enforces the
same rules, so what we write is readable by Ix main (unless `legacy_411` is asked for).

The sidecar `<file>.ixes.json` records what the binary cannot: partitioner name and
version, preset, seed, eps, k or cap, cost model, env root, tool version, command.
"""
from __future__ import annotations

import struct
import sys
from pathlib import Path
from typing import Any

from .. import __version__
from ..address import ADDRESS_LEN, Address
from ..manifest import AggNode, Internal, Leaf, ShardEntry, ShardManifest, tree_depth, tree_problem
from ._cursor import Cursor
from ._io import atomic_write, read_bytes, read_sidecar, remove_sidecar, write_sidecar

MAGIC = b"IXES\0\0\0\0"
SIDECAR_KIND = "ixes-meta"
MAX_TREE_DEPTH = 256
TAG_LEAF, TAG_INTERNAL = 0, 1

#: sidecar keys a partitioning run records (others are kept as given)
META_KEYS = ("partitioner", "partitioner_version", "preset", "seed", "eps", "k", "cap", "cost_model", "env_root", "command")

_SHARD_HEAD = struct.Struct("<IQQQ")


def sniff_ixes(head: bytes) -> bool:
    return head[:8] == MAGIC


def loads_ixes(data: bytes, source: str = "<bytes>", *, legacy_411: bool = False) -> ShardManifest:
    """Decode a manifest; errors are one line naming `source`, the offset and the rule."""
    cur = Cursor(data, source)
    magic = bytes(cur.take(8, "magic"))
    if magic != MAGIC:
        raise cur.fail(f"bad magic {magic!r}: not a shard manifest (expected {MAGIC!r})", at=0)
    total = cur.u128("total_cross_ingress")
    count = cur.u32("shard count")
    shards: list[ShardEntry] = []
    home: dict[Address, int] = {}
    summed = 0
    for index in range(count):
        at = cur.pos
        sid, heartbeats, own_size, cross = _SHARD_HEAD.unpack(cur.take(_SHARD_HEAD.size, f"shard {index} header"))
        if sid != index:
            raise cur.fail(f"shard at position {index} has id {sid} (ids must equal positions)", at=at)
        flag_at = cur.pos
        flag = cur.u8(f"shard {index} asm_present")
        if flag not in (0, 1):
            raise cur.fail(f"shard {index} asm_present byte is {flag}, must be 0 or 1", at=flag_at)
        asm_root = cur.address(f"shard {index} asm_root") if flag else None
        n_blocks = cur.u32(f"shard {index} block count")
        blocks_at = cur.pos
        blocks = cur.addresses(n_blocks, f"shard {index} block addresses")
        for j, block in enumerate(blocks):
            if block in home:
                raise cur.fail(f"block {block} is listed twice (shard {home[block]} and shard {index})", at=blocks_at + j * ADDRESS_LEN)
            home[block] = index
        n_foreign = cur.u32(f"shard {index} foreign count")
        foreign = cur.addresses(n_foreign, f"shard {index} foreign addresses")
        summed += cross
        shards.append(ShardEntry(sid, heartbeats, own_size, cross, asm_root, blocks, foreign))
    if summed != total:
        raise cur.fail(f"total_cross_ingress {total} differs from the sum over shards {summed}", at=8)

    tree = None
    if cur.remaining:
        tree_at = cur.pos
        present = cur.u8("tree_present")
        if present not in (0, 1):
            raise cur.fail(f"tree_present byte is {present}, must be 0 or 1", at=tree_at)
        if present:
            tree = _read_tree(cur)
            _check_tree(tree, shards, legacy_411, lambda msg: cur.fail(msg, at=tree_at))
    cur.expect_end("the aggregation tree" if tree is not None else "the manifest")
    return ShardManifest(total, shards, tree)


def dumps_ixes(manifest: ShardManifest, *, legacy_411: bool = False) -> bytes:
    """Encode exactly as Ix's `to_bytes` (tree-presence byte always written)."""
    if manifest.tree is not None:
        _check_tree(manifest.tree, manifest.shards, legacy_411, ValueError)
    out = bytearray(MAGIC)
    out += manifest.total_cross_ingress.to_bytes(16, "little")
    out += struct.pack("<I", len(manifest.shards))
    for shard in manifest.shards:
        out += _SHARD_HEAD.pack(shard.id, shard.heartbeats, shard.own_size, shard.cross_ingress)
        if shard.asm_root is None:
            out.append(0)
        else:
            out.append(1)
            out += shard.asm_root
        for addrs in (shard.blocks, shard.foreign):
            out += struct.pack("<I", len(addrs))
            out += b"".join(addrs)
    if manifest.tree is None:
        out.append(0)
    else:
        out.append(1)
        _write_tree(manifest.tree, out)
    return bytes(out)


def read_ixes(path: str | Path, *, legacy_411: bool = False) -> ShardManifest:
    return loads_ixes(read_bytes(path, "manifest"), source=str(path), legacy_411=legacy_411)


def write_ixes(manifest: ShardManifest, path: str | Path, meta: dict[str, Any] | None = None, *, legacy_411: bool = False) -> None:
    """Atomically write the manifest; with `meta`, also the sidecar (else drop a stale one)."""
    atomic_write(path, dumps_ixes(manifest, legacy_411=legacy_411))
    if meta is None:
        remove_sidecar(path, SIDECAR_KIND)
        return
    doc = {key: meta.get(key) for key in META_KEYS}
    doc.update({k: v for k, v in meta.items() if k not in META_KEYS})
    doc["tool_version"] = __version__
    if doc.get("command") is None:
        doc["command"] = " ".join(sys.argv)
    write_sidecar(path, SIDECAR_KIND, doc)


def read_ixes_meta(path: str | Path) -> dict[str, Any] | None:
    """The sidecar's record of how the manifest was made, or None if there is none."""
    doc = read_sidecar(path, SIDECAR_KIND)
    if doc is None:
        return None
    doc.pop("format")
    return doc


def _check_tree(tree: AggNode, shards, legacy_411: bool, error) -> None:
    depth = tree_depth(tree)
    if depth > MAX_TREE_DEPTH:
        raise error(f"aggregation tree is {depth} levels deep, more than {MAX_TREE_DEPTH}")
    problem = tree_problem(tree, shards, exact=not legacy_411)
    if problem:
        raise error(problem)


def _read_tree(cur: Cursor) -> AggNode:
    """Preorder decode without recursion; children are combined as soon as both exist."""
    # stack of open internal nodes: [depth, left or None]
    stack: list[list] = []
    while True:
        at = cur.pos
        tag = cur.u8("AggNode tag")
        if tag == TAG_INTERNAL:
            if len(stack) >= MAX_TREE_DEPTH:
                raise cur.fail(f"aggregation tree deeper than {MAX_TREE_DEPTH} levels", at=at)
            stack.append([None])
            continue
        if tag != TAG_LEAF:
            raise cur.fail(f"bad AggNode tag {tag} (0 = leaf, 1 = internal)", at=at)
        node: AggNode = Leaf(cur.u32("AggNode leaf id"))
        while stack:
            top = stack[-1]
            if top[0] is None:
                top[0] = node
                break
            stack.pop()
            node = Internal(top[0], node)
        else:
            return node


def _write_tree(tree: AggNode, out: bytearray) -> None:
    stack: list[AggNode] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Leaf):
            out.append(TAG_LEAF)
            out += struct.pack("<I", node.shard)
        else:
            out.append(TAG_INTERNAL)
            stack.append(node.right)
            stack.append(node.left)
