"""Keyset paging over one table of a view: a page in key order, and a count on demand."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from projections.store import Database, Row


@dataclass(frozen=True)
class Keyset:
    """The rows of one table that match a condition, in key order: a page, and a count on demand.

    Keyset paging on a unique key is stable while rows are added (no OFFSET); the COUNT is a
    separate query, run only when a caller wants the total.
    """

    db: Database
    table: str
    key: str
    condition: str = "1 = 1"
    params: tuple[Any, ...] = ()

    def page(self, after: str | None, limit: int) -> list[Row]:
        """Up to `limit` rows whose key comes after `after` (from the start when None)."""
        condition, params = f"({self.condition})", list(self.params)
        if after is not None:
            condition += f" AND {self.key} > %s"
            params.append(after)
        return self.db.query(
            f"SELECT * FROM {self.table} WHERE {condition} ORDER BY {self.key} LIMIT %s",
            [*params, limit],
        )

    def count(self) -> int:
        return int(
            self.db.scalar(f"SELECT COUNT(*) FROM {self.table} WHERE {self.condition}", self.params)
        )
