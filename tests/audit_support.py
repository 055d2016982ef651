"""What the audit-rule tests share: legacy events saved past the commands, and the matches.

Many defects the rules look for are refused by the commands today; the rules exist for data
recorded before those checks, migrated from the old system or recorded by a bug. `legacy`
records such an event with the event-sourcing library directly, as that data would be.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from builders import APPROVER, PROCEDURE, WORKER, application, case_step, new_id_number

from api.container import Container
from domain.ledger import Ledger
from domain.shared.values import Actor, Json, add_months
from projections.audit.rule import matches
from projections.store import Row

#: Who the old system's records name (an import of the bureau's own data).
MIGRATED = Actor("legacy-import", "admin", "钟楼区民政局").as_dict()
ACCOUNT = "622202000000000001"


def legacy(ledger: Ledger, aggregate_id: UUID, event: str, **fields: Any) -> int:
    """Record `event` on the aggregate without its command's checks; answer its position."""
    aggregate = ledger.repository.get(aggregate_id)
    fields.setdefault("actor", MIGRATED)
    aggregate.trigger_event(getattr(type(aggregate), event), **fields)
    recordings = ledger.save(aggregate)
    ledger.saved()
    return int(recordings[-1].notification.id)


def legacy_confirm(
    ledger: Ledger, case_id: UUID, on: str = "2024-03-14", approver: str = APPROVER.user,
    first_paid_month: str | None = None,
) -> int:  # fmt: skip
    """A confirmation as the old system recorded it: whatever the procedure held."""
    month = first_paid_month or add_months(on[:7], 1)
    return legacy(
        ledger, case_id, "EligibilityConfirmed", occurred_on=on, approver=approver,
        monthly_amount_fen=108_000, first_paid_month=month, parameters={},
        next_review_due=f"{int(on[:4]) + 1}{on[4:8]}01",
    )  # fmt: skip


def submitted(ledger: Ledger, **overrides: Any) -> UUID:
    return ledger.submit_application(application(**overrides), WORKER).id


def steps(ledger: Ledger, case_id: UUID, *chosen: tuple[str, Json]) -> None:
    for command, payload in chosen:
        case_step(ledger, case_id, command, payload)


def member(id_number: str) -> dict[str, Any]:
    return {"name": "测试戊", "id_number": id_number, "relation": "self", "counted": True}


def two_cases(ledger: Ledger) -> tuple[UUID, UUID]:
    """A DIBAO case made active, and a TEKUN case for the same person up to its decision.

    Both are submitted before either is confirmed: the write side lets that through and
    refuses only the second confirmation (it is recorded as legacy data where needed).
    """
    person = new_id_number()
    dibao = ledger.submit_application(
        application(members=[member(person)], payee_account=ACCOUNT), WORKER
    ).id
    tekun = ledger.submit_application(
        application(programme="TEKUN", members=[member(person)], payee_account=ACCOUNT), WORKER
    ).id
    steps(ledger, dibao, *PROCEDURE)
    ledger.confirm_eligibility(dibao, APPROVER, occurred_on="2024-03-14")
    steps(ledger, tekun, *PROCEDURE)
    return dibao, tekun


def terminate(ledger: Ledger, case: UUID, month: str) -> int:
    return ledger.terminate_benefit(
        case, APPROVER, occurred_on="2024-05-06", reason_code="voluntary",
        reason="申请人自愿退出", effective_month=month,
    ).position  # fmt: skip


def found(container: Container, rule: str) -> list[Row]:
    """The rule's current matches once the runner has caught up with the ledger."""
    container.runner.run_once()
    return matches(container.db, rule, matched=True)


def everything(container: Container, rule: str) -> list[Row]:
    container.runner.run_once()
    return [
        {k: r[k] for k in ("finding_id", "summary", "evidence", "matched", "raised_position",
                           "resolved_position", "case_id", "street", "severity")}
        for r in matches(container.db, rule)
    ]  # fmt: skip


def rebuilt(container: Container, rule: str) -> list[Row]:
    """The rule's matches after the runner's reset and a run from the first event."""
    name = f"audit_{rule.lower()}"
    container.runner.run_once()
    container.runner.reset([name])
    return everything(container, rule)
