"""RFC 9162 tree hashing: the CT reference's vectors, and every proof for sizes 1..70 against a
naive recursive transcription of the RFC, checked by the RFC's verification algorithms."""

from __future__ import annotations

import hashlib

import pytest

from projections.chain.tree import (
    EMPTY_ROOT,
    Node,
    completed,
    consistency_ranges,
    frontier_nodes,
    heads,
    inclusion_ranges,
    leaf_hash,
    node_hash,
    root,
    verify_consistency,
    verify_inclusion,
)

# The eight leaves of the certificate-transparency reference tests (merkle_tree_test).
CT_LEAVES = [
    b"", b"\x00", b"\x10", b"\x20\x21", b"\x30\x31", b"\x40\x41\x42\x43",
    bytes(range(0x50, 0x58)), bytes(range(0x60, 0x70)),
]  # fmt: skip
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
MAX = 70


def mth(leaves: list[bytes]) -> bytes:
    """RFC 9162 2.1.1, transcribed: the reference the stored-node code must agree with."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def path(m: int, leaves: list[bytes]) -> list[bytes]:
    """RFC 9162 2.1.3.1 PATH(m, D[n])."""
    n = len(leaves)
    if n == 1:
        return []
    k = 1 << ((n - 1).bit_length() - 1)
    if m < k:
        return [*path(m, leaves[:k]), mth(leaves[k:])]
    return [*path(m - k, leaves[k:]), mth(leaves[:k])]


def subproof(m: int, leaves: list[bytes], complete: bool) -> list[bytes]:
    """RFC 9162 2.1.4.1 SUBPROOF(m, D[n], b)."""
    n = len(leaves)
    if m == n:
        return [] if complete else [mth(leaves)]
    k = 1 << ((n - 1).bit_length() - 1)
    if m <= k:
        return [*subproof(m, leaves[:k], complete), mth(leaves[k:])]
    return [*subproof(m - k, leaves[k:], False), mth(leaves[:k])]


def stored(leaves: list[bytes]) -> dict[Node, bytes]:
    """The nodes the sealer stores, built the way it builds them (batches of 3)."""
    found: dict[Node, bytes] = {}
    for start in range(0, len(leaves), 3):
        edge = {lv: found[(lv, i)] for lv, i in frontier_nodes(start)}
        batch = leaves[start : start + 3]
        found.update({(0, start + j): h for j, h in enumerate(batch)})
        found.update({(lv, i): h for lv, i, h in completed(start, batch, edge)})
    return found


LEAVES = [leaf_hash(i.to_bytes(4, "big")) for i in range(MAX)]
NODES = stored(LEAVES)


def read(wanted: object) -> dict[Node, bytes]:
    return {n: NODES[n] for n in wanted if n in NODES}  # type: ignore[attr-defined]


def test_the_empty_tree_and_the_ct_reference_roots() -> None:
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    hashes = [leaf_hash(d) for d in CT_LEAVES]
    found = stored(hashes)
    for size, expected in enumerate(CT_ROOTS, start=1):
        assert mth(hashes[:size]).hex() == expected
        assert root(size, lambda w: {n: found[n] for n in w}).hex() == expected


def test_stored_nodes_are_exactly_the_complete_subtrees() -> None:
    for (level, index), h in NODES.items():
        assert h == mth(LEAVES[index << level : (index + 1) << level])
    assert len(NODES) == sum(MAX >> level for level in range(MAX.bit_length()))


@pytest.mark.parametrize("size", range(1, MAX + 1))
def test_every_inclusion_proof_matches_the_rfc_and_verifies(size: int) -> None:
    head = root(size, read)
    assert head == mth(LEAVES[:size])
    for index in range(size):
        proof = heads(inclusion_ranges(index, size), read)
        assert proof == path(index, LEAVES[:size])
        assert verify_inclusion(index, size, LEAVES[index], proof, head)
        assert not verify_inclusion(index, size, LEAVES[(index + 1) % MAX], proof, head)
        if proof:
            bent = [*proof[:-1], node_hash(proof[-1], proof[-1])]
            assert not verify_inclusion(index, size, LEAVES[index], bent, head)
            assert not verify_inclusion(index, size, LEAVES[index], proof[:-1], head)


@pytest.mark.parametrize("new", range(1, MAX + 1))
def test_every_consistency_proof_matches_the_rfc_and_verifies(new: int) -> None:
    new_root = root(new, read)
    for old in range(1, new + 1):
        proof = heads(consistency_ranges(old, new), read)
        assert proof == (subproof(old, LEAVES[:new], True) if old < new else [])
        old_root = root(old, read)
        assert verify_consistency(old, new, old_root, new_root, proof)
        if old < new:
            assert not verify_consistency(old, new, LEAVES[-1], new_root, proof)
            assert not verify_consistency(old, new, old_root, LEAVES[-1], proof)
            assert not verify_consistency(old, new, old_root, new_root, proof[:-1])


def test_a_proof_beyond_what_is_sealed_is_refused() -> None:
    with pytest.raises(ValueError):
        inclusion_ranges(5, 5)
    with pytest.raises(ValueError):
        consistency_ranges(6, 5)
    with pytest.raises(LookupError):
        heads(inclusion_ranges(0, MAX + 2), read)
