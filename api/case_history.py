"""A case's history for the CLI (`ledger history`): the case file, as text, CSV or JSON.

The history is the case file itself (api/case_file.py): every event of the case and of its
payouts with position, business date, recorded time, actor, its stored bytes' leaf hash and
its inclusion proof against a signed checkpoint; `--format json` prints the file exactly as
`GET /api/v1/cases/{id}/export` answers it, so `ledger verify --case-file` checks it offline.
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

from api.rest.bodies import CHINA
from domain.ledger import Ledger

FORMATS = ("text", "json", "csv")
CSV_COLUMNS = (
    "position", "aggregate_id", "version", "recorded_at", "type", "occurred_on", "user", "role",
    "leaf_hash", "proof", "data",
)  # fmt: skip


def event_data(event: Any) -> dict[str, Any]:
    """An event's own fields, without the envelope (id, version, time, actor, day)."""
    skip = {"originator_id", "originator_version", "timestamp", "actor", "occurred_on"}
    if is_dataclass(event):
        return {f.name: getattr(event, f.name) for f in fields(event) if f.name not in skip}
    return {k: v for k, v in vars(event).items() if k not in skip}


def case_state(ledger: Ledger, case_id: UUID, at: datetime | None = None) -> dict[str, Any]:
    """What caseAsOf answers: the case replayed to a recorded time (now when not given)."""
    if at is None:
        case = ledger.get_case(case_id)
    else:
        case = ledger.case_as_of(case_id, at=at if at.tzinfo else at.replace(tzinfo=CHINA))
    return {
        "id": str(case.id),
        "version": case.version,
        "recorded_at": case.modified_on.astimezone(UTC).isoformat(),
        "status": case.status,
        "programme": case.programme,
        "street": case.street,
        "counted_members": len(case.counted),
        "monthly_amount_fen": case.monthly_amount_fen,
        "kin_of_staff": case.kin_of_staff,
        "accepted_on": case.accepted_on,
    }


def render_state(state: dict[str, Any], fmt: str) -> str:
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(state), lineterminator="\n")
        writer.writeheader()
        writer.writerow(state)
        return out.getvalue().rstrip("\n")
    if fmt == "text":
        return "\n".join(f"{name}: {value}" for name, value in state.items())
    return json.dumps(state, indent=2, ensure_ascii=False)


def render_history(file: dict[str, Any], fmt: str) -> str:
    """The case file in one of FORMATS (JSON: verbatim, for `ledger verify --case-file`)."""
    if fmt == "json":
        return json.dumps(file, ensure_ascii=False, indent=2, default=str)
    events = file["events"]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for e in events:
            writer.writerow([
                e["position"], e["aggregate_id"], e["version"], e["recorded_at"], e["type"],
                e["occurred_on"], (e["actor"] or {}).get("user"), (e["actor"] or {}).get("role"),
                e["leaf_hash"], " ".join(e["proof"]), _json(e["data"]),
            ])  # fmt: skip
        return out.getvalue().rstrip("\n")
    lines = [
        f"case {file['case_id']}: {len(events)} events, proved against the checkpoint of "
        f"tree size {file['tree_size']}"
    ]
    for e in events:
        lines.append(
            f"#{e['position']:<7} v{e['version']:<3} {e['recorded_at'][:19]} {e['type']:<24} "
            f"on {e['occurred_on']} by {(e['actor'] or {}).get('user')}\n"
            f"         leaf {e['leaf_hash']}  {_json(e['data'])}"
        )
    return "\n".join(lines)


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)
