"""A06 favouritism risk, on SQLite and PostgreSQL: the district visit and four eyes."""

from __future__ import annotations

from audit_support import found, legacy, legacy_confirm, rebuilt, steps, submitted
from builders import APPROVER, PROCEDURE, walk_to_active

from api.container import Container
from domain.ledger import Ledger

ACCEPT, CHECK, VISIT, ASSESS, POST, CLOSE = PROCEDURE
DISTRICT_VISIT = (
    "conduct_home_visit",
    {"occurred_on": "2024-03-05", "investigators": ["inv-district-1", "inv-district-2"],
     "district_level": True, "findings": "区民政局入户核查"},
)  # fmt: skip


def test_a_relative_of_staff_confirmed_without_the_district_visit_is_found(
    ledger: Ledger, container: Container
) -> None:
    kin = submitted(ledger, kin_of_staff=True)
    steps(ledger, kin, ACCEPT, CHECK, VISIT)  # the street visited, not the district
    confirmation = legacy_confirm(ledger, kin)
    visited = submitted(ledger, kin_of_staff=True)
    steps(ledger, visited, ACCEPT, CHECK, DISTRICT_VISIT, ASSESS, POST, CLOSE)
    ledger.confirm_eligibility(visited, APPROVER, occurred_on="2024-03-14")
    (match,) = found(container, "A06")
    assert match["case_id"] == str(kin) and match["evidence"] == [confirmation]
    assert match["summary"] == (
        "confirmed although a member is a relative of staff and the district did not visit itself"
    )
    assert match["severity"] == "medium"


def test_objections_at_the_notice_need_a_district_visit_after_them(
    ledger: Ledger, container: Container
) -> None:
    objected = ("close_public_notice", {"occurred_on": "2024-03-13", "objections": ["有房有车"]})
    complained = submitted(ledger)
    steps(ledger, complained, ACCEPT, CHECK, DISTRICT_VISIT, ASSESS, POST, objected)
    legacy_confirm(ledger, complained)  # the district visit came before the objections
    answered = submitted(ledger)
    later_visit = ("conduct_home_visit", {**DISTRICT_VISIT[1], "occurred_on": "2024-03-14"})
    steps(ledger, answered, ACCEPT, CHECK, VISIT, ASSESS, POST, objected, later_visit)
    ledger.confirm_eligibility(answered, APPROVER, occurred_on="2024-03-15")
    (match,) = found(container, "A06")
    assert match["case_id"] == str(complained)
    assert "objections" in match["summary"]


def test_an_approver_who_investigated_the_case_is_found_even_with_spaces_around_the_id(
    ledger: Ledger, container: Container
) -> None:
    own = submitted(ledger)
    visit = ("conduct_home_visit", {**VISIT[1], "investigators": [APPROVER.user, "inv-b"]})
    steps(ledger, own, ACCEPT, CHECK, visit, ASSESS, POST, CLOSE)
    legacy_confirm(ledger, own, approver=f" {APPROVER.user} ")
    other = submitted(ledger)
    walk_to_active(ledger, other)
    (match,) = found(container, "A06")
    assert match["case_id"] == str(own)
    assert match["summary"] == "the approver of the confirmation also investigated the case"


def test_a_district_visit_recorded_afterwards_resolves_it_and_a_rebuild_finds_the_same(
    ledger: Ledger, container: Container
) -> None:
    kin = submitted(ledger, kin_of_staff=True)
    steps(ledger, kin, ACCEPT, CHECK, VISIT)
    legacy_confirm(ledger, kin)
    assert len(found(container, "A06")) == 1
    visit = legacy(
        ledger, kin, "HomeVisitConducted", occurred_on="2024-03-20",
        investigators=["inv-district-1", "inv-district-2"], district_level=True,
        findings="区民政局补充入户核查",
    )  # fmt: skip
    assert found(container, "A06") == []
    before = rebuilt(container, "A06")
    assert [(m["matched"], m["resolved_position"]) for m in before] == [(0, visit)]
    assert rebuilt(container, "A06") == before
