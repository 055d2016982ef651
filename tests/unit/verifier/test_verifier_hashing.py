"""The verifier's tree hashing agrees with RFC 9162 and with an independent writer."""

from __future__ import annotations

import hashlib
from uuid import UUID

import pytest

from tests.merkle_writer import complete_nodes, leaf_of, mth
from verifier.canonical import StoredEvent
from verifier.hashing import EMPTY_ROOT, StreamingTree, leaf_hash, node_count, root_of
from verifier.rows import id_bytes

LEAVES = [hashlib.sha256(bytes([i])).digest() for i in range(70)]


def test_the_empty_tree_and_the_empty_leaf_have_the_rfc_6962_hashes() -> None:
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert leaf_hash(b"").hex() == (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    )


@pytest.mark.parametrize("size", [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64, 70])
def test_the_streamed_root_is_the_recursive_one_at_every_size(size: int) -> None:
    tree = StreamingTree()
    for leaf in LEAVES[:size]:
        tree.append(leaf)
    assert tree.root() == root_of(LEAVES[:size]) == mth(LEAVES[:size])


def test_the_streamed_tree_completes_exactly_the_stored_nodes() -> None:
    tree = StreamingTree()
    completed = [n for leaf in LEAVES for n in tree.append(leaf)]
    expected = complete_nodes(LEAVES)
    assert sorted((n.level, n.index, n.hash) for n in completed) == sorted(expected)
    assert node_count(len(LEAVES)) == len(expected)
    # completed in leaf order: a node comes when its last leaf arrives
    assert [n.last_leaf for n in completed] == sorted(n.last_leaf for n in completed)


def test_an_events_leaf_covers_every_field_of_the_stored_row() -> None:
    aggregate = id_bytes("0123456789abcdef0123456789abcdef")  # SQLite's 32 hex characters
    event = StoredEvent(7, aggregate, 3, "domain.x:Event", b"\x00state")
    assert event.leaf_hash() == leaf_of(7, UUID(bytes=aggregate), 3, "domain.x:Event", b"\x00state")
    assert event.leaf_hash() == leaf_hash(event.canonical())
    variants = [
        StoredEvent(8, aggregate, 3, "domain.x:Event", b"\x00state"),
        StoredEvent(
            7, id_bytes("01234567-89ab-cdef-0123-456789abcdee"), 3, "domain.x:Event", b"\x00state"
        ),
        StoredEvent(7, aggregate, 4, "domain.x:Event", b"\x00state"),
        StoredEvent(7, aggregate, 3, "domain.x:Evenu", b"\x00state"),
        StoredEvent(7, aggregate, 3, "domain.x:Event", b"\x00statf"),
    ]
    assert len({v.leaf_hash() for v in variants} | {event.leaf_hash()}) == 6
