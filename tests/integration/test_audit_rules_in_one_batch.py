"""A03 and A14 remember what a batch read (a household's cases, an account's cases) for the
whole transaction, and a submission in the middle of the batch changes what they remember
rather than dropping it. Here a scenario's submission comes in the batch after the one that
recorded what the rule reads, and the matches are those of the live runner and of a rebuild
with one event a transaction (nothing remembered).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from audit_support import ACCOUNT, PROCEDURE, found, legacy_confirm, member, steps
from builders import APPROVER, WORKER, application, new_id_number, walk_to_active

from api.container import Container
from api.demo.district import settlement_file
from domain.ledger import Ledger
from projections.audit.rule import matches
from projections.registry import all_projections
from projections.runner import ProjectionRunner


def rebuilt(container: Container, rule: str, since: int | None) -> list[dict[str, Any]]:
    """The rule's matches rebuilt: up to `since` in one batch and the rest in another, or
    (None) with a transaction for each event, where nothing is remembered from one event to
    the next and each reads what the one before wrote."""
    name = f"audit_{rule.lower()}"
    chosen = [p for p in all_projections() if p.name in (name, "bed_conversions")]
    size = 1 if since is None else 500
    runner = ProjectionRunner(container.ledger, container.db, chosen, batch_size=size)
    assert runner.batched  # the shared path, with the rule's prefetch
    runner.reset()
    if since is not None:
        runner.run_once(processes=False, until=since)
        assert container.ledger.latest_position() - since < size  # the rest: one batch
    runner.run_once(processes=False)
    assert runner.failed == {}
    return summary(container, rule)


def same_in_any_batches(container: Container, rule: str, since: int) -> None:
    live = summary(container, rule)
    container.runner.stop()  # the rebuilds below write the same tables
    assert rebuilt(container, rule, since) == live
    assert rebuilt(container, rule, None) == live


def summary(container: Container, rule: str) -> list[dict[str, Any]]:
    keys = ("finding_id", "summary", "evidence", "matched", "raised_position", "case_id")
    return [{k: r[k] for k in keys} for r in matches(container.db, rule)]


def pending_run(ledger: Ledger, programme: str, month: str) -> Any:
    run = ledger.start_payroll_run(programme, month, APPROVER, date.fromisoformat(f"{month}-20"))
    ledger.approve_payroll_run(run.id, APPROVER, f"{month}-21")
    return run.id


def settle(ledger: Ledger, run: Any, month: str) -> None:
    payouts = ledger.get_run(run).payouts
    ledger.record_settlement(run, settlement_file(payouts, None), APPROVER, f"{month}-25")


def test_a03_a_case_submitted_after_its_households_months_were_read_is_one_of_them(
    ledger: Ledger, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = new_id_number()
    dibao = ledger.submit_application(
        application(members=[member(person)], payee_account=ACCOUNT), WORKER
    ).id
    walk_to_active(ledger, dibao)  # paid from 2024-04
    since = ledger.latest_position()
    april = pending_run(ledger, "DIBAO", "2024-04")  # scheduled, not settled
    # The same person in a TEKUN case, submitted after the DIBAO payouts of April, as the
    # old system's import recorded it (the write side refuses a second exclusive case).
    with monkeypatch.context() as patch:
        patch.setattr(ledger, "refuse_deceased_or_enrolled", lambda *_: None)
        tekun = ledger.submit_application(
            application(programme="TEKUN", members=[member(person)], payee_account=ACCOUNT),
            WORKER,
        ).id
    steps(ledger, tekun, *PROCEDURE)
    legacy_confirm(ledger, tekun, on="2024-03-15")  # the write side refuses a second one
    settle(ledger, pending_run(ledger, "TEKUN", "2024-04"), "2024-04")  # the DIBAO not yet
    settle(ledger, april, "2024-04")  # now the DIBAO's: both cases paid for April

    [match] = found(container, "A03")
    assert match["case_id"] == str(dibao)
    assert f"paid both to this case and to case {tekun}" in match["summary"]
    # Rebuilt with the DIBAO's members on record before the batch that holds the rest.
    same_in_any_batches(container, "A03", since)


def test_a14_a_case_submitted_after_the_accounts_were_read_is_counted_on_its_account(
    ledger: Ledger, container: Container
) -> None:
    def active(account: str) -> Any:
        body = application(members=[member(new_id_number())], payee_account=account)
        case_id = ledger.submit_application(body, WORKER).id
        walk_to_active(ledger, case_id)
        return case_id

    first = active(ACCOUNT)
    active("622202000000000777")
    settle(ledger, pending_run(ledger, "DIBAO", "2024-04"), "2024-04")  # one household each
    since = ledger.latest_position()
    late = active(ACCOUNT)  # another household, on the first's account, submitted now
    settle(ledger, pending_run(ledger, "DIBAO", "2024-05"), "2024-05")

    [match] = found(container, "A14")
    assert match["summary"] == "one bank account received payouts for 2 households (2 cases)"
    assert match["case_id"] in (str(first), str(late))
    # Rebuilt with the accounts of April on record before the batch that holds the rest.
    same_in_any_batches(container, "A14", since)
