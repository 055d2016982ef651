"""Provisional due dates on the read side: recomputed when a notice is recorded, on both backends.

The 2027 notice is MADE UP for the tests (TEST ONLY, not the State Council's notice).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from uuid import UUID

from builders import APPROVER, WORKER, application, walk_to_active

from api.container import Container
from domain.ledger import Ledger
from domain.shared.values import Actor
from projections.store import Row
from projections.views import case_deadlines, case_summary, case_timeline

ADMIN = Actor("admin-district", "admin", "钟楼区民政局")
TEST_2027 = {
    "year": 2027,
    "holidays": ["2027-01-01", "2027-01-02", "2027-01-03"],
    "make_up_working_days": ["2027-02-06"],
    "reference": "TEST-ONLY-2027",
    "title": "Made-up 2027 notice for the tests (not the State Council's)",
    "published_on": "2026-11-25",
    "occurred_on": "2026-11-26",
}


def accepted_on(container: Container, day: str) -> UUID:
    case_id = container.ledger.submit_application(application(occurred_on=day), WORKER).id
    container.ledger.accept_application(case_id, WORKER, occurred_on=day)
    return case_id


def row(container: Container, case_id: UUID) -> Row:
    container.runner.run_once()
    found = case_summary.get(container.db, str(case_id))
    assert found is not None
    return found


def overdue_ids(container: Container, today: date) -> set[str]:
    rows = case_summary.matching(container.db, {"overdue": True}, today).page(None, 100)
    return {r["case_id"] for r in rows}


def test_recording_the_notice_recomputes_provisional_dates_and_the_overdue_flag(
    container: Container,
) -> None:
    case_id = accepted_on(container, "2026-11-20")
    before = row(container, case_id)
    assert before["case_due"] == "2027-01-01"
    assert json.loads(before["provisional"]) == ["case_due"]
    saturday = date(2027, 1, 2)  # the provisional case due date has passed
    assert case_deadlines.overdue_flags(before, saturday)["case"]

    container.ledger.record_holiday_notice(TEST_2027, ADMIN)

    after = row(container, case_id)
    assert after["case_due"] == "2027-01-04"  # the made-up New Year holiday moves it
    assert json.loads(after["provisional"]) == []
    assert after["version"] == before["version"]  # the case itself did not change
    assert not case_deadlines.overdue_flags(after, saturday)["case"]


def test_a_correction_of_a_shipped_year_recomputes_its_dates(container: Container) -> None:
    case_id = accepted_on(container, "2026-11-20")
    assert row(container, case_id)["investigation_due"] == "2026-11-25"
    shipped = container.ledger.working_day_calendar()
    assert shipped.is_working_day(date(2026, 11, 23))

    # TEST ONLY: a "corrected" 2026 notice with Monday 2026-11-23 off.
    off = ["2026-01-01", "2026-01-02", "2026-01-03", "2026-11-23"]
    container.ledger.record_holiday_notice(
        {**TEST_2027, "year": 2026, "holidays": off, "make_up_working_days": [],
         "reference": "TEST-ONLY-2026-CORRECTION"}, ADMIN,
    )  # fmt: skip

    assert row(container, case_id)["investigation_due"] == "2026-11-26"


def test_a_provisional_denial_notice_date_is_recomputed(container: Container) -> None:
    case_id = container.ledger.submit_application(application(occurred_on="2026-12-01"), WORKER).id
    reasons: dict[str, Any] = {"occurred_on": "2026-12-30", "reasons": ["收入高于标准"]}
    container.ledger.deny_eligibility(case_id, APPROVER, **reasons)
    denied = row(container, case_id)
    assert denied["denial_notice_due"] == "2027-01-04"
    assert json.loads(denied["provisional"]) == ["denial_notice_due"]

    container.ledger.record_holiday_notice(TEST_2027, ADMIN)

    recomputed = row(container, case_id)
    assert recomputed["denial_notice_due"] == "2027-01-05"
    assert json.loads(recomputed["provisional"]) == []


def test_a_rebuild_gives_the_same_recomputed_dates(container: Container) -> None:
    case_id = accepted_on(container, "2026-11-20")
    container.ledger.record_holiday_notice(TEST_2027, ADMIN)
    live = row(container, case_id)

    container.runner.reset(["case_summary"])
    assert container.db.query("SELECT * FROM case_summary_calendar") == []
    assert row(container, case_id) == live


def test_the_overdue_filter_and_the_overdue_flags_are_one_rule(
    ledger: Ledger, container: Container
) -> None:
    late = ledger.submit_application(application(occurred_on="2024-01-02"), WORKER).id
    ledger.accept_application(late, WORKER, occurred_on="2024-01-02")
    ledger.deny_eligibility(late, APPROVER, occurred_on="2024-04-01", reasons=["迟"])
    walk_to_active(ledger, ledger.submit_application(application(), WORKER).id)
    accepted_on(container, "2026-11-20")
    container.runner.run_once()
    rows = container.db.query("SELECT * FROM case_summary")
    late_row = next(r for r in rows if r["case_id"] == str(late))
    assert case_deadlines.overdue_flags(late_row, date(2024, 4, 2))["case"]  # decided after due

    for today in ("2024-01-03", "2024-03-20", "2024-12-31", "2026-11-26", "2027-01-02"):
        d = date.fromisoformat(today)
        flagged = {r["case_id"] for r in rows if any(case_deadlines.overdue_flags(r, d).values())}
        assert overdue_ids(container, d) == flagged, today


def test_the_timeline_says_which_recorded_date_was_provisional(container: Container) -> None:
    case_id = accepted_on(container, "2026-11-20")
    container.runner.run_once()
    entries = case_timeline.for_case(container.db, str(case_id))
    accepted = next(e for e in entries if e["event_type"] == "ApplicationAccepted")
    assert accepted["summary"].endswith("case due 2027-01-01 (provisional: case due)")
