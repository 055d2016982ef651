"""The demo's planted defects for audit rules A09-A14, and the upkeep that keeps the rest clean.

Planted, one each: a case over-long in processing (A09), a missed periodic review (A10), a
case left running after its gradual exit (A11), a payout below an amount decided for its
month afterwards (A12), advance aid without its paperwork and repeated grants to one
household over the cap (A13), one bank account paid for two households (A14). The upkeep:
every other running case records the periodic reviews it is due, and every other gradual exit
ends in a termination. Then the demo's last business day is recorded, so the findings show.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from domain.assistance.case import AssistanceCase
from domain.ledger import Ledger
from domain.shared.identity import make_id_number
from domain.shared.values import Actor, add_months
from domain.shared.working_days import default_calendar
from domain.topics import topics_of

#: The demo's "today": its history ends here, and the last business day it records.
DEMO_TODAY = date(2026, 11, 30)
APPROVER = Actor("approver-district", "approver", "钟楼区民政局")
RUNNING = ("active", "suspended")


def worker(street: str) -> Actor:
    return Actor(f"worker-{street}", "caseworker", street)


def working_day_before(d: date) -> date:
    cal = default_calendar()
    d -= timedelta(days=1)
    while not cal.is_working_day(d):
        d -= timedelta(days=1)
    return d


def plant_defects_rules_b(ledger: Ledger, today: date = DEMO_TODAY) -> None:
    cases = [ledger.get_case(i) for i in _case_ids(ledger)]
    confirmed = [c for c in cases if c.status in RUNNING and c.benefit.first_month]
    cohort = [
        c for c in confirmed if (c.benefit.first_month or "") <= "2024-01"
        and not c.benefit.deaths and c.status == "active" and c.gradual_exit is None
    ]  # fmt: skip
    _shared_account_and_late_adjustment(ledger, cohort[0], cohort[1], cohort[2])
    ended = [c for c in confirmed if _exit_ends(c) <= str(today)]
    left_running = ended[0].id if ended else None  # planted: A11
    due = [
        c for c in confirmed if c.gradual_exit is None and (c.benefit.first_month or "") > "2024-01"
        and (_next_review_due(ledger, c.id) or "9999") < str(today)
    ]  # fmt: skip
    missed = due[0].id if due else None  # planted: A10
    for case in confirmed:
        if case.id == missed:
            continue
        until = today
        if case.gradual_exit is not None and case.id != left_running:
            until = _end_exit(ledger, case, today)
        _review(ledger, case.id, until)
    _over_long(ledger)
    _temporary(ledger)


def _exit_ends(case: AssistanceCase) -> str:
    """The first day after the case's gradual exit, or far away when it has none."""
    if case.gradual_exit is None:
        return "9999-12-31"
    return add_months(case.gradual_exit["until"], 1) + "-01"


def _case_ids(ledger: Ledger) -> list[UUID]:
    topics = topics_of(AssistanceCase.ApplicationSubmitted)
    found: list[UUID] = []
    start = 1
    while True:
        batch = ledger.recorder.select_notifications(start, 1000, topics=topics)
        found += [UUID(str(n.originator_id)) for n in batch]
        if len(batch) < 1000:
            return found
        start = batch[-1].id + 1


def _next_review_due(ledger: Ledger, case_id: UUID) -> str | None:
    due = None
    for e in ledger.events.get(case_id):
        due = getattr(e, "next_review_due", None) or due
    return due


def _review(ledger: Ledger, case_id: UUID, until: date) -> None:
    """Record every periodic review the case falls due for up to `until`, a little early."""
    street = ledger.get_case(case_id).street
    while (due := _next_review_due(ledger, case_id)) and date.fromisoformat(due) <= until:
        on = working_day_before(date.fromisoformat(due) - timedelta(days=7))
        ledger.complete_review(case_id, worker(street), occurred_on=on.isoformat(),
                               findings="入户复核, 家庭情况无变化")  # fmt: skip


