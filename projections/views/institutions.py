"""institutions: which care institutions are there, with which beds, grade and staff?

One `institution` row per institution and its beds per type now (`institution_beds`, with the
beds reserved by approved conversions). For figures as of a past day the view also keeps every
dated bed change, grade and staff report: `bed_stats(as_of="2023-12-31")` answers the 2023
figures even after later conversions changed the beds.

Definitions (DOMAIN.md 3.4 and 5):
- institutional beds: every bed type except home care (家庭养老床位 are in people's homes);
- nursing-bed share: nursing beds / institutional beds (护理型床位占比);
- grading rate: institutions with a grade in force (awarded on or before the day and valid
  until at least that day) / institutions filed by then;
- certified-caregiver share: certified / all caregivers, from each institution's latest
  staff report on or before the day.
Shares are percentages rounded half up to two decimals; None when there is nothing to divide.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from domain.care.institution import NON_INSTITUTIONAL_BED_TYPES, NURSING, CareInstitution
from domain.shared.values import check_choices, parse_date
from projections.keyset import Keyset
from projections.store import Database, Row, Tx
from projections.view import Projection, handles, recorded_at


class Institutions(Projection):
    name = "institutions"
    tables = (
        "institution", "institution_beds", "institution_bed_changes", "institution_grades",
        "institution_staff",
    )  # fmt: skip
    row_table = "institution"
    row_key = "institution_id"

    @handles(CareInstitution.InstitutionFiled)
    def filed(self, tx: Tx, e: Any, position: int) -> None:
        iid = str(e.originator_id)
        tx.execute(
            "INSERT INTO institution (institution_id, district, name, street, medical_capability,"
            " filed_on, version, position, updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (iid, e.district, e.name, e.street, int(e.medical_capability), e.occurred_on,
             e.originator_version, position, recorded_at(e)),
        )  # fmt: skip
        tx.executemany(
            "INSERT INTO institution_beds (institution_id, bed_type, beds) VALUES (%s, %s, %s)",
            [(iid, bed_type, beds) for bed_type, beds in e.beds.items()],
        )
        self._changes(tx, e, position, {t: n for t, n in e.beds.items() if n})

    @staticmethod
    def _changes(tx: Tx, e: Any, position: int, deltas: dict[str, int]) -> None:
        tx.executemany(
            "INSERT INTO institution_bed_changes (position, institution_id, bed_type, delta,"
            " effective_on) VALUES (%s, %s, %s, %s, %s)",
            [(position, str(e.originator_id), t, n, e.occurred_on) for t, n in deltas.items()],
        )

    @staticmethod
    def _beds(tx: Tx, e: Any, bed_type: str, beds: int = 0, reserved: int = 0) -> None:
        tx.execute(
            "INSERT INTO institution_beds (institution_id, bed_type, beds, reserved)"
            " VALUES (%s, %s, %s, %s) ON CONFLICT (institution_id, bed_type) DO UPDATE SET"
            " beds = institution_beds.beds + excluded.beds,"
            " reserved = institution_beds.reserved + excluded.reserved",
            (str(e.originator_id), bed_type, beds, reserved),
        )

    @handles(CareInstitution.GradeAwarded)
    def graded(self, tx: Tx, e: Any, position: int) -> None:
        self._update(
            tx, e, position, grade=e.level, grade_awarded_on=e.occurred_on,
            grade_valid_until=e.valid_until, grade_evidence=e.evidence,
        )  # fmt: skip
        tx.execute(
            "INSERT INTO institution_grades (position, institution_id, grade, awarded_on,"
            " valid_until) VALUES (%s, %s, %s, %s, %s)",
            (position, str(e.originator_id), e.level, e.occurred_on, e.valid_until),
        )

    @handles(CareInstitution.StaffReported)
    def staffed(self, tx: Tx, e: Any, position: int) -> None:
        self._update(
            tx, e, position, caregivers=e.caregivers,
            certified_caregivers=e.certified_caregivers, staff_reported_on=e.occurred_on,
        )  # fmt: skip
        tx.execute(
            "INSERT INTO institution_staff (position, institution_id, reported_on, caregivers,"
            " certified_caregivers) VALUES (%s, %s, %s, %s, %s)",
            (position, str(e.originator_id), e.occurred_on, e.caregivers,
             e.certified_caregivers),
        )  # fmt: skip

    @handles(CareInstitution.FireSafetyCertified)
    def fire_safety(self, tx: Tx, e: Any, position: int) -> None:
        self._update(
            tx, e, position, fire_certificate_ref=e.certificate_ref,
            fire_safety_valid_until=e.valid_until,
        )  # fmt: skip

    @handles(CareInstitution.MedicalCapabilityRecorded)
    def medical(self, tx: Tx, e: Any, position: int) -> None:
        self._update(tx, e, position, medical_capability=int(e.capable))

    @handles(CareInstitution.BedsReserved)
    def reserved(self, tx: Tx, e: Any, position: int) -> None:
        self._beds(tx, e, e.bed_type, reserved=e.number)
        self._update(tx, e, position)

    @handles(CareInstitution.BedsReleased)
    def released(self, tx: Tx, e: Any, position: int) -> None:
        self._beds(tx, e, e.bed_type, reserved=-e.number)
        self._update(tx, e, position)

    @handles(CareInstitution.BedsReclassified)
    def reclassified(self, tx: Tx, e: Any, position: int) -> None:
        self._beds(tx, e, e.from_type, beds=-e.number, reserved=-e.number)
        self._beds(tx, e, e.to_type, beds=e.number)
        self._changes(tx, e, position, {e.from_type: -e.number, e.to_type: e.number})
        self._update(tx, e, position)


# -- queries ------------------------------------------------------------------------------


def _with_beds(db: Database, rows: list[Row]) -> list[Row]:
    """Attach each institution's beds now: [{bed_type, beds, reserved}], by type name."""
    if not rows:
        return rows
    ids = [r["institution_id"] for r in rows]
    beds = db.query(
        "SELECT institution_id, bed_type, beds, reserved FROM institution_beds"
        f" WHERE institution_id IN ({', '.join(['%s'] * len(ids))}) ORDER BY bed_type",
        ids,
    )
    by_id: dict[str, list[Row]] = defaultdict(list)
    for b in beds:
        by_id[b["institution_id"]].append(
            {"bed_type": b["bed_type"], "beds": int(b["beds"]), "reserved": int(b["reserved"])}
        )
    return [{**r, "beds": by_id[r["institution_id"]]} for r in rows]


