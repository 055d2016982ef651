"""Histories for the audit-rule tests: an active case, its payroll months, a late death."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from builders import APPROVER, WORKER, application, new_id_number, walk_to_active

from api.container import Container
from api.demo.district import settlement_file
from domain.ledger import Ledger
from domain.payroll.payout import Payout, payout_id
from domain.payroll.run import run_id
from projections.views import audit_findings


def member(id_number: str) -> dict[str, Any]:
    return {"name": "测试戊", "id_number": id_number, "relation": "self", "counted": True}


def active_case(ledger: Ledger, *id_numbers: str) -> UUID:
    people = id_numbers or (new_id_number(),)
    body = application(members=[member(n) for n in people], payee_account="622202000000000001")
    case_id = ledger.submit_application(body, WORKER).id
    walk_to_active(ledger, case_id)
    return case_id


def paid(ledger: Ledger, *months: str) -> None:
    """Run, approve and settle the DIBAO payroll of each month (every payout settled)."""
    for month in months:
        run = ledger.start_payroll_run("DIBAO", month, APPROVER, date(2024, 7, 20))
        ledger.approve_payroll_run(run.id, APPROVER, f"{month}-21")
        pending = {k: v for k, v in ledger.get_run(run.id).payouts.items()}
        ledger.record_settlement(run.id, settlement_file(pending, None), APPROVER, f"{month}-25")


def died(ledger: Ledger, id_number: str, on: str, verified_on: str) -> UUID:
    report = {"name": "测试戊", "id_number": id_number, "date_of_death": on,
              "source": "hospital", "occurred_on": verified_on}  # fmt: skip
    key = ledger.report_death(report, WORKER).id
    ledger.verify_death(key, APPROVER, occurred_on=verified_on, evidence="死亡医学证明")
    return key


def findings(container: Container, rule: str) -> list[dict[str, Any]]:
    """The findings of a rule once the views and the audit process have caught up."""
    container.runner.run_once()
    found = audit_findings.matching(container.db, {"rule": rule}).page(None, 100)
    return sorted(found, key=lambda r: r["match_key"])


def payout_key(case_id: UUID, month: str) -> str:
    return str(payout_id(case_id, month))


def legacy_payout(ledger: Ledger, case_id: UUID, month: str) -> UUID:
    """Legacy data: a payout saved with the library directly, as one scheduled before the
    write side refused it (a payroll run now skips the month), so the rule still meets it."""
    case = ledger.get_case(case_id)
    payout = Payout(
        case_id, month, "DIBAO", case.street, 88000, case.payee or {}, 0,
        run_id(ledger.district, "DIBAO", month), {"user": "legacy-import", "role": "system"},
        f"{month}-20",
    )  # fmt: skip
    ledger.save(payout)
    return payout.id
