"""The vocabularies and limits are defined once: the domain and the request bodies agree."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

import api.auth
from api.rest.bodies import GradualExit, PayeeChange, SubmitApplication, Supplement, Termination
from api.rest.calendar_bodies import HolidayNotice
from api.rest.deaths import DeathReport
from api.rest.organization_bodies import Grade, Inspection, RegisterOrganization
from api.rest.payroll import Reissue, StartRun
from api.rest.temporary_bodies import RequestHelp
from domain.assistance.rules import MAX_GRADUAL_EXIT_MONTHS
from domain.shared.holiday_calendar import FIRST_YEAR, LAST_YEAR
from domain.shared.values import (
    BANK_ACCOUNT_MAX_DIGITS,
    BANK_ACCOUNT_MIN_DIGITS,
    MONTH_RE,
    is_bank_account,
)
from domain.shared.vocabulary import (
    CHANNELS,
    PROGRAMMES,
    TERMINATION_REASONS,
    Channel,
    Programme,
)

ROOT = Path(__file__).resolve().parents[3]
DAY = {"occurred_on": "2024-03-01"}
ID_NUMBER = "11010519491231002X"

#: One valid body per request model that takes a vocabulary, and the fields that do.
BODIES: list[tuple[type[BaseModel], dict[str, Any], list[str]]] = [
    (
        SubmitApplication,
        {**DAY, "programme": "TEKUN", "street": "s", "community": "c", "channel": "proxy",
         "members": [{"name": "n", "id_number": ID_NUMBER, "relation": "self"}]},
        ["programme", "channel"],
    ),
    (StartRun, {"programme": "DIBAO", "month": "2024-05"}, ["programme"]),
    (Supplement, {"person_id": "P-1", "kind": "elderly"}, ["kind"]),
    (Termination, {**DAY, "reason_code": "fraud", "reason": "r", "effective_month": "2024-04"},
     ["reason_code"]),
    (RequestHelp, {**DAY, "type": "EMERGENCY", "street": "s", "community": "c", "incident": "i",
                   "members": [{"name": "n", "id_number": ID_NUMBER, "relation": "self"}]},
     ["type"]),
    (RegisterOrganization, {**DAY, "name": "n", "type": "FOUNDATION", "street": "s"}, ["type"]),
    (Inspection, {**DAY, "year": 2023, "result": "basic_pass"}, ["result"]),
    (Grade, {**DAY, "grade": "5A", "decision_ref": "ref"}, ["grade"]),
    (DeathReport, {**DAY, "name": "n", "id_number": ID_NUMBER, "date_of_death": "2024-02-01",
                   "source": "police"}, ["source"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("model", "body", "fields"), BODIES, ids=lambda x: getattr(x, "__name__", "")
)
def test_a_body_hands_the_domain_plain_strings(
    model: type[BaseModel], body: dict[str, Any], fields: list[str]
) -> None:
    data = model.model_validate(body).model_dump(mode="json")
    for name in fields:
        assert type(data[name]) is str and data[name] == body[name]


def test_the_domain_tuples_are_the_enums_values() -> None:
    assert PROGRAMMES == ("DIBAO", "DIBAO_EDGE", "HARDSHIP", "TEKUN")
    assert CHANNELS == ("counter", "online", "proxy")
    assert "gradual_exit_ended" in TERMINATION_REASONS
    assert ", ".join(PROGRAMMES) == "DIBAO, DIBAO_EDGE, HARDSHIP, TEKUN"  # error messages
    assert SubmitApplication.model_fields["programme"].annotation is Programme
    assert SubmitApplication.model_fields["channel"].default is Channel.COUNTER


def test_the_gradual_exit_limit_is_the_domains() -> None:
    body = {**DAY, "from_month": "2024-05", "reason": "r"}
    GradualExit.model_validate({**body, "months": MAX_GRADUAL_EXIT_MONTHS})
    with pytest.raises(ValidationError) as refused:
        GradualExit.model_validate({**body, "months": MAX_GRADUAL_EXIT_MONTHS + 1})
    assert refused.value.errors()[0]["loc"] == ("months",)


@pytest.mark.parametrize(
    "account",
    ["1" * (BANK_ACCOUNT_MIN_DIGITS - 1), "1" * (BANK_ACCOUNT_MAX_DIGITS + 1), "62220200000x0001"],
)
def test_a_bank_account_the_domain_refuses_the_bodies_refuse_too(account: str) -> None:
    assert not is_bank_account(account)
    for model, body in [
        (PayeeChange, {**DAY, "person_id": "P-1", "payee_account": account}),
        (Reissue, {**DAY, "reason": "r", "payee_account": account}),
    ]:
        with pytest.raises(ValidationError) as refused:
            model.model_validate(body)
        assert refused.value.errors()[0]["loc"] == ("payee_account",)


@pytest.mark.parametrize("digits", [BANK_ACCOUNT_MIN_DIGITS, BANK_ACCOUNT_MAX_DIGITS])
def test_a_bank_account_at_either_limit_is_taken_by_both(digits: int) -> None:
    account = "6" * digits
    assert is_bank_account(account)
    assert PayeeChange.model_validate({**DAY, "person_id": "P-1", "payee_account": account})


def test_the_month_pattern_and_the_calendar_years_are_the_domains() -> None:
    month = GradualExit.model_json_schema()["properties"]["from_month"]
    assert month["pattern"] == MONTH_RE.pattern
    year = HolidayNotice.model_json_schema()["properties"]["year"]
    assert (year["minimum"], year["maximum"]) == (FIRST_YEAR, LAST_YEAR)


def test_json_is_defined_once() -> None:
    """`Json` lives in domain/shared/values.py; every other module imports it."""
    defining = []
    for package in ["domain", "projections", "api"]:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.parse(path.read_text(encoding="utf-8")).body:
                targets = node.targets if isinstance(node, ast.Assign) else []
                if any(isinstance(t, ast.Name) and t.id == "Json" for t in targets):
                    defining.append(str(path.relative_to(ROOT)))
    assert defining == ["domain/shared/values.py"]


def test_personal_data_rules_are_imported_from_permissions_only() -> None:
    assert not hasattr(api.auth, "may_see_personal_data")
    assert not hasattr(api.auth, "PERSONAL_DATA_ROLES")
