"""person_enrolment: who is counted in which case now? The death process and people read it.

The double-enrolment rule does not: it is kept on the write side (domain/enrolment.py).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from domain.assistance.case import AssistanceCase
from domain.shared.errors import Unavailable
from projections.store import Database, Tx
from projections.tracking import wait_for_position
from projections.view import Projection, handles


class PersonEnrolment(Projection):
    name = "person_enrolment"
    tables = ("person_enrolment",)

    @handles(AssistanceCase.ApplicationSubmitted)
    def submitted(self, tx: Tx, e: Any, position: int) -> None:
        tx.executemany(
            "INSERT INTO person_enrolment (person_id, case_id, programme, status, since)"
            " VALUES (%s, %s, %s, 'pending', %s)",
            [
                (m["person_id"], str(e.originator_id), e.programme, e.occurred_on)
                for m in e.members
                if m["counted"]
            ],
        )

    def _set(self, tx: Tx, e: Any, status: str, until: str | None = None) -> None:
        tx.execute(
            "UPDATE person_enrolment SET status = %s, until = %s WHERE case_id = %s",
            (status, until, str(e.originator_id)),
        )

    @handles(AssistanceCase.EligibilityConfirmed)
    def confirmed(self, tx: Tx, e: Any, position: int) -> None:
        tx.execute(
            "UPDATE person_enrolment SET status = 'active', since = %s WHERE case_id = %s",
            (e.occurred_on, str(e.originator_id)),
        )

    @handles(AssistanceCase.EligibilityDenied)
    def denied(self, tx: Tx, e: Any, position: int) -> None:
        self._set(tx, e, "ended", e.occurred_on)

    @handles(AssistanceCase.BenefitTerminated)
    def terminated(self, tx: Tx, e: Any, position: int) -> None:
        self._set(tx, e, "ended", e.effective_month)


@dataclass(frozen=True)
class EnrolmentRow:
    """One row of the view (not the write-side domain.enrolment.Enrolment aggregate)."""

    person_id: str
    case_id: UUID
    programme: str


class EnrolmentView:
    """Who is counted in which active case, read from the view once it has caught up."""

    def __init__(
        self, db: Database, timeout: float = 10.0, progressed: threading.Condition | None = None
    ):
        self.db = db
        self.timeout = timeout
        self.progressed = progressed

    def active_enrolments(self, person_ids: list[str], up_to: int | None) -> list[EnrolmentRow]:
        if not person_ids:
            return []
        names = [PersonEnrolment.name]
        if up_to and not wait_for_position(self.db, names, up_to, self.timeout, self.progressed):
            raise Unavailable(
                "the enrolment register is behind the ledger; try again in a moment",
                code="views_behind",
            )
        marks = ", ".join(["%s"] * len(person_ids))
        rows = self.db.query(
            "SELECT person_id, case_id, programme FROM person_enrolment"
            f" WHERE status = 'active' AND person_id IN ({marks})",
            person_ids,
        )
        return [EnrolmentRow(r["person_id"], UUID(r["case_id"]), r["programme"]) for r in rows]


def cases_of(db: Database, person_id: str) -> list[dict[str, Any]]:
    return db.query(
        "SELECT case_id, programme, status, since, until FROM person_enrolment"
        " WHERE person_id = %s ORDER BY since",
        (person_id,),
    )
