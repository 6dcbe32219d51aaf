"""Shard manifests and the aggregation tree (Ix's `ShardManifest`, `AggNode`, `agg_plan`).

A manifest lists, per shard, the block addresses it proves and the foreign producer
blocks it ingests; the optional `AggNode` bisection tree says how shard proofs fold.
"""
from __future__ import annotations

from typing import Callable, Iterator, Union

import attrs

from .address import Address


@attrs.frozen
class Leaf:
    shard: int

    @property
    def num_leaves(self) -> int:
        return 1

    @property
    def min_leaf(self) -> int:
        return self.shard

    def leaves(self) -> Iterator[int]:
        yield self.shard

    def prune(self, keep: Callable[[int], bool]) -> "AggNode | None":
        return self if keep(self.shard) else None


@attrs.frozen
class Internal:
    left: "AggNode"
    right: "AggNode"
    num_leaves: int = attrs.field(init=False)
    min_leaf: int = attrs.field(init=False)

    def __attrs_post_init__(self):
        object.__setattr__(self, "num_leaves", self.left.num_leaves + self.right.num_leaves)
        object.__setattr__(self, "min_leaf", self.left.min_leaf)

    def leaves(self) -> Iterator[int]:
        # iterative preorder so deep (unbalanced) trees do not hit the recursion limit
        stack: list[AggNode] = [self]
        while stack:
            node = stack.pop()
            if isinstance(node, Leaf):
                yield node.shard
            else:
                stack.append(node.right)
                stack.append(node.left)

    def prune(self, keep: Callable[[int], bool]) -> "AggNode | None":
        """Keep leaves with keep(id); an internal node with one survivor collapses to it."""
        left = self.left.prune(keep)
        right = self.right.prune(keep)
        if left is None:
            return right
        if right is None:
            return left
        return Internal(left, right)


AggNode = Union[Leaf, Internal]


def balanced_agg_tree(lo: int, hi: int) -> AggNode:
    """Balanced tree over shard ids [lo, hi) (the tree Ix gives packer output)."""
    if hi - lo < 1:
        raise ValueError("balanced_agg_tree needs at least one shard")
    if hi - lo == 1:
        return Leaf(lo)
    mid = lo + (hi - lo) // 2
    return Internal(balanced_agg_tree(lo, mid), balanced_agg_tree(mid, hi))


@attrs.frozen
class FoldLeaf:
    shard: int


@attrs.frozen
class FoldAgg:
    children: tuple[int, ...]  # indices of earlier fold ops


FoldOp = Union[FoldLeaf, FoldAgg]


def agg_plan(tree: AggNode, arity: int) -> list[FoldOp]:
    """Post-order fold plan; the last op is the root. Each Agg has 2..=arity children.

    Frontier expansion as Ix: start from the two children of an internal node; while the
    frontier is smaller than `arity`, replace the internal frontier node with the most
    leaves (ties: the last one, as Rust's max_by_key) by its two children; then order the
    frontier by min_leaf and recurse.
    """
    arity = max(arity, 2)
    ops: list[FoldOp] = []

    def emit(node: AggNode) -> int:
        if isinstance(node, Leaf):
            ops.append(FoldLeaf(node.shard))
            return len(ops) - 1
        frontier: list[AggNode] = [node.left, node.right]
        while len(frontier) < arity:
            best = -1
            for i, f in enumerate(frontier):
                if isinstance(f, Internal) and (best < 0 or f.num_leaves >= frontier[best].num_leaves):
                    best = i
            if best < 0:
                break
            chosen = frontier[best]
            frontier[best] = frontier[-1]  # swap_remove
            frontier.pop()
            frontier.extend([chosen.left, chosen.right])
        frontier.sort(key=lambda f: f.min_leaf)
        children = tuple(emit(f) for f in frontier)
        ops.append(FoldAgg(children))
        return len(ops) - 1

    emit(tree)
    return ops


@attrs.frozen
class ShardEntry:
    """One shard of a manifest (Ix's per-shard record)."""

    id: int
    heartbeats: int
    own_size: int
    cross_ingress: int
    asm_root: Address | None
    blocks: tuple[Address, ...] = attrs.field(converter=lambda xs: tuple(Address(x) for x in xs))
    foreign: tuple[Address, ...] = attrs.field(converter=lambda xs: tuple(Address(x) for x in xs))


@attrs.frozen
class ShardManifest:
    """The partition: shards (id == index) and the optional aggregation tree."""

    total_cross_ingress: int
    shards: tuple[ShardEntry, ...] = attrs.field(converter=tuple)
    tree: AggNode | None = None

    def shard_of_block(self) -> dict[Address, int]:
        """Block -> shard; a block listed twice keeps its first shard (as Ix)."""
        out: dict[Address, int] = {}
        for s in self.shards:
            for b in s.blocks:
                out.setdefault(b, s.id)
        return out
