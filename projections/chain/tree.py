"""RFC 9162 tree hashing over stored complete subtrees: heads and proofs in O(log n) reads.

A subtree is named by (level, index): it covers leaves [index * 2^level, (index + 1) * 2^level);
level 0 is a leaf. Every range the RFC's recursions use splits into such complete subtrees, so
a tree head or a proof is planned as ranges first, the few nodes they need are read in one go,
and the hashes are then folded: nothing is recomputed from the leaves.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence

Node = tuple[int, int]  # (level, index)
Range = tuple[int, int]  # leaves [start, end)

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def nodes_of(span: Range) -> list[Node]:
    """The complete subtrees that make up a range of the RFC recursion, largest first."""
    start, end = span
    found: list[Node] = []
    position, remaining = start, end - start
    for level in range(remaining.bit_length() - 1, -1, -1):
        if remaining >> level & 1:
            found.append((level, position >> level))
            position += 1 << level
    return found


def fold(hashes: Sequence[bytes]) -> bytes:
    """MTH of a range from its complete subtrees, largest first (a right fold)."""
    if not hashes:
        return EMPTY_ROOT
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """RFC 9162 2.1.3.1 PATH(m, D[n]) as the ranges whose heads form the audit path."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of size {size}")
    path: list[Range] = []
    start, end, m = 0, size, index
    while end - start > 1:
        k = _split(end - start)
        if m < k:
            path.append((start + k, end))
            end = start + k
        else:
            path.append((start, start + k))
            start, m = start + k, m - k
    path.reverse()
    return path


def consistency_ranges(old: int, new: int) -> list[Range]:
    """RFC 9162 2.1.4.1 PROOF(m, D[n]) as ranges; empty when m is 0 or m equals n."""
    if not 0 <= old <= new:
        raise ValueError(f"no consistency proof from {old} to {new}")
    if old == 0 or old == new:
        return []
    proof: list[Range] = []
    start, end, m, complete = 0, new, old, True
    while True:
        n = end - start
        if m == n:
            if not complete:
                proof.append((start, end))
            break
        k = _split(n)
        if m <= k:
            proof.append((start + k, end))
            end = start + k
        else:
            proof.append((start, start + k))
            start, m, complete = start + k, m - k, False
    proof.reverse()
    return proof


Reader = Callable[[Iterable[Node]], Mapping[Node, bytes]]


def heads(ranges: Sequence[Range], read: Reader) -> list[bytes]:
    """MTH of each range, reading every node they need in one call."""
    planned = [nodes_of(r) for r in ranges]
    found = read({n for nodes in planned for n in nodes})
    missing = [n for nodes in planned for n in nodes if n not in found]
    if missing:
        raise LookupError(f"the log has no node {missing[0]}: not sealed that far")
    return [fold([found[n] for n in nodes]) for nodes in planned]


def root(size: int, read: Reader) -> bytes:
    return heads([(0, size)], read)[0] if size else EMPTY_ROOT


def completed(
    first_index: int, leaves: Sequence[bytes], frontier: Mapping[int, bytes]
) -> list[tuple[int, int, bytes]]:
    """The subtree nodes (level >= 1) that appending `leaves` at `first_index` completes.

    `frontier` holds, per level, the complete subtree at the right edge of the tree of size
    first_index (its binary decomposition); it is read from the store, never recomputed.
    """
    edge = dict(frontier)
    made: list[tuple[int, int, bytes]] = []
    for offset, h in enumerate(leaves):
        i = first_index + offset
        level, current = 0, h
        while level in edge:
            current = node_hash(edge.pop(level), current)
            level += 1
            made.append((level, ((i + 1) >> level) - 1, current))
        edge[level] = current
    return made


def frontier_nodes(size: int) -> list[Node]:
    """The complete subtrees of a tree of `size` leaves, by their (level, index)."""
    return [(level, (size >> level) - 1) for level in range(size.bit_length()) if size >> level & 1]


def verify_inclusion(
    index: int, size: int, leaf: bytes, path: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 2.1.3.2: does `path` prove `leaf` at `index` in the tree of `size` with `root`?"""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(
    old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 2.1.4.2: is the tree of size `new` an append-only extension of `old`?"""
    if not 0 <= old <= new:
        return False
    if old == new:
        return not proof and old_root == new_root
    if old == 0:
        return not proof
    if not proof:
        return False
    path = list(proof)
    if old & (old - 1) == 0:  # a power of two: the old root is the first node of the path
        path.insert(0, old_root)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == old_root and sr == new_root
