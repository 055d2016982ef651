"""The case's steps are typed Ledger methods: no dispatch by name, one method per step, and
the same request fingerprints as before (an Idempotency-Key stored earlier still replays)."""

from __future__ import annotations

import inspect
from typing import Any
from uuid import UUID

from builders import (
    APPROVER,
    CASE_STEPS,
    PROCEDURE,
    WORKER,
    application,
    case_step,
    walk_to_active,
)
from helpers import refused

from api.rest.cases import CASE_COMMANDS
from domain.ledger import IdempotencyRecord, Ledger
from domain.shared.errors import InvalidInput


def stored_fingerprint(ledger: Ledger, key: str, actor_user: str = WORKER.user) -> str:
    record: object = ledger.repository.get(IdempotencyRecord.create_id(actor_user, key))
    assert isinstance(record, IdempotencyRecord)
    return record.fingerprint


def active_case(ledger: Ledger) -> UUID:
    case_id = ledger.submit_application(application(), WORKER).id
    walk_to_active(ledger, case_id)
    return case_id


def test_no_case_command_runs_by_name(ledger: Ledger) -> None:
    assert not hasattr(ledger, "change_case")
    handlers = [n for n in dir(ledger) if n.startswith("_case_") and n != "_case_step"]
    assert handlers == []  # the `_case_<command>` handlers the by-name dispatch looked up
    assert all(callable(c.run) and c.run.__qualname__.count(".") == 1 for c in CASE_COMMANDS)


def test_every_case_step_is_defined_once_across_the_ledger() -> None:
    for run in CASE_STEPS.values():
        owners = [k.__name__ for k in Ledger.__mro__ if run.__name__ in vars(k)]
        assert len(owners) == 1, (run.__name__, owners)


def test_every_route_body_gives_exactly_the_keyword_arguments_of_its_method() -> None:
    for command in CASE_COMMANDS:
        fields = set(command.body.model_fields) - {"id_number"}  # turned into person_id
        parameters = inspect.signature(command.run).parameters.values()
        keywords = {p.name for p in parameters if p.kind is p.KEYWORD_ONLY}
        required = {p.name for p in parameters if p.kind is p.KEYWORD_ONLY and p.default is p.empty}
        assert required <= fields <= keywords, command.path


def test_a_key_used_for_a_case_step_keeps_its_fingerprint(ledger: Ledger) -> None:
    case_id = ledger.submit_application(application(), WORKER).id
    ledger.accept_application(case_id, WORKER, occurred_on="2024-03-01", idempotency_key="k-a")

    expected = ledger.fingerprint("accept", str(case_id), {"occurred_on": "2024-03-01"})
    assert stored_fingerprint(ledger, "k-a") == expected


def test_a_retried_warning_resolution_answers_as_recorded(ledger: Ledger) -> None:
    case_id = active_case(ledger)
    ledger.raise_warning(case_id, WORKER, occurred_on="2024-05-02", kind="hospitalisation",
                         detail="住院")  # fmt: skip
    (warning,) = ledger.get_case(case_id).open_warnings
    resolution: dict[str, Any] = {"occurred_on": "2024-05-03", "warning_id": warning,
                                  "resolution": "出院"}  # fmt: skip
    first = ledger.resolve_warning(case_id, WORKER, **resolution, idempotency_key="k-r")
    again = ledger.resolve_warning(case_id, WORKER, **resolution, idempotency_key="k-r")

    assert (again.id, again.version) == (first.id, first.version)
    assert stored_fingerprint(ledger, "k-r") == ledger.fingerprint(
        "resolve_warning", str(case_id), resolution
    )
    with refused(ledger, "idempotency_key_reused", InvalidInput, aggregate_id=case_id):
        ledger.resolve_warning(
            case_id, WORKER, **{**resolution, "resolution": "另"}, idempotency_key="k-r"
        )


def test_a_confirmation_by_key_is_fingerprinted_as_confirm(ledger: Ledger) -> None:
    case_id = ledger.submit_application(application(), WORKER).id
    for command, payload in PROCEDURE:
        case_step(ledger, case_id, command, payload, WORKER)
    ledger.confirm_eligibility(case_id, APPROVER, occurred_on="2024-03-14", idempotency_key="k-c")

    assert stored_fingerprint(ledger, "k-c", APPROVER.user) == ledger.fingerprint(
        "confirm", str(case_id), {"occurred_on": "2024-03-14"}
    )
    assert ledger.get_case(case_id).status == "active"


def test_a_request_fingerprint_is_keyed_so_its_id_numbers_cannot_be_tried(ledger: Ledger) -> None:
    """An unkeyed hash of a submission could be matched by trying the ID numbers a mask leaves
    open; the stored fingerprint is an HMAC with the person key, unlike a plain SHA-256."""
    import hashlib
    import json

    body = application()
    ledger.submit_application(body, WORKER, idempotency_key="k-submit")
    stored = stored_fingerprint(ledger, "k-submit")
    for command in ("submit", "submit_application"):
        plain = json.dumps([command, "", body], sort_keys=True, default=str)
        assert stored != hashlib.sha256(plain.encode()).hexdigest()
    assert len(stored) == 64 and set(stored) <= set("0123456789abcdef")
