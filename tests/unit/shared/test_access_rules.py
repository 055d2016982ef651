"""The write side's access check: after the 404, before anything is recorded, naming the rule."""

from __future__ import annotations

import uuid

import pytest
from builders import APPROVER, WORKER, application, walk_to_active
from helpers import refused

from domain.assistance.case import AssistanceCase
from domain.ledger import Ledger
from domain.shared import access
from domain.shared.command_guard import running
from domain.shared.errors import Forbidden, NotFound
from domain.shared.values import Actor

OTHER_STREET = Actor("worker-xilin", "caseworker", "西林街道")
NO_STREET = Actor("worker-nowhere", "caseworker", None)
AUDITOR = Actor("auditor-1", "auditor", None)


def test_an_unknown_case_is_404_even_for_a_role_that_may_not_touch_it(ledger: Ledger) -> None:
    with pytest.raises(NotFound):
        ledger.confirm_eligibility(uuid.uuid4(), AUDITOR, occurred_on="2024-03-14")


def test_a_caseworker_of_another_street_is_refused_and_nothing_is_recorded(
    ledger: Ledger,
) -> None:
    case_id = ledger.submit_application(application(), WORKER).id

    with refused(ledger, "street_scope", Forbidden, aggregate_id=case_id) as caught:
        ledger.accept_application(case_id, OTHER_STREET, occurred_on="2024-03-01")

    assert "西林街道" in caught.value.message and "rule `street_scope`" in caught.value.message
    assert caught.value.status == 403


def test_a_caseworker_may_not_decide_and_an_approver_may_not_do_casework(ledger: Ledger) -> None:
    case_id = ledger.submit_application(application(), WORKER).id
    walk_to_active(ledger, case_id)

    with refused(ledger, "role_not_allowed", Forbidden, aggregate_id=case_id):
        ledger.suspend_benefit(case_id, WORKER, occurred_on="2024-04-01", from_month="2024-05",
                               reason="x")  # fmt: skip
    with refused(ledger, "role_not_allowed", Forbidden, aggregate_id=case_id):
        ledger.report_change(case_id, APPROVER, occurred_on="2024-04-01", description="x")


def test_a_caseworker_token_without_a_street_may_do_nothing(ledger: Ledger) -> None:
    with refused(ledger, "street_missing", Forbidden):
        ledger.submit_application(application(), NO_STREET)


def test_the_internal_processes_role_is_not_a_token_role() -> None:
    assert access.SYSTEM not in access.TOKEN_ROLES
    assert all(r.roles == {access.SYSTEM} for r in access.WRITES.values()
               if r.family == "reactions")  # fmt: skip
    with pytest.raises(Forbidden):
        access.check_write("apply_standard_change", Actor("admin-1", "admin"), None)


def test_a_save_without_its_rule_checked_is_refused(ledger: Ledger) -> None:
    case_id = ledger.submit_application(application(), WORKER).id
    walk_to_active(ledger, case_id)
    version = ledger.get_case(case_id).version

    def act() -> AssistanceCase:
        case = ledger.get_case(case_id)
        case.report_change(WORKER.as_dict(), "2024-03-02", "x", "")
        return case

    with pytest.raises(RuntimeError, match="access rule"):
        ledger.execute(act, actor=WORKER)  # not inside a Ledger command
    with running("report_change"), pytest.raises(RuntimeError, match="access rule"):
        ledger.execute(act, actor=WORKER)  # inside one, but the street was never checked
    assert ledger.get_case(case_id).version == version
