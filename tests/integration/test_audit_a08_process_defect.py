"""A08 process defect, on SQLite and PostgreSQL: the notice, the decision, the late start.

The investigation deadline counts working days on the business calendar. National Day 2024:
1-7 October off, Sunday 29 September and Saturday 12 October worked (make-up days). An
application accepted on Friday 27 September is due by Tuesday 8 October (29 Sep, 30 Sep,
8 Oct), where a Monday-to-Friday count would say 2 October; one accepted on Friday 11 October
is due by Tuesday 15 October (12, 14, 15 Oct), where Monday to Friday would say 16 October.
"""

from __future__ import annotations

from uuid import UUID

from audit_support import everything, found, legacy, legacy_confirm, rebuilt, steps, submitted
from builders import PROCEDURE, walk_to_active

from api.container import Container
from domain.ledger import Ledger
from tests.helpers import ADMIN

ACCEPT, CHECK, VISIT, ASSESS, POST, CLOSE = PROCEDURE


def accepted_on(ledger: Ledger, day: str) -> UUID:
    case = submitted(ledger, occurred_on="2024-09-26")
    steps(ledger, case, ("accept", {"occurred_on": day}))
    return case


def check_on(ledger: Ledger, case: UUID, day: str) -> None:
    steps(ledger, case, ("complete_economic_check", {**CHECK[1], "occurred_on": day}))


def test_a_notice_shorter_than_seven_days_is_found_and_a_full_notice_posted_again_resolves_it(
    ledger: Ledger, container: Container
) -> None:
    short = submitted(ledger)
    steps(ledger, short, ACCEPT, CHECK, VISIT, ASSESS)
    posted = legacy(ledger, short, "PublicNoticePosted", occurred_on="2024-03-06",
                    posted_from="2024-03-07", posted_to="2024-03-11")  # fmt: skip
    full = submitted(ledger)
    walk_to_active(ledger, full)
    (match,) = found(container, "A08")
    assert match["case_id"] == str(short) and match["evidence"] == [posted]
    assert match["summary"] == (
        "the public notice ran 5 day(s), from 2024-03-07 to 2024-03-11: the law requires at least 7"
    )
    again = legacy(ledger, short, "PublicNoticePosted", occurred_on="2024-03-12",
                   posted_from="2024-03-12", posted_to="2024-03-18")  # fmt: skip
    assert found(container, "A08") == []
    before = rebuilt(container, "A08")
    assert [(m["matched"], m["resolved_position"]) for m in before] == [(0, again)]
    assert rebuilt(container, "A08") == before


def test_a_confirmation_while_the_notice_is_up_or_before_its_close_is_found(
    ledger: Ledger, container: Container
) -> None:
    running = submitted(ledger)
    steps(ledger, running, ACCEPT, CHECK, VISIT, ASSESS, POST)
    legacy_confirm(ledger, running, on="2024-03-10")
    closed_later = submitted(ledger)
    steps(ledger, closed_later, ACCEPT, CHECK, VISIT, ASSESS, POST, CLOSE)
    legacy_confirm(ledger, closed_later, on="2024-03-12")  # dated before the close (13th)
    on_time = submitted(ledger)
    walk_to_active(ledger, on_time)  # confirmed the day after the close
    summaries = {m["case_id"]: m["summary"] for m in found(container, "A08")}
    assert summaries == {
        str(running): "confirmed on 2024-03-10, while the public notice was up until 2024-03-13",
        str(closed_later): "confirmed on 2024-03-12, before the public notice closed on 2024-03-13",
    }


def test_an_investigation_on_the_third_working_day_across_national_day_is_on_time(
    ledger: Ledger, container: Container
) -> None:
    on_time = accepted_on(ledger, "2024-09-27")
    check_on(ledger, on_time, "2024-10-08")  # late by a Monday-to-Friday count
    late = accepted_on(ledger, "2024-09-27")
    check_on(ledger, late, "2024-10-09")
    (match,) = found(container, "A08")
    assert match["case_id"] == str(late)
    assert match["summary"] == (
        "the investigation started on 2024-10-09, after its due date 2024-10-08 "
        "(3 working days after the acceptance on 2024-09-27)"
    )


