"""Planted defects for rules A01 and A02, so a new user sees findings at once.

Each is what an auditor meets in practice: a death the family reported two months late,
after three more months were paid (A01 three times; the review is done and the case
terminated); a move out of the district
reported late, the termination back-dated over a month already paid (A02); a household
whose member died and that nobody reviewed (A01's deadline).
The demo's other death is reviewed in time, so it raises nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.deaths.notification import notification_id
from domain.payroll.run import run_id
from domain.shared.values import Actor

if TYPE_CHECKING:
    from api.demo.district import DemoDistrict

APPROVER = Actor("approver-district", "approver", "钟楼区民政局")
CLERK = Actor("clerk-civil-registry", "caseworker", "钟楼区民政局")


def plant_finding_defects(demo: DemoDistrict) -> None:
    led = demo.ledger
    december = led.get_run(run_id(led.district, "DIBAO", "2023-12"))
    paid = {led.get_payout(UUID(key)).case_id for key in december.payouts}
    active = [led.get_case(c) for c in paid if led.get_case(c).status == "active"]
    cases = [c.id for c in sorted(active, key=lambda c: (c.submitted_on, str(c.id)))]
    _death_reported_late(demo, cases[0])
    _termination_back_dated(demo, cases[1])
    _reviews_after_the_demos_deaths(demo)


def _payee(demo: DemoDistrict, case_id: UUID) -> dict[str, Any]:
    """The payee's name and ID number, as the application recorded them."""
    submitted = next(iter(demo.ledger.events.get(case_id, lte=1)))
    payee = submitted.payee["person_id"]  # type: ignore[attr-defined]
    member = next(m for m in submitted.members if m["person_id"] == payee)  # type: ignore[attr-defined]
    return dict(member["personal"])


def _death_reported_late(demo: DemoDistrict, case_id: UUID) -> None:
    """The payee died on 2023-10-08; the family came on 2024-01-10: Nov and Dec were paid."""
    led, person = demo.ledger, _payee(demo, case_id)
    report = {"name": person["name"], "id_number": person["id_number"], "source": "family",
              "date_of_death": "2023-10-08", "occurred_on": "2024-01-10"}  # fmt: skip
    key = led.report_death(report, CLERK).id
    led.verify_death(key, APPROVER, occurred_on="2024-01-12", evidence="火化证明 (家属补报)")
    led.apply_death_consequences(key, [case_id])  # the death process would, a moment later
    street = led.get_case(case_id).street
    worker = Actor(f"worker-{street}", "caseworker", street)
    led.complete_review(case_id, worker, occurred_on="2024-01-20",
                        findings="户主已于2023-10去世, 家庭情况复核")  # fmt: skip
    led.terminate_benefit(
        case_id,
        APPROVER,
        occurred_on="2024-01-22",
        reason_code="death",
        reason="唯一保障对象已去世 (复核确认)",
        effective_month="2024-02",
    )  # fmt: skip (the review closes the file; the months paid after the death stay A01's)


def _termination_back_dated(demo: DemoDistrict, case_id: UUID) -> None:
    """The household moved away in November; the street learned it in January."""
    demo.ledger.terminate_benefit(
        case_id, APPROVER, occurred_on="2024-01-15", reason_code="moved_away",
        reason="2023年11月已迁出本区, 街道2024年1月获悉", effective_month="2023-12",
    )  # fmt: skip


def _reviews_after_the_demos_deaths(demo: DemoDistrict) -> None:
    """The first of the demo's deaths is reviewed in time; the second is left unreviewed.

    Their consequences are applied here first (the death process would, a moment later), so
    the days recorded next find them whatever the process's pace.
    """
    led = demo.ledger
    for case_id, id_number, _ in demo.active[:2]:
        led.apply_death_consequences(notification_id(led.pseudonyms.person_id(id_number)),
                                     [case_id])  # fmt: skip
    for case_id, _, decided in demo.active[:1]:
        died = decided + timedelta(days=90)
        case = led.get_case(case_id)
        if case.status != "active":
            continue
        worker = Actor(f"worker-{case.street}", "caseworker", case.street)
        demo.ledger.complete_review(
            case_id, worker, occurred_on=(died + timedelta(days=30)).isoformat(),
            findings="成员去世后入户复核, 调整保障人数",
        )  # fmt: skip
