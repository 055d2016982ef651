"""A case's history for the CLI (`ledger history`), through the permissions module.

Event data is masked unless the caller may see it in full and gave a purpose; a read in full
is recorded (api/access_record.py) before a line is printed.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import fields, is_dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from api import access_record
from api.permissions import Disclosure, Subject
from api.rest.bodies import CHINA
from domain.ledger import Ledger
from projections.store import Database

FORMATS = ("text", "json", "csv")


def event_data(event: Any) -> dict[str, Any]:
    """An event's own fields, without the envelope (id, version, time, actor, day)."""
    skip = {"originator_id", "originator_version", "timestamp", "actor", "occurred_on"}
    if is_dataclass(event):
        return {f.name: getattr(event, f.name) for f in fields(event) if f.name not in skip}
    return {k: v for k, v in vars(event).items() if k not in skip}


def case_history(
    ledger: Ledger, db: Database, case_id: UUID, disclosure: Disclosure, fmt: str = "text"
) -> str:
    """The history as text, JSON or CSV; the record is written first (RecordFailed if not)."""
    subject = Subject(case_id=str(case_id))
    events = [
        {
            "version": e.originator_version,
            "type": type(e).__name__,
            "occurred_on": getattr(e, "occurred_on", None),
            "recorded_at": e.timestamp.astimezone(UTC).isoformat(timespec="seconds"),
            "actor": e.actor,
            "data": disclosure.redact(event_data(e), subject),
        }
        for e in ledger.case_events(case_id)
    ]
    access_record.write(db, disclosure)
    if fmt == "json":
        return json.dumps(events, ensure_ascii=False, indent=2, default=str)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["version", "recorded_at", "type", "occurred_on", "user", "role", "data"])
        for e in events:
            writer.writerow([
                e["version"], e["recorded_at"], e["type"], e["occurred_on"],
                e["actor"]["user"], e["actor"]["role"], _json(e["data"]),
            ])  # fmt: skip
        return out.getvalue().rstrip("\n")
    return "\n".join(
        f"v{e['version']:<3} {e['recorded_at']} {e['type']:<24} on {e['occurred_on']} "
        f"by {e['actor']['user']}\n     {_json(e['data'])}"
        for e in events
    )


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)


def case_state_at(ledger: Ledger, case_id: UUID, at: datetime, fmt: str = "json") -> str:
    """The case replayed to a recorded time (as GraphQL `caseAsOf`); a naive time is China's."""
    when = at if at.tzinfo else at.replace(tzinfo=CHINA)
    case = ledger.case_as_of(case_id, at=when)
    state: dict[str, Any] = {
        "id": str(case.id),
        "version": case.version,
        "recorded_at": case.modified_on.astimezone(UTC).isoformat(),
        "status": case.status,
        "programme": case.programme,
        "counted_members": len(case.counted),
        "monthly_amount_fen": case.monthly_amount_fen,
        "kin_of_staff": case.kin_of_staff,
        "accepted_on": case.accepted_on,
    }
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(state))
        writer.writeheader()
        writer.writerow(state)
        return out.getvalue().rstrip("\n")
    if fmt == "text":
        return "\n".join(f"{name}: {value}" for name, value in state.items())
    return json.dumps(state, indent=2, ensure_ascii=False)
