"""supervision_kpis: the district's headline figures for a year, from the views (no own table).

With a street (a street-bound reader), every figure is that street's: a death counts when it
touched one of the street's cases.

`kpis` reads the cases confirmed and in payment from the `case_counts` counters and the
settled payouts from `payout_totals` (a few rows, however long the log); `scanned` computes
the same figures from the rows of case_summary and payouts, as the benchmark's direct SQL and
the tests' reference. The other figures are read from their views as they are: temporary
assistance counts each household once (a distinct count, no counter), deaths, beds, grades
and organisations are as of a day, over small tables.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from projections.store import Database
from projections.views import (
    bed_conversions,
    case_counts,
    institutions,
    payout_totals,
    temporary_assistance,
)
from projections.views.organizations import organization_stats


def assistance(
    db: Database, year: int, street: str | None = None, counters: bool = True
) -> dict[str, Any]:
    if not counters:
        return _scanned_assistance(db, year, street)
    by_programme = case_counts.confirmed(db, year, street)
    paid = payout_totals.settled(db, year, street)
    return {
        "dibao_households_confirmed": by_programme.get("DIBAO", 0),
        "tekun_people_confirmed": by_programme.get("TEKUN", 0),
        "cases_in_payment_at_year_end": case_counts.in_payment_at_year_end(db, year, street),
        "payouts_settled": int(paid["payouts"] or 0),
        "payouts_settled_fen": int(paid["amount"] or 0),
        **_temporary_and_deaths(db, year, street),
    }


def _scanned_assistance(db: Database, year: int, street: str | None) -> dict[str, Any]:
    start, end = f"{year}-01-01", f"{year}-12-31"
    area, near = ("", ()) if street is None else (" AND street = %s", (street,))
    confirmed = db.query(
        "SELECT programme, COUNT(*) AS n FROM case_summary WHERE first_paid_month IS NOT NULL"
        f" AND decided_on >= %s AND decided_on <= %s{area} GROUP BY programme",
        (start, end, *near),
    )
    by_programme = {r["programme"]: int(r["n"]) for r in confirmed}
    active = db.scalar(
        "SELECT COUNT(*) FROM case_summary WHERE first_paid_month IS NOT NULL AND decided_on <= %s"
        f" AND (terminated_month IS NULL OR terminated_month > %s){area}",
        (end, f"{year}-12", *near),
    )
    paid = db.query(
        "SELECT COUNT(*) AS payouts, SUM(amount_fen) AS amount FROM payouts"
        f" WHERE status = 'settled' AND month >= %s AND month <= %s{area}",
        (f"{year}-01", f"{year}-12", *near),
    )[0]
    return {
        "dibao_households_confirmed": by_programme.get("DIBAO", 0),
        "tekun_people_confirmed": by_programme.get("TEKUN", 0),
        "cases_in_payment_at_year_end": int(active or 0),
        "payouts_settled": int(paid["payouts"] or 0),
        "payouts_settled_fen": int(paid["amount"] or 0),
        **_temporary_and_deaths(db, year, street),
    }


def _temporary_and_deaths(db: Database, year: int, street: str | None) -> dict[str, Any]:
    start, end = f"{year}-01-01", f"{year}-12-31"
    near = () if street is None else (street,)
    temporary = temporary_assistance.stats(db, year, [], street)
    touched = "" if street is None else (
        " AND notification_id IN (SELECT c.notification_id FROM death_consequences c"
        " JOIN case_summary s ON s.case_id = c.case_id WHERE s.street = %s)"
    )  # fmt: skip
    deaths = db.scalar(
        "SELECT COUNT(*) FROM death_notifications WHERE status = 'verified'"
        f" AND verified_on >= %s AND verified_on <= %s{touched}",
        (start, end, *near),
    )
    t = temporary[0] if temporary else {"households": 0, "people": 0, "amount_fen": 0}
    return {
        "temporary_households": int(t["households"]),
        "temporary_people": int(t["people"]),
        "temporary_amount_fen": int(t["amount_fen"]),
        "deaths_verified": int(deaths or 0),
    }


def care_and_organizations(db: Database, year: int, street: str | None = None) -> dict[str, Any]:
    """Beds, grading and caregivers at the year's end; organisations; the conversion plans."""
    end = f"{year}-12-31"
    beds = institutions.bed_stats(db, [], end, street)[0]
    orgs = organization_stats(db, date(year, 12, 31), street)
    plan = bed_conversions.progress(db, year=year, street=street)
    villages = db.query(
        "SELECT step FROM village_conversions" + (" WHERE street = %s" if street else ""),
        (street,) if street else (),
    )
    return {
        "institutions": beds["institutions"],
        "institutional_beds": beds["institutional_beds"],
        "nursing_bed_share": beds["nursing_share"],
        "institutions_graded_percent": beds["grading_rate"],
        "caregivers_certified_percent": beds["certified_share"],
        "beds_converted": plan["converted"],
        "beds_conversion_target": plan["target"],
        "organizations_registered": orgs["registered"],
        "organizations_graded_percent": orgs["graded_percent"],
        "villages_planned": len(villages),
        "villages_completed": sum(1 for v in villages if v["step"] == "completed"),
    }


def kpis(db: Database, year: int, street: str | None = None) -> dict[str, Any]:
    """Every figure from one snapshot of the views (a dozen reads on one connection)."""
    with db.snapshot():
        return {
            "year": year,
            **assistance(db, year, street),
            **care_and_organizations(db, year, street),
        }


def scanned(db: Database, year: int, street: str | None = None) -> dict[str, Any]:
    """The same figures computed from the view rows alone (the benchmark's direct SQL)."""
    return {
        "year": year,
        **assistance(db, year, street, counters=False),
        **care_and_organizations(db, year, street),
    }
