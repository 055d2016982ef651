"""temporary_assistance: where does each temporary-assistance case stand, and what was paid?

One row per case. The yearly figures (households, people, yuan) are computed from it: a
household is its applicant, counted once however many cases it had in the period.
"""

from __future__ import annotations

import json
from typing import Any

from domain.shared.values import check_choices
from domain.temporary.case import TemporaryAssistanceCase
from projections.store import Database, Row, Tx
from projections.view import Projection, handles, recorded_at

COLUMNS = [
    "case_id",
    "assistance_type",
    "district",
    "street",
    "community",
    "status",
    "applicant_person_id",
    "applicant_name",
    "applicant_id_number",
    "household_size",
    "requested_on",
    "version",
    "position",
    "updated_at",
]


class TemporaryAssistance(Projection):
    name = "temporary_assistance"
    tables = ("temporary_case",)
    row_table = "temporary_case"
    row_key = "case_id"

    @handles(TemporaryAssistanceCase.HelpRequested)
    def requested(self, tx: Tx, e: Any, position: int) -> None:
        applicant = e.members[0]  # the first member is the applicant
        values = [
            str(e.originator_id), e.assistance_type, e.district, e.street, e.community,
            "requested", applicant["person_id"],
            self.sealed(applicant["person_id"], applicant["personal"]["name"]),
            self.sealed(applicant["person_id"], applicant["personal"]["id_number"]),
            len(e.members), e.occurred_on,
            e.originator_version, position, recorded_at(e),
        ]  # fmt: skip
        tx.execute(
            f"INSERT INTO temporary_case ({', '.join(COLUMNS)}) "
            f"VALUES ({', '.join(['%s'] * len(COLUMNS))})",
            values,
        )

    def _paid(self, tx: Tx, e: Any, position: int, status: str, **more: Any) -> None:
        conference = e.case_conference or {}
        self._update(
            tx, e, position, status=status, amount_fen=e.amount_fen, paid_on=e.occurred_on,
            paid_year=int(e.occurred_on[:4]), approver_level=e.approver_level, cap_fen=e.cap_fen,
            street_limit_fen=e.street_limit_fen, over_cap=int(e.amount_fen > e.cap_fen),
            case_conference_ref=conference.get("decision_ref"),
            case_conference_on=conference.get("held_on"),
            parameters=json.dumps(e.parameters, sort_keys=True), **more,
        )  # fmt: skip

    @handles(TemporaryAssistanceCase.AdvanceAidGranted)
    def advanced(self, tx: Tx, e: Any, position: int) -> None:
        self._paid(tx, e, position, "advanced", paperwork_due=e.paperwork_due)

    @handles(TemporaryAssistanceCase.PaperworkCompleted)
    def documented(self, tx: Tx, e: Any, position: int) -> None:
        self._update(
            tx, e, position, status="documented", paperwork_on=e.occurred_on,
            paperwork_late=int(e.late),
        )  # fmt: skip

    @handles(TemporaryAssistanceCase.EconomicCheckCompleted)
    def checked(self, tx: Tx, e: Any, position: int) -> None:
        self._update(tx, e, position, checked_on=e.occurred_on)

    @handles(TemporaryAssistanceCase.HomeVisitConducted)
    def visited(self, tx: Tx, e: Any, position: int) -> None:
        visits = tx.scalar(
            "SELECT home_visits FROM temporary_case WHERE case_id = %s", (str(e.originator_id),)
        )
        self._update(tx, e, position, home_visits=int(visits or 0) + 1)

    @handles(TemporaryAssistanceCase.GrantApproved)
    def granted(self, tx: Tx, e: Any, position: int) -> None:
        self._paid(tx, e, position, "granted", decided_on=e.occurred_on)

    @handles(TemporaryAssistanceCase.GrantDenied)
    def denied(self, tx: Tx, e: Any, position: int) -> None:
        self._update(tx, e, position, status="denied", decided_on=e.occurred_on)

    @handles(TemporaryAssistanceCase.CaseClosed)
    def closed(self, tx: Tx, e: Any, position: int) -> None:
        self._update(tx, e, position, status="closed", closed_on=e.occurred_on)


# -- queries ------------------------------------------------------------------------------


def get(db: Database, case_id: str) -> Row | None:
    rows = db.query("SELECT * FROM temporary_case WHERE case_id = %s", (case_id,))
    return rows[0] if rows else None


#: The groups a supervisor may ask for, and the view expression behind each. `month` is the
#: month of `paid_on`: the day the advance aid (先行救助) or the grant was paid (a case is paid
#: one or the other, once), so the months of a year add up to the year.
GROUPS = {
    "year": "paid_year",
    "month": "SUBSTR(paid_on, 1, 7)",
    "type": "assistance_type",
    "street": "street",
}


def stats(
    db: Database, year: int | None, group_by: list[str], street: str | None = None
) -> list[Row]:
    """Households helped (advance aid or a grant), their people and the amount paid.

    A household (its applicant) counts once per group, with its largest reported size.
    """
    check_choices(group_by, GROUPS, "groupBy")
    names = list(dict.fromkeys(group_by))
    keys = [f"g_{name}" for name in names]
    where, params = "paid_year IS NOT NULL", list[int | str]()  # year, street
    if year is not None:
        where += " AND paid_year = %s"
        params.append(year)
    if street is not None:  # one street's figures
        where += " AND street = %s"
        params.append(street)
    inner = ", ".join([*(f"{GROUPS[n]} AS g_{n}" for n in names), "applicant_person_id"])
    inner_keys = ", ".join([*(GROUPS[n] for n in names), "applicant_person_id"])
    outer = ", ".join(keys)
    sql = (
        f"SELECT {outer + ', ' if outer else ''}COUNT(*) AS households, SUM(size) AS people, "
        f"SUM(paid) AS amount_fen FROM (SELECT {inner}, MAX(household_size) AS size, "
        f"SUM(amount_fen) AS paid FROM temporary_case WHERE {where} GROUP BY {inner_keys}) h"
    )
    if outer:
        sql += f" GROUP BY {outer} ORDER BY {outer}"
    rows = db.query(sql, params)
    return [
        {
            **{name: row[f"g_{name}"] for name in names},
            "households": int(row["households"] or 0),
            "people": int(row["people"] or 0),
            "amount_fen": int(row["amount_fen"] or 0),
        }
        for row in rows
    ]
