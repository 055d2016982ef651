"""Inclusion and consistency proofs: every part is bound to the root, as an attacker tries."""

from __future__ import annotations

import hashlib

import pytest

from tests.merkle_writer import audit_path, b64, consistency_path, mth
from verifier.encoding import Malformed
from verifier.proofs import (
    ConsistencyProof,
    InclusionProof,
    ProofFailed,
    verify_consistency,
    verify_inclusion,
)

LEAVES = [hashlib.sha256(b"leaf %d" % i).digest() for i in range(40)]
OTHER = [hashlib.sha256(b"other %d" % i).digest() for i in range(40)]
SIZES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 16, 17, 31, 32, 33, 40]


def flip(h: bytes) -> bytes:
    return bytes([h[0] ^ 1]) + h[1:]


@pytest.mark.parametrize("size", SIZES)
def test_every_leafs_audit_path_leads_to_the_root(size: int) -> None:
    root = mth(LEAVES[:size])
    for m in range(size):
        verify_inclusion(m, size, LEAVES[m], audit_path(m, LEAVES[:size]), root)


def _forged_inclusions(size: int, m: int) -> list[tuple[int, int, bytes, list[bytes], bytes]]:
    """Not the tree size alone: paths of two sizes can coincide (index 0 of 3 and of 4), so the
    size is bound by the checkpoint's signature with the root (tested with the texts)."""
    leaves = LEAVES[:size]
    path, root, leaf = audit_path(m, leaves), mth(leaves), leaves[m]
    forged = [
        (m + 1, size, leaf, path, root),  # another index
        (m, size, flip(leaf), path, root),  # another leaf
        (m, size, leaf, path, flip(root)),  # another root
        (m, size, leaf, [*path, path[-1] if path else root], root),  # an extra hash
        (m, size, leaf, audit_path(m, OTHER[:size]), root),  # a proof from another tree
        (m, size, leaf, path, mth(OTHER[:size])),  # another tree's root
    ]
    if m > 0:
        forged.append((m - 1, size, leaf, path, root))
    for i in range(len(path)):
        forged.append((m, size, leaf, [*path[:i], flip(path[i]), *path[i + 1 :]], root))
        forged.append((m, size, leaf, path[:i] + path[i + 1 :], root))  # a missing hash
    return [f for f in forged if f != (m, size, leaf, path, root)]  # (another tree of one leaf)


@pytest.mark.parametrize("size", SIZES)
def test_a_forged_inclusion_proof_is_refused_whatever_part_is_changed(size: int) -> None:
    for m in range(size):
        for index, tree_size, leaf, path, root in _forged_inclusions(size, m):
            with pytest.raises(ProofFailed):
                verify_inclusion(index, tree_size, leaf, path, root)


def test_an_index_outside_the_tree_is_refused() -> None:
    with pytest.raises(ProofFailed, match="not in a tree"):
        verify_inclusion(3, 3, LEAVES[0], [], mth(LEAVES[:3]))


@pytest.mark.parametrize("second", SIZES)
def test_every_older_tree_is_consistent_with_a_newer_one(second: int) -> None:
    for first in range(second + 1):
        path = consistency_path(first, LEAVES[:second]) if first else []
        verify_consistency(first, second, mth(LEAVES[:first]), mth(LEAVES[:second]), path)


@pytest.mark.parametrize("second", SIZES[1:])
def test_a_forged_consistency_proof_is_refused(second: int) -> None:
    """Each root and hash, an extra or a missing one (the sizes come with signed roots)."""
    new = mth(LEAVES[:second])
    for first in range(1, second):
        old, path = mth(LEAVES[:first]), consistency_path(first, LEAVES[:second])
        rewritten = mth(OTHER[:1] + LEAVES[1:second])
        forged = [
            (first, second, flip(old), new, path),
            (first, second, old, flip(new), path),
            (first, second, old, rewritten, path),  # history rewritten under the old root
            (first, second, old, new, [*path, path[-1]]),
            (first, second, old, new, consistency_path(first, OTHER[:second])),
        ]
        for i in range(len(path)):
            forged.append((first, second, old, new, [*path[:i], flip(path[i]), *path[i + 1 :]]))
            forged.append((first, second, old, new, path[:i] + path[i + 1 :]))
        for a, b, r1, r2, p in forged:
            with pytest.raises(ProofFailed):
                verify_consistency(a, b, r1, r2, p)


def test_equal_or_empty_trees_need_no_hashes_and_equal_roots() -> None:
    root = mth(LEAVES[:5])
    verify_consistency(5, 5, root, root, [])
    verify_consistency(0, 5, mth([]), root, [])
    with pytest.raises(ProofFailed):
        verify_consistency(5, 5, root, flip(root), [])
    with pytest.raises(ProofFailed):
        verify_consistency(5, 5, root, root, [root])
    with pytest.raises(ProofFailed):
        verify_consistency(6, 5, root, root, [])


def test_the_proof_texts_are_read_strictly() -> None:
    path = audit_path(2, LEAVES[:5])
    note = "origin\n5\nroot\n\n\u2014 origin sig\n"
    text = "c2sp.org/tlog-proof@v1\nindex 2\n" + "".join(b64(h) + "\n" for h in path) + "\n" + note
    proof = InclusionProof.parse(text)
    assert (proof.index, proof.path, proof.checkpoint_note) == (2, tuple(path), note)
    for bad in [
        text.replace("index 2", "index 02"),
        text.replace("index 2", "index -2"),
        text.replace("index 2", "leaf 2"),
        text.replace("tlog-proof@v1", "tlog-proof@v2"),
        text.replace(b64(path[0]), b64(path[0])[:-4]),
        text.replace(b64(path[0]), b64(path[0] + b"x")),
        text.split("\n\n")[0] + "\n",  # no checkpoint
    ]:
        with pytest.raises(Malformed):
            InclusionProof.parse(bad)
    hashes = consistency_path(3, LEAVES[:7])
    body = "caseledger/consistency@v1\nfrom 3\nto 7\n" + "".join(b64(h) + "\n" for h in hashes)
    for text in (body, body + "\n" + note):
        c = ConsistencyProof.parse(text)
        assert (c.first, c.second, c.path) == (3, 7, tuple(hashes))
    with pytest.raises(Malformed):
        ConsistencyProof.parse(body.replace("to 7", "to seven"))
