"""Canonical merkle root: invariants, and Ix's vectors when ../shared is present."""
from hypothesis import given
from hypothesis import strategies as st

from ixcore.address import ZERO, Address
from ixcore.merkle import leaf_hash, merkle_root, node_hash

addrs = st.lists(st.binary(min_size=32, max_size=32), max_size=20)


def test_empty_is_zero():
    assert merkle_root([]) == ZERO


def test_singleton_is_leaf_hash():
    a = Address.hash(b"x")
    assert merkle_root([a]) == leaf_hash(a)


def test_odd_node_paired_with_raw_zero():
    a, b, c = sorted(Address.hash(bytes([i])) for i in range(3))
    expect = node_hash(node_hash(leaf_hash(a), leaf_hash(b)), node_hash(leaf_hash(c), bytes(32)))
    assert merkle_root([c, a, b]) == expect


@given(addrs, st.randoms())
def test_order_and_duplicate_invariant(xs, rnd):
    ys = xs + xs[: len(xs) // 2]
    rnd.shuffle(ys)
    assert merkle_root(xs) == merkle_root(ys)


@given(addrs)
def test_a_witness_tuple_in_canonical_order_gives_the_same_root_as_any_order(raw):
    """A sorted tuple of Addresses is its own memo key; duplicates, disorder or plain
    bytes take the sorting path; every form gives the one canonical root."""
    canonical = tuple(sorted({Address(a) for a in raw}))
    root = merkle_root(list(reversed(raw)))
    assert merkle_root(canonical) == root
    assert merkle_root(canonical + canonical[:1]) == root  # a duplicate: not strictly sorted
    assert merkle_root(tuple(bytes(a) for a in canonical)) == root
