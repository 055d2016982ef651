"""Who sees personal data, and how it is masked: one module, checked without I/O."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date
from uuid import UUID

import pytest
import strawberry

from api.graphql.permissions import Redacted, masked
from api.permissions import (
    PERSONAL_DATA_ROLES,
    Disclosure,
    Personal,
    Subject,
    may_see_personal_data,
    redacted,
    shown,
)
from domain.shared.values import Actor

ID_NUMBER = "32040419900101123X"
ACCOUNT = "6222020000000001234"
PHONE = "13812345678"
MASKED = {
    Personal.NAME: ("张三丰", "张**"),
    Personal.ID_NUMBER: (ID_NUMBER, "320404********123X"),
    Personal.BANK_ACCOUNT: (ACCOUNT, "***************1234"),
    Personal.PHONE: (PHONE, "138****5678"),
}


def actor(role: str) -> Actor:
    return Actor("user-1", role, "新闸街道")


@pytest.mark.parametrize("role", ["caseworker", "approver"])
def test_caseworkers_and_approvers_see_personal_data(role: str) -> None:
    assert may_see_personal_data(actor(role))
    for kind, (value, _) in MASKED.items():
        assert shown(value, kind, actor(role)) == value


@pytest.mark.parametrize("role", ["auditor", "integrator"])
def test_auditors_and_integrators_see_personal_data_only_with_the_pii_grant(role: str) -> None:
    granted = Actor("user-1", role, None, grants=frozenset({"pii"}))
    assert may_see_personal_data(granted) and not may_see_personal_data(actor(role))
    for kind, (value, mask) in MASKED.items():
        assert (shown(value, kind, granted), shown(value, kind, actor(role))) == (value, mask)


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_supervisors_and_admins_see_masks_even_with_the_pii_grant(role: str) -> None:
    granted = Actor("user-1", role, None, grants=frozenset({"pii"}))
    for who in (actor(role), granted):
        assert not may_see_personal_data(who)
        for kind, (value, mask) in MASKED.items():
            assert shown(value, kind, who) == mask


def test_a_caller_without_an_actor_sees_masks() -> None:
    assert not may_see_personal_data(None)
    assert shown("张三丰", Personal.NAME, None) == "张**"


def test_only_caseworkers_and_approvers_see_personal_data_by_role_alone() -> None:
    assert {"caseworker", "approver"} == PERSONAL_DATA_ROLES


def test_absent_personal_data_stays_absent_when_masked() -> None:
    assert shown(None, Personal.NAME, actor("supervisor")) is None


def test_a_short_bank_account_is_starred_whole() -> None:
    assert shown("1234", Personal.BANK_ACCOUNT, actor("supervisor")) == "****"


def test_a_phone_number_keeps_its_first_three_and_last_four_digits() -> None:
    assert shown("13812345678", Personal.PHONE, actor("supervisor")) == "138****5678"
    assert shown("0519-8888", Personal.PHONE, actor("supervisor")) == "051**8888"
    assert shown("1234567", Personal.PHONE, actor("supervisor")) == "*******"


def test_event_data_masks_every_personal_block_for_a_supervisor() -> None:
    data = {
        "members": [{"person_id": "P1", "personal": {"name": "李四", "id_number": ID_NUMBER}}],
        "payee": {"person_id": "P1", "personal": {"bank_account": ACCOUNT, "note": "x"}},
        "case": UUID(int=1),
        "on": date(2024, 3, 1),
    }
    out = redacted(data, actor("supervisor"))
    assert out["members"][0]["personal"] == {"name": "李*", "id_number": "320404********123X"}
    assert out["payee"]["personal"] == {"bank_account": "***************1234"}  # unknown: left out
    assert out["members"][0]["person_id"] == "P1"
    assert out["case"] == str(UUID(int=1)) and out["on"] == "2024-03-01"


def test_event_data_is_whole_for_a_caseworker() -> None:
    data = {"personal": {"name": "李四", "id_number": ID_NUMBER}}
    assert redacted(data, actor("caseworker")) == data


# -- the GraphQL field extensions, through an in-process schema -----------------------------


@dataclass
class FakeContext:
    actor: Actor | None
    disclosure: Disclosure


@strawberry.type
class Person:
    name: str | None = masked(Personal.NAME)
    id_number: str | None = masked(Personal.ID_NUMBER)
    account: str | None = masked(Personal.BANK_ACCOUNT)
    data: strawberry.scalars.JSON = strawberry.field(extensions=[Redacted()])

    def personal_subject(self) -> Subject:
        return Subject(person_id="P1")


@strawberry.type
class Query:
    @strawberry.field
    def person(self) -> Person:
        return Person(
            name="张三丰", id_number=ID_NUMBER, account=ACCOUNT,
            data={"personal": {"name": "张三丰"}},
        )  # fmt: skip


SCHEMA = strawberry.Schema(query=Query)
PERSON = "{ person { name idNumber account data } }"


def ask(role: str | None, purpose: str | None = "checking") -> dict[str, object]:
    who = actor(role) if role else None
    context = FakeContext(who, Disclosure(who, purpose))
    result = asyncio.run(SCHEMA.execute(PERSON, context_value=context))
    assert result.errors is None and result.data is not None
    return dict(result.data["person"])


def test_masked_fields_show_values_in_full_to_a_caseworker() -> None:
    assert ask("caseworker") == {
        "name": "张三丰", "idNumber": ID_NUMBER, "account": ACCOUNT,
        "data": {"personal": {"name": "张三丰"}},
    }  # fmt: skip


@pytest.mark.parametrize("role", ["supervisor", "integrator", "auditor", "admin", None])
def test_masked_fields_show_masks_to_other_roles(role: str | None) -> None:
    assert ask(role) == {
        "name": "张**", "idNumber": "320404********123X", "account": "***************1234",
        "data": {"personal": {"name": "张**"}},
    }  # fmt: skip
