"""Builders shared by the tests: valid applications and the procedure up to confirmation."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from domain.ledger import CommandResult, Ledger
from domain.shared import access
from domain.shared.identity import make_id_number
from domain.shared.pseudonyms import DEV_PSEUDONYMS
from domain.shared.values import Actor

PARAMETERS = [
    ("dibao.standard", 108000, "2023-07-01"),
    ("dibao.standard", 111000, "2024-07-01"),
    ("tekun.standard", 144300, "2023-01-01"),
    ("dibao_edge.multiple_permille", 1500, "2023-01-01"),
    ("hardship.multiple_permille", 2000, "2023-01-01"),
    ("assets.deposit_months", 24, "2023-01-01"),
    ("assets.max_real_estate_units", 1, "2023-01-01"),
    ("supplement.elderly", 10000, "2023-01-01"),
]
WORKER = Actor("worker-1", "caseworker", "新闸街道")
APPROVER = Actor("approver-1", "approver", "钟楼区民政局")
DISTRICT_ADMIN = Actor("admin-district", "admin", "钟楼区民政局")


def actor_for(command: Callable[..., Any], street: str = "新闸街道") -> Actor:
    """Who runs this Ledger command in a test that is not about access: a caseworker of the
    street when casework allows one, else the approver, else the admin (the matrix test, not
    this helper, checks the table itself)."""
    roles = access.WRITES[command.__name__].roles
    if "caseworker" in roles:
        return WORKER if street == WORKER.unit else Actor(f"worker-{street}", "caseworker", street)
    return APPROVER if "approver" in roles else DISTRICT_ADMIN


#: Person ids as the test ledgers make them (the public development person key).
person_id_for = DEV_PSEUDONYMS.person_id


_sequence = iter(range(1, 10**6))


def new_id_number() -> str:
    n = next(_sequence)
    return make_id_number("320404", date(1950 + n % 50, 1 + n % 12, 1 + n % 28), n % 1000)


def application(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "programme": "DIBAO",
        "street": "新闸街道",
        "community": "庆丰社区",
        "channel": "counter",
        "kin_of_staff": False,
        "occurred_on": "2024-03-01",
        "members": [
            {"name": "测试甲", "id_number": new_id_number(), "relation": "self", "counted": True}
        ],
    }
    body.update(overrides)
    return body


#: The Ledger's typed case commands under the case's own command names, so that test bodies
#: can list steps as data (a test helper only: the domain and the API call the methods).
CASE_STEPS: dict[str, Callable[..., CommandResult]] = {
    "accept": Ledger.accept_application,
    "complete_economic_check": Ledger.complete_case_economic_check,
    "conduct_home_visit": Ledger.record_case_home_visit,
    "record_assessment": Ledger.assess_household,
    "post_public_notice": Ledger.post_public_notice,
    "close_public_notice": Ledger.close_public_notice,
    "extend_processing": Ledger.extend_processing,
    "confirm": Ledger.confirm_eligibility,
    "deny": Ledger.deny_eligibility,
    "report_change": Ledger.report_change,
    "complete_review": Ledger.complete_review,
    "adjust": Ledger.adjust_benefit,
    "suspend": Ledger.suspend_benefit,
    "resume": Ledger.resume_benefit,
    "start_gradual_exit": Ledger.start_gradual_exit,
    "raise_warning": Ledger.raise_warning,
    "resolve_warning": Ledger.resolve_warning,
    "terminate": Ledger.terminate_benefit,
    "change_payee": Ledger.change_payee,
}


def case_step(
    ledger: Ledger,
    case_id: uuid.UUID,
    command: str,
    payload: dict[str, Any],
    actor: Actor | None = None,
    *,
    expected_version: int | None = None,
    idempotency_key: str | None = None,
) -> CommandResult:
    """Run the case command of that name with the payload as its keyword arguments (by
    default as whoever the access rules let run it on the case's street)."""
    run = CASE_STEPS[command]
    if actor is None:
        actor = actor_for(run, ledger.get_case(case_id).street)
    return run(
        ledger, case_id, actor, **payload,
        expected_version=expected_version, idempotency_key=idempotency_key,
    )  # fmt: skip


#: The procedure from acceptance to confirmation, as (command, payload) steps.
PROCEDURE: list[tuple[str, dict[str, Any]]] = [
    ("accept", {"occurred_on": "2024-03-01"}),
    (
        "complete_economic_check",
        {
            "occurred_on": "2024-03-04",
            "incomes": [],
            "property": {},
            "public_servant_match": False,
            "data_source": "核对平台",
        },
    ),
    (
        "conduct_home_visit",
        {
            "occurred_on": "2024-03-05",
            "investigators": ["inv-a", "inv-b"],
            "district_level": False,
            "findings": "as declared",
        },
    ),
    ("record_assessment", {"occurred_on": "2024-03-06"}),
    (
        "post_public_notice",
        {"occurred_on": "2024-03-06", "posted_from": "2024-03-07", "posted_to": "2024-03-13"},
    ),
    ("close_public_notice", {"occurred_on": "2024-03-13", "objections": []}),
]


def walk_to_active(ledger: Ledger, case_id: uuid.UUID) -> None:
    for command, payload in PROCEDURE:
        case_step(ledger, case_id, command, payload)
    ledger.confirm_eligibility(case_id, APPROVER, occurred_on="2024-03-14")
