"""What a projection is: handlers per event class, its tables, all applied inside one Tx."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar

from domain.shared.personal_data import PersonalData
from domain.shared.pseudonyms import Pseudonyms
from domain.topics import topics_of
from projections.buffer import Rows
from projections.store import Tx

Handler = Callable[[Any, Tx, Any, int], None]
F = TypeVar("F", bound=Callable[..., None])


def handles(*event_classes: type) -> Callable[[F], F]:
    """Mark a method as the handler of these event classes."""

    def mark(fn: F) -> F:
        fn.__dict__["_handles"] = event_classes
        return fn

    return mark


class Projection:
    """A view: the subclass names its tables and marks its handlers with @handles."""

    name: ClassVar[str]
    tables: ClassVar[tuple[str, ...]]
    #: Tables it writes beside other views (its `clear` deletes only its own rows there).
    shared_tables: ClassVar[tuple[str, ...]] = ()
    handlers: ClassVar[dict[type, Handler]]
    #: The one-row-per-aggregate table `_update` writes, its key column, and whether the
    #: table has an `updated_at` column (set to the event's recorded time).
    row_table: ClassVar[str] = ""
    row_key: ClassVar[str] = ""
    row_stamped: ClassVar[bool] = True
    #: Seals personal data with its person's key; the runner gives it the ledger's.
    personal: PersonalData | None = None
    #: Keyed digests of personal values (the ledger's person key); the runner gives it.
    pseudonyms: Pseudonyms | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.handlers = dict(getattr(cls, "handlers", {}))  # a subclass keeps its parent's
        for attr in vars(cls).values():
            for event_class in getattr(attr, "_handles", ()):
                cls.handlers[event_class] = attr

    @classmethod
    def topics(cls) -> set[str]:
        return {t for c in cls.handlers for t in topics_of(c)}

    def sealed(self, person_id: str, value: Any) -> Any:
        """A name, ID number or account as a view holds it: sealed with the person's key."""
        return self._personal().seal(person_id, value)

    def sealed_blocks(self, data: Any, owner: str) -> Any:
        """JSON data with its `personal` blocks sealed (`owner` when a block names nobody)."""
        return self._personal().seal_blocks(data, owner)

    def _personal(self) -> PersonalData:
        if self.personal is None:
            raise RuntimeError(f"{self.name} holds personal data: run it with the ledger's keys")
        return self.personal

    def _update(self, tx: Tx, e: Any, position: int, **changes: Any) -> None:
        """Update the aggregate's row, with its version and position, from an event (sent
        before the commit, or before a statement that names the table: see buffer.py)."""
        changes.update(version=e.originator_version, position=position)
        if self.row_stamped:
            changes["updated_at"] = recorded_at(e)
        # Gathered with the batch's other changes of the row, sent as one UPDATE.
        Rows.of(tx, self.row_table, self.row_key).update(tx, str(e.originator_id), changes)

    def clear(self, tx: Tx) -> None:
        """Empty this view for a rebuild (a view sharing a table deletes only its own rows)."""
        for table in self.tables:
            tx.execute(f"DELETE FROM {table}")

    def prefetch(self, tx: Tx, todo: list[tuple[int, Any]]) -> None:
        """Before a batch's events (position, event or None) are applied: read at once what
        their handlers will need (see buffer.Lookup). Nothing by default."""

    def apply(self, tx: Tx, event: Any, position: int) -> None:
        handler = self.handlers.get(type(event))
        if handler is not None:
            handler(self, tx, event, position)


def recorded_at(event: Any) -> str:
    ts: datetime = event.timestamp
    return ts.astimezone(UTC).isoformat(timespec="seconds")
