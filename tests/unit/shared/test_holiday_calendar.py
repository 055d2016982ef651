"""The holiday calendar as ledger data: notices are events, missing years give provisional dates.

The 2027 notice below is MADE UP for the tests (TEST ONLY, not the State Council's notice).
"""

from __future__ import annotations

import json
from datetime import date
from importlib.resources import files
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

from domain.ledger import Ledger
from domain.shared.errors import DomainError, InvalidInput
from domain.shared.holiday_calendar import HolidayCalendar, calendar_id
from domain.shared.identity import make_id_number
from domain.shared.values import Actor
from domain.shared.working_days import WorkingDayCalendar, YearNotice, default_calendar
from projections.views import case_summary

ADMIN = Actor("admin-district", "admin", "钟楼区民政局")
CASEWORKER = Actor("worker-nandajie", "caseworker", "南大街街道")
APPROVER = Actor("approver-district", "approver", "钟楼区民政局")

#: TEST ONLY: a made-up 2027 notice (New Year 2027-01-01..01-03 off, 2027-02-06 worked).
TEST_2027 = {
    "year": 2027,
    "holidays": ["2027-01-01", "2027-01-02", "2027-01-03"],
    "make_up_working_days": ["2027-02-06"],
    "reference": "TEST-ONLY-2027",
    "title": "Made-up 2027 notice for the tests (not the State Council's)",
    "published_on": "2026-11-25",
    "occurred_on": "2026-11-26",
}


def shipped_2026() -> dict[str, list[str]]:
    text = (files("domain.shared") / "data" / "cn_public_holidays.json").read_text(encoding="utf-8")
    found: dict[str, list[str]] = json.loads(text)["2026"]
    return found


@pytest.fixture
def ledger() -> Ledger:
    return Ledger()


def submit(ledger: Ledger, on: str) -> UUID:
    body = {
        "programme": "DIBAO", "street": "南大街街道", "community": "西瀛里社区",
        "channel": "counter", "kin_of_staff": False, "occurred_on": on,
        "members": [{"name": "测试甲", "id_number": make_id_number("320404", date(1960, 5, 1), 7),
                     "relation": "self", "counted": True}],
    }  # fmt: skip
    return ledger.submit_application(body, CASEWORKER).id


def last(ledger: Ledger, case_id: UUID, name: str) -> Any:
    return [e for e in ledger.case_events(case_id) if type(e).__name__ == name][-1]


def record(ledger: Ledger, **overrides: Any) -> None:
    ledger.record_holiday_notice({**TEST_2027, **overrides}, ADMIN)


# -- the calendar: provisional dates for a year with no notice ------------------------------


def test_a_due_date_in_a_year_without_a_notice_is_counted_monday_to_friday_provisionally() -> None:
    cal = default_calendar()
    # Friday 2026-11-20 + 30 working days: Monday to Friday through December, then 2027-01-01.
    assert cal.due(date(2026, 11, 20), 30) == (date(2027, 1, 1), True)
    assert cal.due(date(2026, 11, 20), 10) == (date(2026, 12, 4), False)


def test_a_notice_replaces_the_shipped_year_and_fills_a_missing_one() -> None:
    notice = YearNotice(2027, frozenset({date(2027, 1, 1)}), frozenset())
    cal = default_calendar().with_notices([notice])
    assert cal.covered_years[-1] == 2027
    assert cal.due(date(2026, 11, 20), 30) == (date(2027, 1, 4), False)
    # A 2026 notice without Labour Day: 2026-05-04 becomes a working day.
    bare = YearNotice(2026, frozenset({date(2026, 1, 1)}), frozenset())
    assert default_calendar().with_notices([bare]).is_working_day(date(2026, 5, 4))
    assert not default_calendar().is_working_day(date(2026, 5, 4))


def test_a_day_of_the_previous_year_listed_by_a_notice_stays_off() -> None:
    cal = WorkingDayCalendar.from_notices(
        [YearNotice(2023, frozenset({date(2022, 12, 31)}), frozenset())]
    )
    assert not cal.is_working_day(date(2022, 12, 31))
    assert cal.is_known(date(2022, 12, 31)) and not cal.is_known(date(2022, 12, 30))


# -- acceptance, extension and denial are never refused for a missing year -------------------


def test_acceptance_in_late_november_records_a_provisional_case_due(ledger: Ledger) -> None:
    case_id = submit(ledger, "2026-11-20")
    # refused with 409 before
    ledger.accept_application(case_id, CASEWORKER, occurred_on="2026-11-20")

    accepted = last(ledger, case_id, "ApplicationAccepted")
    assert accepted.investigation_due == "2026-11-25"
    assert accepted.decision_due == "2026-12-04"
    assert accepted.case_due == "2027-01-01"
    assert list(accepted.provisional) == ["case_due"]


def test_a_recorded_notice_makes_later_due_dates_final(ledger: Ledger) -> None:
    record(ledger)
    case_id = submit(ledger, "2026-11-20")
    ledger.accept_application(case_id, CASEWORKER, occurred_on="2026-11-20")

    accepted = last(ledger, case_id, "ApplicationAccepted")
    assert accepted.case_due == "2027-01-04"  # the made-up New Year holiday moves it
    assert list(accepted.provisional) == []


