"""Shard manifests and the aggregation tree (Ix's `ShardManifest`, `AggNode`, `agg_plan`).

A manifest lists, per shard, the block addresses it proves and the foreign producer
blocks it ingests; the optional `AggNode` bisection tree says how shard proofs fold.
The byte format lives in `ixcore.formats.ixes`; this module holds the model and the
invariants every manifest satisfies however it was made.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterator, Union

import attrs

from .address import Address
from .merkle import merkle_root

if TYPE_CHECKING:
    from .profile import Profile

@attrs.frozen
class Leaf:
    """One shard's proof in the fold."""

    shard: int = attrs.field(validator=attrs.validators.ge(0))

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
    """A bisection: `left` holds the lower shard ids when built by a partitioner."""

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


def tree_depth(tree: AggNode) -> int:
    """Edges on the longest root-to-leaf path (a single leaf has depth 0)."""
    deepest = 0
    stack: list[tuple[AggNode, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, Leaf):
            deepest = max(deepest, depth)
        else:
            stack.append((node.left, depth + 1))
            stack.append((node.right, depth + 1))
    return deepest


def tree_to_json(tree: AggNode | None):
    """Nested JSON as in Ix's golden files: a leaf is its id, an internal node `[l, r]`."""
    if tree is None:
        return None
    if isinstance(tree, Leaf):
        return tree.shard
    return [tree_to_json(tree.left), tree_to_json(tree.right)]


def tree_from_json(obj) -> AggNode | None:
    if obj is None:
        return None
    if isinstance(obj, bool) or not isinstance(obj, (int, list)) or (isinstance(obj, list) and len(obj) != 2):
        raise ValueError(f"not an aggregation tree node: {obj!r}")
    if isinstance(obj, int):
        return Leaf(obj)
    return Internal(tree_from_json(obj[0]), tree_from_json(obj[1]))


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
    """Take shard `shard`'s leaf proof."""

    shard: int


@attrs.frozen
class FoldAgg:
    """Aggregate the results of earlier fold ops (indices into the plan)."""

    children: tuple[int, ...]


FoldOp = Union[FoldLeaf, FoldAgg]


def fold_plan_to_json(plan: list[FoldOp]) -> list[dict]:
    """`[{"leaf": id} | {"agg": [slot, ...]}]`, the golden files' spelling of a plan."""
    return [{"leaf": op.shard} if isinstance(op, FoldLeaf) else {"agg": list(op.children)} for op in plan]


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


def tree_problem(tree: AggNode, shards, *, exact: bool) -> str | None:
    """Why `tree` cannot fold these shards, or None. Always: leaf ids are distinct shard
    ids and every shard with blocks is a leaf. `exact` (Ix main's reader rule): the leaf
    ids are exactly all shard ids, empty shards included."""
    leaves = list(tree.leaves())
    if len(set(leaves)) != len(leaves):
        return "the aggregation tree names a shard twice"
    if exact:
        if sorted(leaves) != list(range(len(shards))):
            return f"aggregation tree leaves ({len(leaves)} ids) do not match the manifest's shard ids ({len(shards)} shards)"
        return None
    out_of_range = [i for i in leaves if i >= len(shards)]
    if out_of_range:
        return f"the aggregation tree names shard {out_of_range[0]}, but there are {len(shards)} shards"
    in_tree = set(leaves)
    missing = [s.id for s in shards if s.blocks and s.id not in in_tree]
    if missing:
        return f"shard {missing[0]} has blocks but is not a leaf of the aggregation tree"
    return None


def _optional_address(x) -> Address | None:
    return None if x is None else Address(x)


@attrs.frozen
class ShardEntry:
    """One shard of a manifest (Ix's per-shard record).

    heartbeats: Σ member heartbeats (raw, informational).
    own_size: Σ member serialized sizes.
    cross_ingress: Σ size of the distinct foreign producer blocks.
    asm_root: canonical merkle root of `foreign` (None when there are none).
    blocks: member block addresses, ascending block id.
    foreign: producers of members that live in other shards, ascending block id.
    """

    id: int
    heartbeats: int
    own_size: int
    cross_ingress: int
    asm_root: Address | None = attrs.field(converter=_optional_address)
    blocks: tuple[Address, ...] = attrs.field(converter=lambda xs: tuple(Address(x) for x in xs))
    foreign: tuple[Address, ...] = attrs.field(converter=lambda xs: tuple(Address(x) for x in xs))


@attrs.frozen
class ShardManifest:
    """The partition: shards (id == index) and the optional aggregation tree.

    Invariants, checked on construction (ValueError): shard ids are their positions;
    no block is in two shards; `total_cross_ingress` is the sum over shards; tree leaves
    are distinct shard ids and every shard with blocks is a leaf. Ix main additionally
    demands that the tree's leaves are exactly the shard ids (`tree_covers_all_shards`);
    [411] wrote trees that omit empty shards, which this model accepts.
    """

    total_cross_ingress: int
    shards: tuple[ShardEntry, ...] = attrs.field(converter=tuple)
    tree: AggNode | None = None

    def __attrs_post_init__(self):
        problem = self.problem()
        if problem:
            raise ValueError(problem)

    def problem(self) -> str | None:
        """The first broken invariant, in words, or None."""
        seen: dict[Address, int] = {}
        for index, shard in enumerate(self.shards):
            if shard.id != index:
                return f"shard at position {index} has id {shard.id}"
            for block in shard.blocks:
                if block in seen:
                    return f"block {block.short()} is listed twice (shard {seen[block]} and shard {index})"
                seen[block] = index
        total = sum(s.cross_ingress for s in self.shards)
        if total != self.total_cross_ingress:
            return f"total_cross_ingress {self.total_cross_ingress} differs from the shards' sum {total}"
        if self.tree is not None:
            return tree_problem(self.tree, self.shards, exact=False)
        return None

    @property
    def tree_covers_all_shards(self) -> bool:
        """Ix main's reader rule: the tree's leaf ids are exactly the shard ids."""
        return self.tree is None or tree_problem(self.tree, self.shards, exact=True) is None

    def shard_of_block(self) -> dict[Address, int]:
        """Block -> shard."""
        return {b: s.id for s in self.shards for b in s.blocks}

    @classmethod
    def build(cls, profile: "Profile", shard_of, tree: AggNode | None, num_shards: int | None = None) -> "ShardManifest":
        """Ix's manifest for an assignment (`shard_of[block_id]`): members and foreign
        producers in block-id order, sizes and heartbeats summed, `asm_root` over foreign."""
        import numpy as np  # only here: reading a manifest or folding needs no numpy

        shard_of = np.asarray(shard_of, dtype=np.int64)
        if len(shard_of) != profile.n:
            raise ValueError(f"assignment has {len(shard_of)} entries for {profile.n} blocks")
        k = int(num_shards if num_shards is not None else (shard_of.max() + 1 if profile.n else 1))
        members: list[list[int]] = [[] for _ in range(k)]
        foreign: list[set[int]] = [set() for _ in range(k)]
        for block, shard in enumerate(shard_of.tolist()):
            members[shard].append(block)
            for producer in profile.producers(block).tolist():
                if shard_of[producer] != shard:
                    foreign[shard].add(producer)
        shards = []
        for sid in range(k):
            own = members[sid]
            far = sorted(foreign[sid])
            far_addrs = [profile.addrs[p] for p in far]
            shards.append(
                ShardEntry(
                    id=sid,
                    heartbeats=int(profile.heartbeats[own].sum()) if own else 0,
                    own_size=int(profile.sizes[own].astype(np.uint64).sum()) if own else 0,
                    cross_ingress=int(profile.sizes[far].astype(np.uint64).sum()) if far else 0,
                    asm_root=merkle_root(far_addrs) if far else None,
                    blocks=[profile.addrs[b] for b in own],
                    foreign=far_addrs,
                )
            )
        return cls(sum(s.cross_ingress for s in shards), shards, tree)
