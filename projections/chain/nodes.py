"""The only SQL on merkle_leaves and merkle_nodes: reading subtree hashes, appending new ones."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from projections.chain.tree import Node, Reader
from projections.store import Database, Tx

Source = Database | Tx


def read_nodes(source: Source, wanted: Iterable[Node]) -> dict[Node, bytes]:
    """The hashes of these subtrees (level 0 from the leaves), in at most two queries."""
    wanted = set(wanted)
    found: dict[Node, bytes] = {}
    leaves = sorted(i for level, i in wanted if level == 0)
    inner = sorted(n for n in wanted if n[0] > 0)
    if leaves:
        marks = ", ".join(["%s"] * len(leaves))
        rows = source.query(
            f"SELECT leaf_index, leaf_hash FROM merkle_leaves WHERE leaf_index IN ({marks})",
            leaves,
        )
        found.update({(0, int(r["leaf_index"])): bytes(r["leaf_hash"]) for r in rows})
    if inner:
        where = " OR ".join(["(level = %s AND node_index = %s)"] * len(inner))
        params = [v for node in inner for v in node]
        rows = source.query(
            f"SELECT level, node_index, hash FROM merkle_nodes WHERE {where}", params
        )
        found.update({(int(r["level"]), int(r["node_index"])): bytes(r["hash"]) for r in rows})
    return found


def reader(source: Source) -> Reader:
    """A tree.Reader over this database or transaction."""
    return lambda wanted: read_nodes(source, wanted)


def size(source: Source) -> int:
    """How many leaves are sealed (indexes are dense)."""
    return int(source.scalar("SELECT COALESCE(MAX(leaf_index) + 1, 0) FROM merkle_leaves") or 0)


def append(
    tx: Tx, leaves: Sequence[tuple[int, int, bytes]], nodes: Sequence[tuple[int, int, bytes]]
) -> None:
    """Leaves as (leaf_index, position, hash) and completed nodes as (level, index, hash)."""
    tx.executemany(
        "INSERT INTO merkle_leaves (leaf_index, position, leaf_hash) VALUES (%s, %s, %s)", leaves
    )
    tx.executemany("INSERT INTO merkle_nodes (level, node_index, hash) VALUES (%s, %s, %s)", nodes)


def leaf_at(source: Source, position: int) -> tuple[int, bytes] | None:
    """The leaf index and hash of the event at `position`, if sealed."""
    rows = source.query(
        "SELECT leaf_index, leaf_hash FROM merkle_leaves WHERE position = %s", (position,)
    )
    return (int(rows[0]["leaf_index"]), bytes(rows[0]["leaf_hash"])) if rows else None


def leaves_at(source: Source, positions: Sequence[int]) -> Mapping[int, tuple[int, bytes]]:
    """position -> (leaf index, hash) for those of `positions` that are sealed."""
    if not positions:
        return {}
    marks = ", ".join(["%s"] * len(positions))
    rows = source.query(
        f"SELECT position, leaf_index, leaf_hash FROM merkle_leaves WHERE position IN ({marks})",
        list(positions),
    )
    return {int(r["position"]): (int(r["leaf_index"]), bytes(r["leaf_hash"])) for r in rows}
