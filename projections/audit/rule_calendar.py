"""The working-day calendar an audit rule judges by: the shipped holiday notices, plus those
the rule has seen recorded in the ledger (a recorded one wins), kept in the rule's own table.

A08 and A09 each keep their own table, so that each rule's view rebuilds on its own.
"""

from __future__ import annotations

import json
from typing import Any

from domain.shared.holiday_calendar import notice_from_event
from domain.shared.working_days import WorkingDayCalendar, default_calendar
from projections.store import Tx


def rule_calendar(tx: Tx, table: str) -> WorkingDayCalendar:
    """The calendar of the notices in `table` (read once a transaction)."""
    return tx.remembered(table, lambda: _read(tx, table))


def _read(tx: Tx, table: str) -> WorkingDayCalendar:
    rows = tx.query(f"SELECT year, off, work FROM {table} ORDER BY year")
    notices = [
        notice_from_event(r["year"], json.loads(r["off"]), json.loads(r["work"])) for r in rows
    ]
    return default_calendar().with_notices(notices) if notices else default_calendar()


def keep_notice(tx: Tx, table: str, e: Any) -> None:
    """Keep a recorded year's notice (`HolidayCalendar.NoticeRecorded`) in place of any before."""
    tx.execute(f"DELETE FROM {table} WHERE year = %s", [e.year])
    tx.execute(
        f"INSERT INTO {table} (year, off, work) VALUES (%s, %s, %s)",
        [e.year, json.dumps(e.off), json.dumps(e.work)],
    )
    tx.memo.pop(table, None)