def test_extension_and_denial_record_their_provisional_dates(ledger: Ledger) -> None:
    case_id = submit(ledger, "2026-11-20")
    ledger.accept_application(case_id, CASEWORKER, occurred_on="2026-11-20")
    ledger.extend_processing(
        case_id, APPROVER, occurred_on="2026-12-01", reason="需补充外省核对结果"
    )
    extended = last(ledger, case_id, "ProcessingExtended")
    assert (extended.case_due, list(extended.provisional)) == ("2027-01-22", ["case_due"])

    ledger.deny_eligibility(case_id, APPROVER, occurred_on="2026-12-30", reasons=["收入高于标准"])
    denied = last(ledger, case_id, "EligibilityDenied")
    assert (denied.notice_due, list(denied.provisional)) == ("2027-01-04", ["notice_due"])


def test_denial_in_a_known_year_is_not_provisional(ledger: Ledger) -> None:
    case_id = submit(ledger, "2026-11-20")
    ledger.deny_eligibility(case_id, APPROVER, occurred_on="2026-11-30", reasons=["收入高于标准"])
    denied = last(ledger, case_id, "EligibilityDenied")
    assert (denied.notice_due, list(denied.provisional)) == ("2026-12-03", [])


def test_a_recorded_notice_for_a_shipped_year_overrides_the_shipped_file(ledger: Ledger) -> None:
    # TEST ONLY: a "corrected" 2026 notice that adds Monday 2026-11-23 as a day off.
    shipped = shipped_2026()
    record(ledger, year=2026, holidays=[*shipped["off"], "2026-11-23"],
           make_up_working_days=shipped["work"], reference="TEST-ONLY-2026-CORRECTION")  # fmt: skip
    case_id = submit(ledger, "2026-11-20")
    ledger.accept_application(case_id, CASEWORKER, occurred_on="2026-11-20")
    assert last(ledger, case_id, "ApplicationAccepted").investigation_due == "2026-11-26"


def test_events_stored_without_provisional_still_replay(ledger: Ledger) -> None:
    case_id = submit(ledger, "2024-04-29")
    ledger.accept_application(case_id, CASEWORKER, occurred_on="2024-04-30")
    ledger.extend_processing(case_id, APPROVER, occurred_on="2024-05-06", reason="延期")
    ledger.deny_eligibility(case_id, APPROVER, occurred_on="2024-05-07", reasons=["收入高于标准"])
    stored = ledger.recorder.select_events(case_id)
    aggregate, replayed = None, []
    for s in stored:
        state = ledger.mapper.transcoder.decode(s.state)
        state.pop("provisional", None)  # as stored before the field existed
        old = StoredEvent(s.originator_id, s.originator_version, s.topic,
                          ledger.mapper.transcoder.encode(state))  # fmt: skip
        event = ledger.mapper.to_domain_event(old)
        aggregate = event.mutate(aggregate)
        replayed.append(event)
    assert aggregate is not None
    assert aggregate.status == "denied" and aggregate.case_days == 45
    assert [e.provisional for e in replayed[1:]] == [(), (), ()]  # the event class default
    assert [case_summary._provisional(e) for e in replayed[1:]] == [set(), set(), set()]


# -- recording a notice --------------------------------------------------------------------


def test_a_notice_is_recorded_on_the_one_national_calendar(ledger: Ledger) -> None:
    result = ledger.record_holiday_notice(TEST_2027, ADMIN)

    assert result.id == calendar_id()
    calendar = ledger.repository.get(result.id)
    assert isinstance(calendar, HolidayCalendar)
    recorded = list(ledger.events.get(result.id))[-1]
    assert isinstance(recorded, HolidayCalendar.NoticeRecorded)
    assert (recorded.year, recorded.reference, recorded.supersedes) == (
        2027,
        "TEST-ONLY-2027",
        None,
    )
    assert recorded.actor["user"] == "admin-district"


def test_a_correction_of_a_recorded_year_supersedes_it(ledger: Ledger) -> None:
    record(ledger)
    assert ledger.working_day_calendar().is_working_day(date(2027, 2, 6))  # the make-up Saturday
    second = ledger.record_holiday_notice(
        {**TEST_2027, "holidays": ["2027-01-01"], "make_up_working_days": []}, ADMIN
    )
    correction = list(ledger.events.get(second.id))[-1]
    assert correction.supersedes == second.version - 1
    assert ledger.working_day_calendar().is_working_day(date(2027, 2, 6)) is False  # Saturday


def test_recording_the_same_notice_twice_is_refused(ledger: Ledger) -> None:
    record(ledger)
    position = ledger.latest_position()
    with pytest.raises(DomainError) as caught:
        record(ledger)
    assert caught.value.code == "notice_unchanged"
    assert ledger.latest_position() == position


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"year": 1999}, "year"),
        ({"holidays": ["2026-06-01"]}, "holidays.0"),
        ({"holidays": ["2027-01-01", "2028-01-01"]}, "holidays.1"),
        ({"holidays": ["2027-13-01"]}, "holidays.0"),
        ({"holidays": []}, "holidays"),
        ({"make_up_working_days": ["2027-02-08"]}, "make_up_working_days.0"),  # a Monday
        ({"make_up_working_days": ["2027-01-02"]}, "make_up_working_days.0"),  # also off
        ({"reference": " "}, "reference"),
        ({"published_on": "soon"}, "published_on"),
    ],
)
def test_a_bad_notice_is_refused_naming_the_field(
    ledger: Ledger, overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        record(ledger, **overrides)
    assert caught.value.field == field
    assert ledger.latest_position() == 0


def test_the_last_days_of_the_previous_december_may_be_listed(ledger: Ledger) -> None:
    record(ledger, holidays=["2026-12-31", *TEST_2027["holidays"]])
    assert not ledger.working_day_calendar().is_working_day(date(2026, 12, 31))
