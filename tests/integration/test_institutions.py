"""Care institutions and bed conversions on real SQLite and PostgreSQL: views, stats, the demo."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from typing import Any
from uuid import UUID

from api.container import Container
from api.demo.care import load_institutions_2023
from domain.ledger import CommandResult, Ledger
from domain.shared.errors import DomainError
from domain.shared.values import Actor
from projections.views import bed_conversions, institutions

#: A typed step of an institution or a conversion, e.g. Ledger.award_institution_grade.
Step = Callable[..., CommandResult]

ADMIN = Actor("admin-1", "admin", "钟楼区民政局")
WORKER = Actor("worker-1", "caseworker", "新闸街道")
APPROVER = Actor("approver-1", "approver", "钟楼区民政局")


def file(
    ledger: Ledger, street: str, beds: dict[str, int], medical: bool = True,
    on: str = "2023-02-01",
) -> UUID:  # fmt: skip
    body = {"name": f"{street}养老院", "street": street, "beds": beds,
            "medical_capability": medical, "occurred_on": on}  # fmt: skip
    return ledger.file_institution(body, ADMIN).id


def change(ledger: Ledger, iid: UUID, command: Step, on: str, **payload: Any) -> CommandResult:
    return command(ledger, iid, ADMIN, occurred_on=on, **payload)


def grade(ledger: Ledger, iid: UUID, on: str, until: str, level: int = 3) -> None:
    change(
        ledger,
        iid,
        Ledger.award_institution_grade,
        on,
        level=level,
        valid_until=until,
        evidence="常民评定",
    )


def staff(ledger: Ledger, iid: UUID, on: str, caregivers: int, certified: int) -> None:
    change(
        ledger,
        iid,
        Ledger.report_institution_staff,
        on,
        caregivers=caregivers,
        certified_caregivers=certified,
    )


def convert(
    ledger: Ledger, iid: UUID, number: int, until: str, from_type: str = "elderly_care",
    to_type: str = "nursing", on: str = "2024-03-01",
) -> CommandResult:  # fmt: skip
    """A conversion taken up to `until`: applied, inspected, approved, completed or paid."""
    result = ledger.apply_bed_conversion(
        {"institution_id": str(iid), "from_type": from_type, "to_type": to_type,
         "number": number, "occurred_on": on}, APPROVER,
    )  # fmt: skip
    cid = result.id
    steps: list[tuple[Step, Actor, dict[str, Any]]] = [
        (Ledger.inspect_bed_conversion, APPROVER,
         {"passed": True, "inspectors": ["i-1", "i-2"], "findings": "合格"}),
        (Ledger.approve_bed_conversion, APPROVER, {"decision_ref": "钟民养转〔2024〕1号"}),
        (Ledger.complete_bed_conversion, APPROVER, {"evidence": "验收报告"}),
        (Ledger.pay_conversion_subsidy, APPROVER,
         {"amount_per_bed_fen": 50_000, "beds": number, "reference": "钟财拨"}),
    ]  # fmt: skip
    names = ["applied", "inspected", "approved", "completed", "paid"]
    for command, actor, payload in steps[: names.index(until)]:
        result = command(ledger, cid, actor, occurred_on=on, **payload)
    return result


def test_the_views_follow_an_institution_and_its_conversion(
    ledger: Ledger, container: Container
) -> None:
    iid = file(ledger, "新闸街道", {"nursing": 80, "elderly_care": 30, "home_care": 10})
    grade(ledger, iid, "2023-05-01", "2026-04-30", level=4)
    staff(ledger, iid, "2023-06-30", 20, 18)
    change(ledger, iid, Ledger.certify_fire_safety, "2023-03-01",
           certificate_ref="常消安〔2023〕5号", valid_until="2026-02-28")  # fmt: skip
    approved = convert(ledger, iid, 12, "approved")
    container.runner.run_once()

    row = institutions.get(container.db, str(iid))
    assert row is not None
    assert (row["name"], row["street"], row["medical_capability"]) == (
        "新闸街道养老院",
        "新闸街道",
        1,
    )
    assert (row["grade"], row["grade_valid_until"]) == (4, "2026-04-30")
    assert (row["caregivers"], row["certified_caregivers"]) == (20, 18)
    assert row["fire_certificate_ref"] == "常消安〔2023〕5号"
    assert row["beds"] == [
        {"bed_type": "elderly_care", "beds": 30, "reserved": 12},
        {"bed_type": "home_care", "beds": 10, "reserved": 0},
        {"bed_type": "nursing", "beds": 80, "reserved": 0},
    ]
    conversion = bed_conversions.get(container.db, str(approved.id))
    assert conversion is not None
    assert (conversion["status"], conversion["number"], conversion["street"]) == (
        "approved", 12, "新闸街道"
    )  # fmt: skip
    assert conversion["inspection_passed"] == 1 and conversion["inspections"] == 1
    assert (conversion["version"], conversion["position"]) == (approved.version, approved.position)

    steps: list[tuple[Step, dict[str, Any]]] = [
        (Ledger.complete_bed_conversion, {"evidence": "验收报告"}),
        (Ledger.pay_conversion_subsidy, {"amount_per_bed_fen": 80_000, "beds": 12,
                                         "reference": "钟财拨"}),
    ]  # fmt: skip
    for command, payload in steps:
        last = command(ledger, approved.id, APPROVER, occurred_on="2024-06-03", **payload)
    container.runner.run_once()
    row = institutions.get(container.db, str(iid))
    assert row is not None
    assert [(b["bed_type"], b["beds"], b["reserved"]) for b in row["beds"]] == [
        ("elderly_care", 18, 0), ("home_care", 10, 0), ("nursing", 92, 0)
    ]  # fmt: skip
    conversion = bed_conversions.get(container.db, str(approved.id))
    assert conversion is not None
    assert (conversion["status"], conversion["completed_on"]) == ("completed", "2024-06-03")
    assert (conversion["subsidised_beds"], conversion["subsidy_fen"]) == (12, 960_000)
    assert conversion["position"] == last.position


def test_institutions_are_searched_by_street_and_grade(
    ledger: Ledger, container: Container
) -> None:
    a = file(ledger, "新闸街道", {"nursing": 10})
    b = file(ledger, "西林街道", {"nursing": 10})
    c = file(ledger, "西林街道", {"nursing": 10})
    grade(ledger, a, "2023-05-01", "2026-04-30", level=5)
    grade(ledger, b, "2023-05-01", "2026-04-30", level=5)
    container.runner.run_once()
    db = container.db

    def found(filters: dict[str, Any]) -> set[str]:
        found = institutions.matching(db, filters)
        rows, total = institutions.page(found, None, 10), found.count()
        assert total == len(rows)
        return {r["institution_id"] for r in rows}

    assert found({"street": "西林街道"}) == {str(b), str(c)}
    assert found({"grade": 5}) == {str(a), str(b)}
    assert found({"street": "西林街道", "grade": 5}) == {str(b)}
    everything = institutions.matching(db, {})
    first, total = institutions.page(everything, None, 2), everything.count()
    rest = institutions.page(everything, first[-1]["institution_id"], 2)
    assert total == 3 and len(first) == 2 and len(rest) == 1


def test_bed_stats_as_of_a_day_by_district_street_and_institution(
    ledger: Ledger, container: Container
) -> None:
    # 新闸: 90 nursing of 100 institutional beds; its 50 home-care beds are not institutional.
    a = file(ledger, "新闸街道", {"nursing": 90, "elderly_care": 10, "home_care": 50})
    # 西林: 30 nursing of 60, filed in 2023, graded until the end of 2023 only.
    b = file(ledger, "西林街道", {"nursing": 30, "elderly_care": 30}, on="2023-06-01")
    grade(ledger, a, "2023-03-01", "2025-12-31")
    grade(ledger, b, "2023-07-01", "2023-12-31")
    staff(ledger, a, "2023-06-30", 20, 19)
    staff(ledger, b, "2023-06-30", 5, 4)
    staff(ledger, b, "2024-06-30", 10, 6)  # a later report replaces the earlier one
    convert(ledger, b, 20, "completed", on="2024-03-01")  # 20 elderly-care beds become nursing
    file(ledger, "邹区镇", {"nursing": 5}, on="2024-09-01")  # filed after 2023, never graded
    container.runner.run_once()
    db = container.db

    (end_2023,) = institutions.bed_stats(db, [], "2023-12-31")
    assert end_2023["institutions"] == 2 and end_2023["graded"] == 2
    assert end_2023["beds"] == {"elderly_care": 40, "home_care": 50, "nursing": 120}
    assert (end_2023["institutional_beds"], end_2023["nursing_beds"]) == (160, 120)
    assert end_2023["nursing_share"] == 75.0
    assert end_2023["grading_rate"] == 100.0
    assert (end_2023["caregivers"], end_2023["certified_caregivers"]) == (25, 23)
    assert end_2023["certified_share"] == 92.0

    (end_2024,) = institutions.bed_stats(db, [], "2024-12-31")
    assert end_2024["institutions"] == 3 and end_2024["graded"] == 1  # b expired, c never
    assert end_2024["grading_rate"] == 33.33
    assert end_2024["beds"] == {"elderly_care": 20, "home_care": 50, "nursing": 145}
    assert end_2024["nursing_share"] == round(145 * 100 / 165, 2) == 87.88
    assert (end_2024["caregivers"], end_2024["certified_caregivers"]) == (30, 25)
    assert end_2024["certified_share"] == 83.33

    by_street = institutions.bed_stats(db, ["street"], "2023-12-31")
    assert [(r["street"], r["nursing_share"]) for r in by_street] == [
        ("新闸街道", 90.0), ("西林街道", 50.0)
    ]  # fmt: skip
    by_institution = institutions.bed_stats(db, ["institution"], "2024-12-31")
    assert [(r["institution_id"], r["street"], r["nursing_share"]) for r in by_institution] == [
        (str(a), "新闸街道", 90.0), (str(b), "西林街道", round(50 * 100 / 60, 2)),
        (by_institution[2]["institution_id"], "邹区镇", 100.0),
    ]  # fmt: skip
    assert by_institution[2]["grading_rate"] == 0.0 and by_institution[2]["certified_share"] is None
    (before,) = institutions.bed_stats(db, [], "2022-12-31")
    assert before["institutions"] == 0 and before["nursing_share"] is None


def test_progress_counts_completed_beds_against_the_target(
    ledger: Ledger, container: Container
) -> None:
    iid = file(ledger, "新闸街道", {"nursing": 500, "elderly_care": 500})
    convert(ledger, iid, 100, "paid", on="2024-03-01")
    convert(ledger, iid, 50, "completed", on="2024-05-01")
    convert(ledger, iid, 40, "completed", on="2025-01-06")  # counts for 2025, not 2024
    convert(ledger, iid, 30, "approved")
    convert(ledger, iid, 20, "inspected")
    convert(ledger, iid, 10, "applied")
    container.runner.run_once()
    db = container.db

    assert bed_conversions.progress(db) == {
        "year": 2024, "target": 300, "converted": 150, "approved_in_progress": 30,
        "pending": 30, "remaining": 150, "percent": 50.0, "subsidised_beds": 100,
        "subsidy_fen": 5_000_000,
    }  # fmt: skip
    assert bed_conversions.progress(db, target=40, year=2025)["remaining"] == 0
    steps = {s["status"]: (s["conversions"], s["beds"]) for s in bed_conversions.by_status(db)}
    assert steps == {"applied": (1, 10), "inspection_failed": (0, 0), "inspected": (1, 20),
                     "approved": (1, 30), "completed": (3, 190), "rejected": (0, 0)}  # fmt: skip
    completed = bed_conversions.matching(db, {"status": "completed"})
    rows, total = completed.page(None, 10), completed.count()
    assert total == 3 and {r["number"] for r in rows} == {100, 50, 40}


def test_two_approvals_racing_for_the_same_beds_let_only_one_through(
    ledger: Ledger, container: Container
) -> None:
    iid = file(ledger, "新闸街道", {"nursing": 10, "elderly_care": 30})
    first, second = (convert(ledger, iid, 20, "inspected").id for _ in range(2))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(cid: UUID) -> None:
        barrier.wait()
        try:
            ledger.approve_bed_conversion(cid, APPROVER, occurred_on="2024-03-02", decision_ref="x")
            outcomes.append("approved")
        except DomainError as e:
            outcomes.append(e.code)

    threads = [threading.Thread(target=approve, args=(cid,)) for cid in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes)[0] == "approved"
    assert sorted(outcomes)[1] in ("not_enough_beds", "version_conflict")
    assert ledger.get_institution(iid).reserved == {"elderly_care": 20}


def test_the_demo_loader_gives_the_2023_figures_exactly(container: Container) -> None:
    load_institutions_2023(container.ledger, random.Random(2023))

    container.runner.run_once()
    db = container.db
    (district,) = institutions.bed_stats(db, [], "2023-12-31")
    assert district["nursing_share"] == 94.71
    assert (district["nursing_beds"], district["institutional_beds"]) == (1789, 1889)
    assert district["beds"]["home_care"] == 360  # in people's homes: not institutional
    assert district["grading_rate"] == 100.0 and district["institutions"] == 14
    assert district["certified_share"] == 92.0
    assert (district["certified_caregivers"], district["caregivers"]) == (230, 250)
    by_street = institutions.bed_stats(db, ["street"], "2023-12-31")
    assert sum(r["nursing_beds"] for r in by_street) == 1789 and len(by_street) == 8

    progress = bed_conversions.progress(db)
    assert (progress["target"], progress["converted"]) == (300, 188)
    assert (progress["approved_in_progress"], progress["pending"]) == (72, 53)
    steps = {s["status"]: s["conversions"] for s in bed_conversions.by_status(db)}
    assert steps == {"applied": 2, "inspection_failed": 1, "inspected": 1, "approved": 3,
                     "completed": 8, "rejected": 2}  # fmt: skip
    (now,) = institutions.bed_stats(db, [], "2026-11-29")
    # 196 nursing beds became medical or hospice beds in 2024-2025, 12 elderly-care ones nursing.
    assert (now["nursing_beds"], now["institutional_beds"]) == (1789 - 196 + 12, 1889)
    assert now["nursing_share"] == 84.97

    dates = [r for t in ("institution_grades", "institution_staff", "institution_bed_changes")
             for r in db.query(f"SELECT * FROM {t}")]  # fmt: skip
    days = [r.get("awarded_on") or r.get("reported_on") or r.get("effective_on") for r in dates]
    assert all("2023-01-01" <= d <= "2026-11-29" for d in days)
    conversions = db.query("SELECT * FROM bed_conversion")
    assert all("2024-01-01" <= r["applied_on"] <= "2026-11-29" for r in conversions)
    assert not container.runner.failed