def get(db: Database, institution_id: str) -> Row | None:
    rows = db.query("SELECT * FROM institution WHERE institution_id = %s", (institution_id,))
    return _with_beds(db, rows)[0] if rows else None


def matching(db: Database, filters: dict[str, Any]) -> Keyset:
    """Institutions by street and grade level, to page on the id and count when asked."""
    conditions, params = ["1 = 1"], []
    for name in ("street", "grade"):
        if filters.get(name) is not None:
            conditions.append(f"{name} = %s")
            params.append(filters[name])
    return Keyset(db, "institution", "institution_id", " AND ".join(conditions), tuple(params))


def page(found: Keyset, after: str | None, limit: int) -> list[Row]:
    """A page of institutions, each with its beds by type (one more query for the page)."""
    return _with_beds(found.db, found.page(after, limit))


def percent(part: int, whole: int) -> float | None:
    """part / whole as a percentage, rounded half up to two decimals (94.706 -> 94.71)."""
    if whole == 0:
        return None
    exact = Decimal(part) * 100 / Decimal(whole)
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


#: The groups a supervisor may ask for; no group is the whole district.
GROUPS = ("institution", "street")


def bed_stats(
    db: Database, group_by: list[str], as_of: str | None = None, street: str | None = None
) -> list[Row]:
    """Beds by type, nursing-bed share, grading rate and certified-caregiver share, as of a day
    (today by default), for the district or per street or institution (or one street's)."""
    check_choices(group_by, GROUPS, "groupBy")
    day = as_of or date.today().isoformat()
    parse_date(day, "asOf")
    institutions = db.query(
        "SELECT institution_id, name, street FROM institution WHERE filed_on <= %s"
        + (" AND street = %s" if street is not None else ""),
        (day, street) if street is not None else (day,),
    )
    beds = db.query(
        "SELECT institution_id, bed_type, SUM(delta) AS beds FROM institution_bed_changes"
        " WHERE effective_on <= %s GROUP BY institution_id, bed_type",
        (day,),
    )
    grades = db.query(
        "SELECT institution_id, awarded_on, position, valid_until FROM institution_grades"
        " WHERE awarded_on <= %s",
        (day,),
    )
    staff = db.query(
        "SELECT institution_id, reported_on, position, caregivers, certified_caregivers"
        " FROM institution_staff WHERE reported_on <= %s",
        (day,),
    )
    graded = {i: r["valid_until"] >= day for i, r in _latest(grades, "awarded_on").items()}
    reports = _latest(staff, "reported_on")
    beds_of: dict[str, dict[str, int]] = defaultdict(dict)
    for b in beds:
        beds_of[b["institution_id"]][b["bed_type"]] = int(b["beds"])

    groups: dict[tuple[Any, ...], Row] = {}
    for inst in institutions:
        iid = inst["institution_id"]
        key: dict[str, Any] = {}
        if group_by:
            key["street"] = inst["street"]
        if "institution" in group_by:
            key.update(institution_name=inst["name"], institution_id=iid)
        row = groups.setdefault(tuple(key.values()), {**key, **_empty()})
        row["institutions"] += 1
        row["graded"] += int(graded.get(iid, False))
        for bed_type, n in beds_of[iid].items():
            row["beds"][bed_type] = row["beds"].get(bed_type, 0) + n
        report = reports.get(iid)
        if report:
            row["caregivers"] += int(report["caregivers"])
            row["certified_caregivers"] += int(report["certified_caregivers"])
    if not group_by and not groups:
        groups[()] = _empty()
    return [_shares(groups[key]) for key in sorted(groups)]


def _latest(rows: list[Row], day_column: str) -> dict[str, Row]:
    """Each institution's latest row: by business date, then by ledger position."""
    latest: dict[str, Row] = {}
    for r in sorted(rows, key=lambda r: (r[day_column], int(r["position"]))):
        latest[r["institution_id"]] = r
    return latest


def _empty() -> Row:
    return {"institutions": 0, "graded": 0, "beds": {}, "caregivers": 0,
            "certified_caregivers": 0}  # fmt: skip


def _shares(row: Row) -> Row:
    beds = dict(sorted(row["beds"].items()))
    institutional = sum(n for t, n in beds.items() if t not in NON_INSTITUTIONAL_BED_TYPES)
    nursing = beds.get(NURSING, 0)
    return {
        **row,
        "beds": beds,
        "institutional_beds": institutional,
        "nursing_beds": nursing,
        "nursing_share": percent(nursing, institutional),
        "grading_rate": percent(row["graded"], row["institutions"]),
        "certified_share": percent(row["certified_caregivers"], row["caregivers"]),
    }