def test_a_make_up_working_saturday_counts_towards_the_deadline(
    ledger: Ledger, container: Container
) -> None:
    late = accepted_on(ledger, "2024-10-11")
    steps(ledger, late, ("conduct_home_visit", {**VISIT[1], "occurred_on": "2024-10-16"}))
    on_time = accepted_on(ledger, "2024-10-11")
    check_on(ledger, on_time, "2024-10-15")
    (match,) = found(container, "A08")
    assert match["case_id"] == str(late) and "due date 2024-10-15" in match["summary"]


def test_the_deadline_fires_as_business_days_pass_and_a_start_dated_on_time_resolves_it(
    ledger: Ledger, container: Container
) -> None:
    waiting = accepted_on(ledger, "2024-09-27")
    ledger.record_day("2024-10-08")  # the due date itself: not late yet
    assert found(container, "A08") == []
    day = ledger.record_day("2024-10-09").position
    (match,) = found(container, "A08")
    assert match["raised_position"] == day and match["raised_on"] == "2024-10-09"
    assert match["summary"].startswith("no investigation was started by its due date 2024-10-08")
    ledger.record_day("2024-10-10")
    assert found(container, "A08")[0]["evidence"] == match["evidence"]  # no new evidence daily
    check_on(ledger, waiting, "2024-10-08")  # recorded late, dated on time
    assert found(container, "A08") == []
    before = rebuilt(container, "A08")
    assert rebuilt(container, "A08") == before and before[0]["matched"] == 0


def test_a_back_dated_acceptance_is_judged_by_the_days_not_by_today_already_known(
    ledger: Ledger, container: Container
) -> None:
    ledger.record_day("2026-12-01")  # the clock has recorded today
    on_time = accepted_on(ledger, "2024-09-27")  # entered late, back-dated like its check
    check_on(ledger, on_time, "2024-09-30")
    assert everything(container, "A08") == []  # never found, not even for a moment
    waiting = accepted_on(ledger, "2024-09-27")
    assert found(container, "A08") == []  # its start may still be entered, dated on time
    ledger.record_day("2026-12-02")  # a day passes without it: now it is late
    (match,) = found(container, "A08")
    assert match["case_id"] == str(waiting)


def test_a_decision_without_any_investigation_leaves_the_late_finding_standing(
    ledger: Ledger, container: Container
) -> None:
    case = accepted_on(ledger, "2024-09-27")
    ledger.record_day("2024-10-09")
    legacy_confirm(ledger, case, on="2024-10-10")
    (match,) = found(container, "A08")
    assert match["summary"].startswith("no investigation was started by its due date")


def test_a_day_passing_after_a_late_start_names_the_start(
    ledger: Ledger, container: Container
) -> None:
    case = accepted_on(ledger, "2024-09-27")
    ledger.record_day("2024-10-09")
    check_on(ledger, case, "2024-10-10")
    (match,) = found(container, "A08")
    assert match["summary"].startswith("the investigation started on 2024-10-10")
    assert len(match["evidence"]) == 3  # the acceptance, the day it fell due, the check


def test_a_due_date_in_a_year_with_no_holiday_notice_is_judged_once_the_notice_is_recorded(
    ledger: Ledger, container: Container
) -> None:
    # 2027 has no notice on file: counted Monday to Friday, Friday 5 February would be due by
    # Wednesday the 10th. The notice then takes 8-9 February off and works Saturday the 6th:
    # due by Thursday the 11th.
    cases = []
    for check in ("2027-02-11", "2027-02-12"):
        case = submitted(ledger, occurred_on="2027-02-01")
        steps(ledger, case, ("accept", {"occurred_on": "2027-02-05"}))
        check_on(ledger, case, check)
        cases.append(case)
    assert found(container, "A08") == []  # provisional: not judged on a guess
    notice = {
        "year": 2027, "holidays": ["2027-02-08", "2027-02-09"],
        "make_up_working_days": ["2027-02-06"], "reference": "国办发明电〔2026〕1号",
        "title": "2027年部分节假日安排 (test)", "published_on": "2026-11-01",
        "occurred_on": "2026-11-02",
    }  # fmt: skip
    ledger.record_holiday_notice(notice, ADMIN)
    (match,) = found(container, "A08")
    assert match["case_id"] == str(cases[1])
    assert "after its due date 2027-02-11" in match["summary"]
