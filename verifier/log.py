"""The full check of a ledger's log: every leaf from its event, the tree, every checkpoint."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from verifier.canonical import StoredEvent
from verifier.encoding import Malformed, encode
from verifier.hashing import Node, StreamingTree, node_count, node_hash
from verifier.note import BadSignature, Checkpoint, VerifierKey
from verifier.report import CheckpointResult, Problem, Report
from verifier.rows import LeafRow, LogRows

Progress = Callable[[int, int], None]  # (events done, events in all)
PROGRESS_EVERY = 2_000


class _Stop(Exception):
    """The first problem is found: the walk ends there."""


@dataclass(frozen=True)
class HeldCheckpoint:
    """A checkpoint note the auditor kept outside the bureau, and where it came from."""

    source: str
    note: str


class _Check:
    def __init__(self, rows: LogRows, key: VerifierKey, progress: Progress | None) -> None:
        self.rows, self.key, self.progress = rows, key, progress
        self.report = Report()
        self.tree = StreamingTree()
        self._roots: dict[int, list[tuple[CheckpointResult, bytes]]] = {}
        self._levels: dict[int, Iterator[tuple[int, bytes]]] = {}
        self._last_position: int | None = None
        self._last_good = 0  # the largest size at which a checkpoint's root matched

    def stop(self, message: str, position: int | None = None) -> _Stop:
        self.report.problem = Problem(message, position)
        return _Stop()

    def expect_root(self, result: CheckpointResult, size: int, root: bytes) -> None:
        self._roots.setdefault(size, []).append((result, root))

    def signed(self, source: str, note: str) -> Checkpoint | None:
        """The checkpoint if its signature and origin verify; a failed result otherwise."""
        try:
            checkpoint = Checkpoint.verify(note, self.key)
        except (Malformed, BadSignature) as e:
            self.report.checkpoints.append(CheckpointResult(source, None, "failed", str(e)))
            return None
        result = CheckpointResult(source, checkpoint.tree_size)
        self.report.checkpoints.append(result)
        self.expect_root(result, checkpoint.tree_size, checkpoint.root_hash)
        return checkpoint

    def load_checkpoints(self, held: Sequence[HeldCheckpoint]) -> None:
        for stored in self.rows.checkpoints():
            source = f"stored checkpoint of size {stored.tree_size}"
            checkpoint = self.signed(source, stored.note)
            if checkpoint is not None and (
                checkpoint.tree_size != stored.tree_size or checkpoint.root_hash != stored.root_hash
            ):
                self.report.checkpoints[-1].fail(
                    "its tree_size or root_hash column differs from its signed note (edited?)"
                )
        for h in held:
            self.signed(f"held checkpoint {h.source}", h.note)

    def check_roots(self) -> None:
        size, results = self.tree.size, self._roots.get(self.tree.size, [])
        for result, root in results:
            if root == self.tree.root():
                result.passed()
            else:
                first = self.rows.leaf(self._last_good)
                result.fail(
                    f"the log's root at size {size} is {encode(self.tree.root())}, not the "
                    f"signed {encode(root)}: history was rewritten within leaves "
                    f"{self._last_good}..{size - 1} (positions "
                    f"{first.position if first else '?'}..{self._last_position})"
                )
        if results and all(r.verdict == "ok" for r, _ in results):
            self._last_good = size

    def preflight(self) -> None:
        missing = self.rows.missing_tables()
        if missing:
            raise self.stop(
                f"the database has no {', '.join(missing)} table: not a sealed caseledger log"
            )

    def run(self) -> None:
        total = self.rows.event_count()
        self.report.events = total
        self.check_roots()  # a checkpoint of the empty tree
        events = self.rows.events()
        event = next(events, None)
        for leaf in self.rows.leaves():
            self.check_leaf_row(leaf)
            digest = self.hash_event(leaf, event)
            if digest != leaf.leaf_hash:
                raise self.stop(self.explain_leaf(leaf, digest), leaf.position)
            for node in self.tree.append(digest):
                self.check_node(node, leaf.position)
            self._last_position = leaf.position
            self.check_roots()
            event = next(events, None)
            if self.progress is not None and self.tree.size % PROGRESS_EVERY == 0:
                self.progress(self.tree.size, total)
        self.finish()
        if self.progress is not None:
            self.progress(total, total)

    def hash_event(self, leaf: LeafRow, event: StoredEvent | None) -> bytes:
        """The leaf hash of the event at the leaf's position; no event there is the finding."""
        if event is not None and event.position < leaf.position:
            raise self.stop(
                f"an event at position {event.position} was never sealed (inserted?): "
                f"leaf {leaf.leaf_index} is for position {leaf.position}",
                event.position,
            )
        if event is None or event.position > leaf.position:
            raise self.stop(
                f"position {leaf.position}: event row missing (deleted?); "
                f"leaf {leaf.leaf_index} was sealed for it",
                leaf.position,
            )
        try:
            return event.leaf_hash()
        except ValueError:  # a version that is no integer: only a hand-edited row has it
            raise self.stop(
                f"position {leaf.position}: the stored event's version is not an integer (edited?)",
                leaf.position,
            ) from None

    def check_leaf_row(self, leaf: LeafRow) -> None:
        if leaf.leaf_index != self.tree.size:
            raise self.stop(
                f"leaf {self.tree.size} is missing (deleted?): the next stored leaf is "
                f"{leaf.leaf_index}, for position {leaf.position}",
                leaf.position,
            )
        if self._last_position is not None and leaf.position <= self._last_position:
            raise self.stop(
                f"leaf {leaf.leaf_index} is stored for position {leaf.position}, not after "
                f"the previous leaf's position {self._last_position} (leaves reordered?)",
                leaf.position,
            )

    def explain_leaf(self, leaf: LeafRow, digest: bytes) -> str:
        """Tell an edited event from an edited leaf by the stored node above the pair."""
        i, p = leaf.leaf_index, leaf.position
        sibling, parent = self.rows.leaf(i ^ 1), self.rows.node(1, i >> 1)
        if sibling is not None and parent is not None:

            def pair(h: bytes) -> bytes:
                return (
                    node_hash(h, sibling.leaf_hash)
                    if i % 2 == 0
                    else node_hash(sibling.leaf_hash, h)
                )

            if pair(leaf.leaf_hash) == parent:
                return (
                    f"position {p}: the stored event does not match its leaf {i} (edited payload?)"
                )
            if pair(digest) == parent:
                return (
                    f"position {p}: leaf {i}'s stored hash was edited (the event still "
                    "matches the tree above it)"
                )
        return f"leaf {i} is stored for position {p} but the event there hashes differently"

    def check_node(self, node: Node, position: int) -> None:
        if node.level not in self._levels:
            self._levels[node.level] = self.rows.nodes(node.level)
        stored = next(self._levels[node.level], None)
        leaves = f"leaves {node.first_leaf}..{node.last_leaf}"
        where = f"tree node level {node.level} index {node.index} ({leaves}"
        if stored is None or stored[0] != node.index:
            raise self.stop(f"{where}) is not stored (deleted?)", position)
        if stored[1] != node.hash:
            first = self.rows.leaf(node.first_leaf)
            span = f"positions {first.position if first else '?'}..{position}"
            raise self.stop(
                f"{where}, {span}) does not match the leaves under it (edited node?)", position
            )

    def finish(self) -> None:
        """Every leaf matched one event, so the events left over are the unsealed tail."""
        n = self.tree.size
        self.report.leaves, self.report.root = n, self.tree.root()
        self.report.unsealed = self.report.events - n
        stored_nodes, expected = self.rows.node_count(), node_count(n)
        if stored_nodes != expected:
            raise self.stop(
                f"merkle_nodes holds {stored_nodes} nodes but a tree of {n} leaves has "
                f"{expected} (nodes forged or deleted?)"
            )
        for size, results in self._roots.items():
            if size > n:
                for result, _ in results:
                    result.fail(
                        f"it covers {size} leaves but the log has only {n} "
                        f"(truncated after position {self._last_position}?)"
                    )
        failed = any(r.verdict != "ok" for results in self._roots.values() for r, _ in results)
        sealer, last = self.rows.sealer_position(), self._last_position if n else 0
        if sealer is not None and sealer != last and not failed:  # a truncation says more
            raise self.stop(
                f"the sealer's position is {sealer} but the last leaf is at position {last}: "
                "moved, so that later events would never be sealed (edited projection_tracking?)"
            )


def verify_log(
    rows: LogRows,
    key: VerifierKey,
    held: Sequence[HeldCheckpoint] = (),
    progress: Progress | None = None,
) -> Report:
    """Recompute every leaf and node from the event rows and check every checkpoint."""
    check = _Check(rows, key, progress)
    try:
        check.preflight()
        check.load_checkpoints(held)
        check.run()
    except _Stop:
        pass
    return check.report
