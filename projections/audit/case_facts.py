"""What a case rule remembers of each case: one JSON row per case in the rule's own table.

The rules A05-A08 need a handful of facts per case (which steps were recorded, at which
positions); a JSON document keeps each rule's table to one shape while the facts differ.
"""

from __future__ import annotations

import json
from typing import Any

from domain.shared.procedure import normal_user
from projections.buffer import Rows
from projections.store import Tx

Facts = dict[str, Any]


class CaseFacts:
    """Reads and writes `(case_id, street, facts)` rows of one table."""

    def __init__(self, table: str) -> None:
        self.table = table

    def get(self, tx: Tx, case_id: str) -> tuple[str | None, Facts] | None:
        known = tx.memo.get((self.table, case_id))  # written earlier in this transaction
        if known is None:
            rows = tx.query(f"SELECT street, facts FROM {self.table} WHERE case_id = %s", [case_id])
            if not rows:
                return None
            known = tx.memo[(self.table, case_id)] = (rows[0]["street"], rows[0]["facts"])
        street, text = known
        return street, json.loads(text)  # a copy of its own: the caller may change it

    def put(self, tx: Tx, case_id: str, street: str | None, facts: Facts) -> None:
        """Only this class writes the table, so the memo of a row stays what is stored."""
        text = json.dumps(facts, sort_keys=True)
        row = {"case_id": case_id, "street": street, "facts": text}
        Rows.of(tx, self.table, "case_id").upsert(tx, row)  # sent with the batch's others
        tx.memo[(self.table, case_id)] = (street, text)


def case_of(e: Any) -> str:
    return str(e.originator_id)


def distinct_investigators(names: list[Any]) -> set[str]:
    """The investigators as the write side compares them (trimmed), blanks dropped."""
    return {u for u in (normal_user(n) for n in names) if u is not None}
