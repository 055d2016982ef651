"""The AuditFinding lifecycle on the in-memory Ledger: the process's commands and people's steps."""

from __future__ import annotations

import pytest
from helpers import refused

from domain.audit.finding import finding_id
from domain.ledger import CommandResult, Ledger
from domain.shared.errors import DomainError, Forbidden, InvalidInput
from domain.shared.values import Actor

WORKER = Actor("worker-1", "caseworker", "新闸街道")
ELSEWHERE = Actor("worker-9", "caseworker", "西林街道")
APPROVER = Actor("approver-1", "approver", "钟楼区民政局")
AUDITOR = Actor("auditor-1", "auditor", None)
ON = {"occurred_on": "2024-08-01"}


def raised(ledger: Ledger, key: str = "payout-1") -> CommandResult:
    return ledger.raise_finding(
        "A01", key, severity="high", street="新闸街道", case_id="c-1",
        summary="DIBAO payout for 2024-06 paid after the death of the payee in 2024-05",
        evidence=[7, 3, 7], raised_position=7, occurred_on="2024-07-22",
    )  # fmt: skip


def test_raising_the_same_match_twice_is_one_finding_with_its_derived_id(ledger: Ledger) -> None:
    first, again = raised(ledger), raised(ledger)
    assert (first.id, first.version) == (again.id, again.version)
    finding = ledger.get_finding(finding_id("A01", "payout-1"))
    assert (finding.status, finding.version) == ("raised", 1)


def test_acknowledged_then_rectified_is_final(ledger: Ledger) -> None:
    key = finding_id("A01", "payout-1")
    raised(ledger)
    ledger.acknowledge_finding(key, WORKER, reason="街道正在核实", **ON)
    ledger.rectify_finding(key, APPROVER, reason="已追回", **ON)
    assert ledger.get_finding(key).status == "rectified"
    with pytest.raises(DomainError, match="rectified") as error:
        ledger.dismiss_finding(key, AUDITOR, reason="误报", **ON)
    assert error.value.code == "finding_wrong_status" and error.value.status == 409


def test_rectifying_a_finding_nobody_acknowledged_is_out_of_order(ledger: Ledger) -> None:
    raised(ledger)
    key = finding_id("A01", "payout-1")
    with refused(ledger, "finding_wrong_status", aggregate_id=key, field="status") as error:
        ledger.rectify_finding(key, APPROVER, reason="已追回", **ON)
    assert "must be acknowledged" in error.value.message


def test_a_mistaken_finding_is_dismissed_by_the_auditor_straight_from_raised(
    ledger: Ledger,
) -> None:
    raised(ledger)
    key = finding_id("A01", "payout-1")
    with pytest.raises(Forbidden):
        ledger.dismiss_finding(key, APPROVER, reason="误报", **ON)
    ledger.dismiss_finding(key, AUDITOR, reason="死亡日期登记错误, 已更正", **ON)
    assert ledger.get_finding(key).status == "dismissed"
    ledger.resolve_finding(key, resolved_position=99, occurred_on="2024-08-02")
    assert ledger.get_finding(key).status == "dismissed"  # the process leaves it closed


def test_a_step_needs_a_reason_and_the_findings_street(ledger: Ledger) -> None:
    raised(ledger)
    key = finding_id("A01", "payout-1")
    with refused(ledger, "invalid_input", InvalidInput, aggregate_id=key, field="reason"):
        ledger.acknowledge_finding(key, WORKER, reason="  ", **ON)
    with refused(ledger, "street_scope", Forbidden, aggregate_id=key):
        ledger.acknowledge_finding(key, ELSEWHERE, reason="看到了", **ON)


def test_resolved_when_the_rule_stops_matching_and_raised_again_when_it_matches_again(
    ledger: Ledger,
) -> None:
    raised(ledger)
    key = finding_id("A01", "payout-1")
    ledger.resolve_finding(key, resolved_position=11, occurred_on="2024-08-02")
    assert ledger.get_finding(key).status == "resolved"
    with pytest.raises(DomainError):
        ledger.acknowledge_finding(key, WORKER, reason="看到了", **ON)
    raised(ledger)
    assert ledger.get_finding(key).status == "raised"
    assert ledger.get_finding(key).version == 3
