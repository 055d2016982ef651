"""organizations: where does each social organisation stand, and how many are graded?

One row per organisation (its state now), plus its inspections and grade decisions, so the
district's figures can be asked as of any date: registered (not deregistered or revoked),
graded (a grade valid on the date) and inspections due (none for the previous year).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.organizations.organization import SocialOrganization
from domain.shared.vocabulary import ORGANIZATION_GRADES
from projections.keyset import Keyset
from projections.store import Database, Row, Tx
from projections.view import Projection, handles, recorded_at

LIVE = ("registered", "liquidating")


class Organizations(Projection):
    name = "organizations"
    tables = ("organizations", "organization_inspections", "organization_grades")
    row_table = "organizations"
    row_key = "organization_id"

    @handles(SocialOrganization.OrganizationRegistered)
    def registered(self, tx: Tx, e: Any, position: int) -> None:
        tx.execute(
            "INSERT INTO organizations (organization_id, name, organization_type, district,"
            " street, status, registered_on, version, position, updated_at)"
            " VALUES (%s, %s, %s, %s, %s, 'registered', %s, %s, %s, %s)",
            (
                str(e.originator_id), e.name, e.organization_type, e.district, e.street,
                e.occurred_on, e.originator_version, position, recorded_at(e),
            ),
        )  # fmt: skip

    def _end_grades(self, tx: Tx, e: Any, reason: str) -> None:
        """A grade still open ends on this date (a revocation or a new grade replaces it)."""
        tx.execute(
            "UPDATE organization_grades SET ended_on = %s, end_reason = %s"
            " WHERE organization_id = %s AND ended_on IS NULL AND valid_until >= %s",
            (e.occurred_on, reason, str(e.originator_id), e.occurred_on),
        )

    @handles(SocialOrganization.AnnualInspectionConcluded)
    def inspected(self, tx: Tx, e: Any, position: int) -> None:
        key = str(e.originator_id)
        tx.execute(
            "INSERT INTO organization_inspections (organization_id, year, result, concluded_on)"
            " VALUES (%s, %s, %s, %s)",
            (key, e.year, e.result, e.occurred_on),
        )
        last = tx.scalar(
            "SELECT last_inspection_year FROM organizations WHERE organization_id = %s", (key,)
        )
        latest = {}
        if last is None or e.year > int(last):
            latest = {"last_inspection_year": e.year, "last_inspection_result": e.result}
        self._update(tx, e, position, **latest)

    @handles(SocialOrganization.GradeConfirmed)
    def graded(self, tx: Tx, e: Any, position: int) -> None:
        self._end_grades(tx, e, "replaced")
        tx.execute(
            "INSERT INTO organization_grades (organization_id, position, grade, decided_on,"
            " valid_until) VALUES (%s, %s, %s, %s, %s)",
            (str(e.originator_id), position, e.grade, e.occurred_on, e.valid_until),
        )
        self._update(
            tx, e, position, grade=e.grade, graded_on=e.occurred_on,
            grade_valid_until=e.valid_until, grade_revoked_on=None,
        )  # fmt: skip

    @handles(SocialOrganization.GradeRevoked)
    def grade_revoked(self, tx: Tx, e: Any, position: int) -> None:
        self._end_grades(tx, e, "revoked")
        self._update(
            tx, e, position, grade=None, graded_on=None, grade_valid_until=None,
            grade_revoked_on=e.occurred_on,
        )  # fmt: skip

    @handles(SocialOrganization.LiquidationStarted)
    def liquidating(self, tx: Tx, e: Any, position: int) -> None:
        self._update(tx, e, position, status="liquidating", liquidation_started_on=e.occurred_on)

    @handles(SocialOrganization.OrganizationDeregistered)
    def deregistered(self, tx: Tx, e: Any, position: int) -> None:
        self._update(
            tx, e, position, status="deregistered", ended_on=e.occurred_on, end_reason=e.reason
        )

    @handles(SocialOrganization.RegistrationRevoked)
    def revoked(self, tx: Tx, e: Any, position: int) -> None:
        self._update(tx, e, position, status="revoked", ended_on=e.occurred_on, end_reason=e.reason)


# -- queries ------------------------------------------------------------------------------


def grade_valid(row: Row, on: date) -> bool:
    until = row["grade_valid_until"]
    return (
        row["status"] in LIVE and until is not None and row["graded_on"] <= on.isoformat() <= until
    )


def inspection_due(row: Row, on: date) -> bool:
    """Registered before this year, and no inspection recorded for the previous year."""
    last = row["last_inspection_year"]
    return (
        row["status"] in LIVE
        and row["registered_on"] < f"{on.year:04d}-01-01"
        and (last is None or int(last) < on.year - 1)
    )


FILTERS = {"street": "street", "type": "organization_type", "status": "status", "grade": "grade"}


#: On a past date (`asOf`): registered by then and not yet ended, as `organization_stats`
#: counts them; a grade then is one valid on that date (from the grades' history).
REGISTERED_ON = "registered_on <= %s AND (ended_on IS NULL OR ended_on > %s)"
GRADE_ON = (
    "EXISTS (SELECT 1 FROM organization_grades g"
    " WHERE g.organization_id = organizations.organization_id AND g.grade = %s"
    " AND g.decided_on <= %s AND g.valid_until >= %s AND (g.ended_on IS NULL OR g.ended_on > %s))"
)


def _where(filters: dict[str, Any], on: date) -> tuple[str, list[Any]]:
    where, params = ["1=1"], []
    as_of = filters.get("as_of")
    day = as_of.isoformat() if isinstance(as_of, date) else str(as_of) if as_of else None
    for name, column in FILTERS.items():
        if not filters.get(name):
            continue
        if name == "grade" and day:
            where.append(GRADE_ON)
            params += [filters[name], day, day, day]
        else:
            where.append(f"{column} = %s")
            params.append(filters[name])
    if day:
        where.append(REGISTERED_ON)
        params += [day, day]
    due = filters.get("inspection_due")
    if due is not None:
        condition = (
            "(status IN ('registered', 'liquidating') AND registered_on < %s"
            " AND (last_inspection_year IS NULL OR last_inspection_year < %s))"
        )
        where.append(condition if due else f"NOT {condition}")
        params += [f"{on.year:04d}-01-01", on.year - 1]
    return " AND ".join(where), params


def get(db: Database, organization_id: str) -> Row | None:
    rows = db.query("SELECT * FROM organizations WHERE organization_id = %s", (organization_id,))
    return rows[0] if rows else None


def organizations(
    db: Database,
    filters: dict[str, Any],
    on: date | None = None,
    after: str | None = None,
    limit: int = 50,
) -> tuple[list[Row], int]:
    """Organisations matching the filter, keyset-paged on the id; and the total.

    `inspection_due` is judged as of `on` (the API passes today in China).
    """
    found = matching(db, filters, on or date.today())
    return found.page(after, limit), found.count()


def matching(db: Database, filters: dict[str, Any], on: date) -> Keyset:
    """Organisations matching the filter (`inspection_due` as of `on`), to page and count."""
    condition, params = _where(filters, on)
    return Keyset(db, "organizations", "organization_id", condition, tuple(params))


def _percent(part: int, whole: int) -> float:
    """A share in percent with two decimals, rounded half up as the bed shares are (137 of 292
    is 46.92: the bureau writes two decimals, and one would print a wrong second one)."""
    return (part * 20000 + whole) // (2 * whole) / 100 if whole else 0.0


#: Registered on the date: registered by then, and not yet deregistered or revoked.
REGISTERED = "o.registered_on <= %s AND (o.ended_on IS NULL OR o.ended_on > %s)"


def organization_stats(db: Database, as_of: date, street: str | None = None) -> dict[str, Any]:
    """The district's (or one street's) figures on a date: registered, graded (and the share),
    inspections due.

    Graded: a grade decided by then, not expired, revoked or replaced. Inspections due: for the
    previous year, from organisations registered before this year.
    """
    day = as_of.isoformat()
    area, near = ("", ()) if street is None else (" AND o.street = %s", (street,))

    def count(condition: str, *params: Any) -> int:
        sql = f"SELECT COUNT(*) FROM organizations o WHERE {REGISTERED} AND {condition}{area}"
        return int(db.scalar(sql, (day, day, *params, *near)))

    registered = count("1=1")
    liquidating = count("o.liquidation_started_on <= %s", day)
    by_grade = {
        r["grade"]: int(r["organizations"])
        for r in db.query(
            "SELECT g.grade, COUNT(DISTINCT g.organization_id) AS organizations"
            " FROM organization_grades g JOIN organizations o"
            " ON o.organization_id = g.organization_id"
            f" WHERE {REGISTERED} AND g.decided_on <= %s AND g.valid_until >= %s"
            f" AND (g.ended_on IS NULL OR g.ended_on > %s){area} GROUP BY g.grade",
            (day, day, day, day, day, *near),
        )
    }
    due = count(
        "o.registered_on < %s AND NOT EXISTS (SELECT 1 FROM organization_inspections i"
        " WHERE i.organization_id = o.organization_id AND i.year = %s AND i.concluded_on <= %s)",
        f"{as_of.year:04d}-01-01", as_of.year - 1, day,
    )  # fmt: skip
    ended = {
        r["status"]: int(r["organizations"])
        for r in db.query(
            "SELECT status, COUNT(*) AS organizations FROM organizations o"
            f" WHERE ended_on <= %s{area} GROUP BY status",
            (day, *near),
        )
    }
    graded = sum(by_grade.values())
    return {
        "as_of": day,
        "registered": registered,
        "liquidating": liquidating,
        "graded": graded,
        "graded_percent": _percent(graded, registered),
        "by_grade": [
            {"grade": g, "organizations": by_grade.get(g, 0)} for g in ORGANIZATION_GRADES
        ],
        "inspections_due": due,
        "inspection_year": as_of.year - 1,
        "deregistered": ended.get("deregistered", 0),
        "revoked": ended.get("revoked", 0),
    }
