"""Social organisations and village conversions on real SQLite and PostgreSQL: the views, the
figures as of a date, and the demo loaders' exact seed figures."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

from api.container import Container
from api.demo.organizations import load_organizations_2023, load_villages_2024
from domain.ledger import CommandResult, Ledger
from domain.shared.values import Actor
from projections.views import organizations as org_views
from projections.views import village_conversions as village_views

REGISTRAR = Actor("org-registrar", "approver", "钟楼区民政局")
OFFICE = Actor("xilin-office", "caseworker", "西林街道")
END_2022, END_2023 = date(2022, 12, 31), date(2023, 12, 31)


def register(ledger: Ledger, on: str, name: str, street: str = "南大街街道") -> UUID:
    body = {"name": name, "type": "SOCIAL_SERVICE", "street": street, "occurred_on": on}
    return ledger.register_organization(body, REGISTRAR).id


ORGANIZATION_STEPS = {
    "conclude_inspection": Ledger.conclude_organization_inspection,
    "confirm_grade": Ledger.confirm_organization_grade,
    "revoke_grade": Ledger.revoke_organization_grade,
    "start_liquidation": Ledger.start_liquidation,
    "deregister": Ledger.deregister_organization,
    "revoke_registration": Ledger.revoke_registration,
}


def step(ledger: Ledger, org: UUID, command: str, on: str, **payload: Any) -> None:
    ORGANIZATION_STEPS[command](ledger, org, REGISTRAR, occurred_on=on, **payload)


def inspect(ledger: Ledger, org: UUID, years: range, result: str = "pass") -> None:
    for year in years:
        step(ledger, org, "conclude_inspection", f"{year + 1}-03-10", year=year, result=result)


def grade(ledger: Ledger, org: UUID, on: str, grade: str) -> None:
    step(ledger, org, "confirm_grade", on, grade=grade, decision_ref="钟民社评")


def stats(container: Container, on: date) -> dict[str, Any]:
    return org_views.organization_stats(container.db, on)


def test_the_organisation_view_and_the_figures_as_of_a_date(
    ledger: Ledger, container: Container
) -> None:
    # A: graded 4A in 2022, regraded 5A in 2023.
    a = register(ledger, "2019-04-01", "钟楼区养老服务中心")
    inspect(ledger, a, range(2019, 2022))
    grade(ledger, a, "2022-07-01", "4A")
    inspect(ledger, a, range(2022, 2023))
    grade(ledger, a, "2023-08-01", "5A")
    # B: graded 2A in April 2023, the grade revoked in May.
    b = register(ledger, "2020-05-01", "钟楼区书法协会", street="西林街道")
    inspect(ledger, b, range(2020, 2023))
    grade(ledger, b, "2023-04-01", "2A")
    step(ledger, b, "revoke_grade", "2023-05-01", reason="受到行政处罚")
    # C: no inspection for 2021 and 2022, revoked.
    c = register(ledger, "2018-01-10", "钟楼区围棋研究会")
    inspect(ledger, c, range(2018, 2021))
    step(ledger, c, "revoke_registration", "2023-09-01", reason="连续两年未参加年度检查")
    # D: graded in 2017, expired in 2022; no inspection for 2022.
    d = register(ledger, "2015-06-01", "钟楼区摄影协会")
    inspect(ledger, d, range(2015, 2017))
    grade(ledger, d, "2017-07-01", "3A")
    inspect(ledger, d, range(2017, 2022))
    # E: new in 2023.
    register(ledger, "2023-03-01", "钟楼区社区服务中心")
    # F: liquidated in 2023 and deregistered.
    f = register(ledger, "2016-01-01", "钟楼区环保促进会")
    inspect(ledger, f, range(2016, 2022))
    step(ledger, f, "start_liquidation", "2023-06-01", reason="会员大会决议解散")
    step(ledger, f, "deregister", "2023-10-01", reason="清算完毕")

    container.runner.run_once()
    assert stats(container, END_2023) == {
        "as_of": "2023-12-31", "registered": 4, "liquidating": 0, "graded": 1,
        "graded_percent": 25.0,
        "by_grade": [{"grade": g, "organizations": int(g == "5A")}
                     for g in ("1A", "2A", "3A", "4A", "5A")],
        "inspections_due": 1, "inspection_year": 2022, "deregistered": 1, "revoked": 1,
    }  # fmt: skip
    # At the end of 2022: A (4A) graded, B not yet, D expired; C and F missed 2021.
    end_2022 = stats(container, END_2022)
    assert (end_2022["registered"], end_2022["graded"], end_2022["graded_percent"]) == (5, 1, 20.0)
    assert end_2022["inspections_due"] == 1  # C: 2021 missing (F has it)
    assert [g["organizations"] for g in end_2022["by_grade"]] == [0, 0, 0, 1, 0]
    mid_2023 = stats(container, date(2023, 4, 15))
    assert (mid_2023["graded"], mid_2023["liquidating"]) == (2, 0)  # A 4A and B 2A
    assert stats(container, date(2023, 6, 15))["liquidating"] == 1
    assert stats(container, date(2023, 7, 31))["by_grade"][3] == {"grade": "4A", "organizations": 1}

    row = org_views.get(container.db, str(a))
    assert row is not None
    assert (row["status"], row["grade"], row["graded_on"]) == ("registered", "5A", "2023-08-01")
    assert row["grade_valid_until"] == "2028-07-31"
    assert (row["last_inspection_year"], row["last_inspection_result"]) == (2022, "pass")
    assert org_views.grade_valid(row, END_2023)
    assert not org_views.inspection_due(row, END_2023)
    revoked_grade = org_views.get(container.db, str(b))
    assert revoked_grade is not None
    assert (revoked_grade["grade"], revoked_grade["grade_revoked_on"]) == (None, "2023-05-01")
    ended = org_views.get(container.db, str(c))
    assert ended is not None
    assert (ended["status"], ended["ended_on"]) == ("revoked", "2023-09-01")
    assert org_views.inspection_due(org_views.get(container.db, str(d)) or {}, END_2023)


def test_organisations_are_filtered_and_paged(ledger: Ledger, container: Container) -> None:
    ids = [register(ledger, "2020-01-0" + str(n), f"钟楼区协会{n}") for n in range(1, 6)]
    register(ledger, "2020-02-01", "钟楼区西林协会", street="西林街道")
    inspect(ledger, ids[0], range(2020, 2023))

    container.runner.run_once()
    db, today = container.db, date(2023, 5, 1)  # the 2022 inspections are due
    rows, total = org_views.organizations(db, {"street": "南大街街道"}, today, None, 3)
    assert total == 5 and len(rows) == 3
    rest, _ = org_views.organizations(
        db, {"street": "南大街街道"}, today, rows[-1]["organization_id"]
    )
    assert len(rest) == 2
    assert {r["organization_id"] for r in rows + rest} == {str(i) for i in ids}
    due, due_total = org_views.organizations(db, {"inspection_due": True}, today)
    assert due_total == 5 and str(ids[0]) not in {r["organization_id"] for r in due}
    done, _ = org_views.organizations(db, {"inspection_due": False}, today)
    assert [r["organization_id"] for r in done] == [str(ids[0])]


def test_the_village_view_follows_the_steps_and_the_votes(
    ledger: Ledger, container: Container
) -> None:
    admin = Actor("admin-1", "admin", "钟楼区民政局")
    for name, value in (("village.pass_numerator", 2), ("village.pass_denominator", 3)):
        ledger.set_parameter(name, value, "2024-01-01", "2/3", admin, "2023-12-20")
    conversion = ledger.initiate_village_conversion(
        {"village": "朱夏墅村", "street": "西林街道", "tasks": ["清产核资", "成员身份界定"],
         "occurred_on": "2024-04-08"}, OFFICE,
    ).id  # fmt: skip
    ledger.initiate_village_conversion(
        {"village": "庆丰村", "street": "新闸街道", "tasks": ["清产核资"],
         "occurred_on": "2024-03-15"}, REGISTRAR,  # another street's: the district's
    )  # fmt: skip

    def do(command: Callable[..., CommandResult], on: str, **payload: Any) -> None:
        decision = command in (Ledger.deregister_village, Ledger.complete_village_conversion)
        command(ledger, conversion, REGISTRAR if decision else OFFICE, occurred_on=on, **payload)

    def row() -> dict[str, Any]:
        container.runner.run_once()
        found = village_views.get(container.db, str(conversion))
        assert found is not None
        return found

    do(Ledger.confirm_village_membership, "2024-07-02", members=1132)
    assert (row()["step"], row()["step_number"]) == ("membership_confirmed", 2)
    do(Ledger.verify_village_assets, "2024-08-15", assets_fen=9_876_543_210_00,
       liabilities_fen=12_345_678_00, net_assets_fen=9_876_543_210_00 - 12_345_678_00)  # fmt: skip
    assert (row()["step"], row()["step_number"]) == ("assets_verified", 3)
    assert row()["assets_fen"] == 9_876_543_210_00  # beyond 32 bits
    do(
        Ledger.restructure_collective,
        "2024-12-05",
        entity_name="朱夏墅股份经济合作社",
        shareholders=1130,
    )
    do(Ledger.vote_village_abolition, "2025-03-20", eligible=968, present=602, votes_for=381,
       votes_against=196)  # fmt: skip
    failed = row()
    assert (failed["step"], failed["step_number"], failed["votes_held"]) == ("vote_failed", 4, 1)
    assert (failed["vote_passed"], failed["vote_share_permille"]) == (0, 633)
    do(
        Ledger.vote_village_abolition,
        "2025-09-12",
        eligible=968,
        present=777,
        votes_for=655,
        votes_against=98,
    )
    passed = row()
    assert (passed["step"], passed["step_number"], passed["votes_held"]) == ("vote_passed", 5, 2)
    assert (passed["vote_passed"], passed["vote_threshold_permille"]) == (1, 667)
    assert json.loads(passed["vote_parameters"]) == {
        "village.pass_numerator": "village.pass_numerator@v2",
        "village.pass_denominator": "village.pass_denominator@v2",
    }
    do(Ledger.deregister_village, "2025-12-22", decision_ref="钟政复〔2025〕41号")
    do(Ledger.establish_residents_committee, "2026-03-01",
       committee_name="朱夏墅社区居民委员会")  # fmt: skip
    result = ledger.complete_village_conversion(conversion, REGISTRAR, occurred_on="2026-06-30")
    done = row()
    assert (done["step"], done["step_number"], done["completed_on"]) == (
        "completed", 8, "2026-06-30",
    )  # fmt: skip
    assert (done["version"], done["position"]) == (result.version, result.position)
    assert json.loads(done["tasks"]) == ["清产核资", "成员身份界定"]
    rows, total = village_views.village_conversions(container.db, {"street": "西林街道"})
    assert total == 1 and rows[0]["village"] == "朱夏墅村"


def test_the_demo_loaders_give_the_seed_figures_exactly(container: Container) -> None:
    load_organizations_2023(container.ledger, random.Random(2023))
    load_villages_2024(container.ledger, random.Random(2023))

    container.runner.run_once()
    figures = stats(container, END_2023)
    assert (figures["registered"], figures["graded"], figures["graded_percent"]) == (
        292,
        137,
        46.92,
    )
    assert round(figures["graded"] / figures["registered"] * 100) == 47
    assert figures["by_grade"] == [
        {"grade": "1A", "organizations": 8}, {"grade": "2A", "organizations": 28},
        {"grade": "3A", "organizations": 70}, {"grade": "4A", "organizations": 25},
        {"grade": "5A", "organizations": 6},
    ]  # fmt: skip
    assert (figures["liquidating"], figures["inspections_due"]) == (1, 9)
    assert (figures["deregistered"], figures["revoked"]) == (3, 2)
    rows = container.db.query("SELECT * FROM organizations")
    assert len(rows) == 297
    assert all(r["registered_on"] <= "2023-12-31" for r in rows)
    assert {r["organization_type"] for r in rows} >= {"SOCIAL_GROUP", "SOCIAL_SERVICE"}

    villages = {r["village"]: r for r in village_views.village_conversions(container.db, {})[0]}
    assert {v: (r["street"], r["step"]) for v, r in villages.items()} == {
        "庆丰村": ("新闸街道", "completed"),
        "朱夏墅村": ("西林街道", "deregistered"),
        "张家村": ("西林街道", "assets_verified"),
        "马家村": ("西林街道", "initiated"),
    }
    assert (villages["朱夏墅村"]["votes_held"], villages["朱夏墅村"]["vote_passed"]) == (2, 1)
    assert (villages["庆丰村"]["vote_share_permille"], villages["庆丰村"]["vote_passed"]) == (
        907,
        1,
    )
    for r in villages.values():
        assert r["initiated_on"].startswith("2024") and r["updated_at"]
        if r["assets_fen"] is not None:
            assert r["net_assets_fen"] == r["assets_fen"] - r["liabilities_fen"]
