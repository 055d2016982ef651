"""RFC 9162 section 2.1.1 tree hashing with SHA-256, and a streaming tree over leaf hashes."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

EMPTY_ROOT = hashlib.sha256(b"").digest()
HASH_SIZE = 32


def leaf_hash(canonical: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + canonical).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def largest_power_of_two_below(n: int) -> int:
    """The k of RFC 9162: the largest power of two strictly smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_of(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) over leaf hashes, by the definition (recursive; for small trees and tests)."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = largest_power_of_two_below(len(leaves))
    return node_hash(root_of(leaves[:k]), root_of(leaves[k:]))


@dataclass(slots=True)
class Node:
    """The root of a complete subtree: `level` k, `index` i covers leaves [i*2^k, (i+1)*2^k)."""

    level: int
    index: int
    hash: bytes

    @property
    def first_leaf(self) -> int:
        return self.index << self.level

    @property
    def last_leaf(self) -> int:
        return ((self.index + 1) << self.level) - 1


class StreamingTree:
    """Appends leaf hashes one at a time, keeping only the O(log n) complete subtree roots."""

    def __init__(self) -> None:
        self._stack: list[tuple[int, bytes]] = []  # (level, hash), largest subtree first
        self.size = 0

    def append(self, leaf: bytes) -> list[Node]:
        """Add the next leaf; answer the nodes (level >= 1) it completes, lowest level first."""
        self.size += 1
        n, level, digest, stack = self.size, 0, leaf, self._stack
        completed: list[Node] = []
        while stack and stack[-1][0] == level:
            digest = node_hash(stack.pop()[1], digest)
            level += 1
            completed.append(Node(level, (n >> level) - 1, digest))  # it ends at leaf n - 1
        stack.append((level, digest))
        return completed

    def root(self) -> bytes:
        """MTH of the leaves so far: the complete subtrees folded from the right."""
        if not self._stack:
            return EMPTY_ROOT
        acc = self._stack[-1][1]
        for _, digest in reversed(self._stack[:-1]):
            acc = node_hash(digest, acc)
        return acc


def node_count(size: int) -> int:
    """How many complete subtrees of level >= 1 a tree of `size` leaves has."""
    total, level = 0, 1
    while (1 << level) <= size:
        total += size >> level
        level += 1
    return total