def _end_exit(ledger: Ledger, case: AssistanceCase, today: date) -> date:
    """Terminate a case once its gradual exit has run out; the day it is terminated, or today."""
    assert case.gradual_exit is not None
    until = case.gradual_exit["until"]
    ends = date.fromisoformat(add_months(until, 1) + "-01")
    if ends > today:
        return today
    last = working_day_before(ends)
    _review(ledger, case.id, last)
    ledger.terminate_benefit(case.id, APPROVER, occurred_on=last.isoformat(),
                             reason_code="income_above_standard", reason="渐退期满, 停发",
                             effective_month=add_months(until, 1))  # fmt: skip
    return last


def _shared_account_and_late_adjustment(
    ledger: Ledger, paid: AssistanceCase, sharing: AssistanceCase, adjusted: AssistanceCase
) -> None:
    """A14: a second household's payee account set to the first's; A12: a raise for January
    decided after January was paid. Then January 2024's DIBAO run, approved and settled."""
    from api.demo.district import settlement_file

    assert paid.payee is not None
    account = paid.payee["personal"]["bank_account"]
    ledger.change_payee(sharing.id, worker(sharing.street), occurred_on="2024-01-08",
                        person_id=sharing.counted[0], payee_account=account)  # fmt: skip
    run = ledger.start_payroll_run("DIBAO", "2024-01", APPROVER, date(2024, 1, 20))
    ledger.approve_payroll_run(run.id, APPROVER, "2024-01-21")
    pending = ledger.get_run(run.id).payouts
    ledger.record_settlement(run.id, settlement_file(pending, None), APPROVER, "2024-01-25")
    ledger.adjust_benefit(
        adjusted.id, APPROVER, occurred_on="2024-01-29",
        monthly_amount_fen=adjusted.monthly_amount_fen + 20_000, effective_month="2024-01",
        reason="家庭成员重病, 补录本月起增发",
    )  # fmt: skip


def _over_long(ledger: Ledger) -> None:
    """A09: an application accepted in August 2026, investigated in time, and never decided."""
    member = {"name": "超期甲", "id_number": make_id_number("320404", date(1962, 4, 9), 901),
              "relation": "self", "counted": True}  # fmt: skip
    street = "新闸街道"
    case_id = ledger.submit_application(
        {"programme": "DIBAO", "street": street, "community": "新闸社区", "channel": "counter",
         "kin_of_staff": False, "occurred_on": "2026-08-03", "members": [member],
         "payee_account": "6222020000000901234"}, worker(street),
    ).id  # fmt: skip
    ledger.accept_application(case_id, worker(street), occurred_on="2026-08-04")
    # Investigated within 3 working days, so only A09 finds it, not A08.
    ledger.complete_case_economic_check(
        case_id, worker(street), occurred_on="2026-08-06", incomes=[], property={}
    )


def _temporary(ledger: Ledger) -> None:
    """A13: advance aid whose paperwork never came; two grants to one family over the cap."""
    street = "西林街道"

    def family(n: int) -> list[dict[str, Any]]:
        number = make_id_number("320404", date(1929, 1 + n, 10), 950 + n)
        return [{"name": "临救乙", "id_number": number, "relation": "self"}]

    def advance(members: list[dict[str, Any]], on: str, amount: int, actor: Actor) -> UUID:
        case_id = ledger.request_help(
            {"type": "EMERGENCY", "street": street, "community": "朱夏墅村", "occurred_on": on,
             "incident": "火灾致住房受损", "members": members}, worker(street),
        ).id  # fmt: skip
        ledger.grant_advance_aid(case_id, actor, occurred_on=on, amount_fen=amount)
        return case_id

    advance(family(1), "2026-11-02", 150_000, worker(street))  # no paperwork follows
    repeated = family(2)
    for on, done in (("2026-08-10", "2026-08-17"), ("2026-10-12", "2026-10-19")):
        case_id = advance(repeated, on, 400_000, APPROVER)
        ledger.complete_paperwork(case_id, worker(street), occurred_on=done, documents=["申请书"])
        ledger.close_temporary_case(case_id, worker(street), occurred_on=done, reason="手续齐全")
