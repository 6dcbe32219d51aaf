"""Ix's O(1) composition `merkle_join` (mode 0): one node hash over the two roots, in order."""
from __future__ import annotations

from blake3 import blake3

from ixcore.address import Address
from ixcore.merkle import merkle_join


def test_join_is_the_ordered_node_hash():
    left, right = bytes(range(32)), bytes(range(32, 64))
    joined = merkle_join(left, right)
    assert isinstance(joined, Address)
    assert bytes(joined) == blake3(b"\x01" + left + right).digest()
    assert merkle_join(right, left) != joined
