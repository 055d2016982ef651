"""The purpose of a read in full, what a request's disclosure records, and the document check."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import pytest
import strawberry
from graphql import parse

from api.graphql.access import AccessRecord, asks_personal
from api.graphql.permissions import Masked, Redacted, masked
from api.graphql.schema import schema as ledger_schema
from api.permissions import (
    Disclosure,
    Personal,
    PurposeInvalid,
    PurposeRequired,
    Subject,
    operator,
    purpose_from,
)
from domain.shared.values import Actor

WORKER = Actor("worker-1", "caseworker", "新闸街道")
SUPERVISOR = Actor("sup-1", "supervisor", None)
CASE = Subject(case_id="C1")


@pytest.mark.parametrize(
    "raw, reason",
    [("", "blank"), ("  \t ", "blank"), ("\u3000", "blank"), ("x" * 201, "at most 200"),
     ("a\tb", "control"), ("a\x00b", "control"), ("a\u2028b", "control"),
     ("\xff\xfe".encode("latin-1").decode("latin-1"), "UTF-8")],
)  # fmt: skip
def test_a_purpose_is_a_short_reason_of_text(raw: str, reason: str) -> None:
    with pytest.raises(PurposeInvalid) as refused:
        purpose_from(raw)
    assert refused.value.field == "X-Purpose" and reason in refused.value.message
    assert refused.value.status == 400 and refused.value.code == "PURPOSE_INVALID"


def test_a_purpose_is_trimmed_and_read_as_utf8_from_a_header() -> None:
    assert purpose_from(None) is None
    assert purpose_from("  family visit \n") == "family visit"
    assert purpose_from("x" * 200) == "x" * 200
    as_header = "核对低保资格".encode().decode("latin-1")  # how Starlette hands it over
    assert purpose_from(as_header) == "核对低保资格"
    assert purpose_from("核对低保资格") == "核对低保资格"  # already text
    assert purpose_from("café visit", "--purpose") == "café visit"  # the CLI's is text


def test_a_read_in_full_needs_a_purpose_and_is_remembered_per_subject() -> None:
    with pytest.raises(PurposeRequired):
        Disclosure(WORKER).show("张三", Personal.NAME, CASE)
    shows = Disclosure(WORKER, "visit")
    assert shows.show("张三", Personal.NAME, CASE) == "张三"
    assert shows.show(None, Personal.ID_NUMBER, CASE) is None  # nothing shown, nothing noted
    assert shows.redact({"personal": {"bank_account": "62220001", "name": None}}, CASE)
    other = Subject(person_id="P2", case_id="T1")
    shows.show("13812345678", Personal.PHONE, other)
    assert shows.reads == {
        CASE: {Personal.NAME, Personal.BANK_ACCOUNT},
        other: {Personal.PHONE},
    }


def test_a_masked_read_needs_no_purpose_and_is_not_remembered() -> None:
    shows = Disclosure(SUPERVISOR)
    assert shows.show("张三", Personal.NAME, CASE) == "张*"
    assert shows.redact({"personal": {"name": "张三"}}, CASE) == {"personal": {"name": "张*"}}
    assert shows.reads == {}


def test_event_data_without_personal_values_needs_no_purpose() -> None:
    shows = Disclosure(WORKER)
    assert shows.redact({"status": "x", "personal": {"name": None}}, CASE)
    assert shows.reads == {}


def test_the_console_operator_reads_in_full_only_through_the_cli_role() -> None:
    ops = operator("ops-1")
    assert (ops.role, "pii" in ops.grants) == ("operator", True)
    assert Disclosure(ops, "audit").show("张三", Personal.NAME, CASE) == "张三"
    without_grant = Actor("ops-1", "operator", None)
    assert Disclosure(without_grant, "audit").show("张三", Personal.NAME, CASE) == "张*"
    with pytest.raises(ValueError):
        operator(" ")


# -- the document check, on the ledger's own schema ------------------------------------------

GRAPHQL = ledger_schema._schema


@pytest.mark.parametrize(
    "query, personal",
    [("{ case(id: 1) { status } }", False),
     ("{ case(id: 1) { applicantName } }", True),
     ("{ cases { edges { node { id applicantIdNumber } } } }", True),
     ("{ caseHistory(id: 1) { version type } }", False),
     ("{ caseHistory(id: 1) { data } }", True),
     ("{ payouts { edges { node { payeeAccount } } } }", True),
     ("{ deathNotifications { personId status } }", False),
     ("{ ...F } fragment F on Query { temporaryCase(id: 1) { applicantName } }", True),
     ("{ case(id: 1) { ... on Case { applicantName } } }", True),
     ("{ personalDataAccess { edges { node { personId purpose } } } }", False),
     ("{ __typename projectionStatus { name } }", False)],
)  # fmt: skip
def test_the_document_check_finds_personal_fields_wherever_they_are_asked(
    query: str, personal: bool
) -> None:
    assert asks_personal(GRAPHQL, parse(query), None) is personal


def test_the_document_check_looks_at_the_operation_that_runs() -> None:
    doc = parse("query A { case(id: 1) { applicantName } } query B { case(id: 1) { status } }")
    assert asks_personal(GRAPHQL, doc, "A") and not asks_personal(GRAPHQL, doc, "B")


def test_every_type_with_personal_fields_says_whose_they_are() -> None:
    found = []
    for definition in ledger_schema.schema_converter.type_map.values():
        cls = getattr(definition.definition, "origin", None)
        for field in getattr(definition.definition, "fields", []):
            if any(isinstance(e, Masked | Redacted) for e in field.extensions):
                found.append(cls.__name__)
                assert callable(getattr(cls, "personal_subject", None)), cls
    assert {"Case", "TemporaryCase", "Payout", "DeathNotificationView", "HistoryEvent"} <= set(
        found
    )


# -- the extension, through a small schema without HTTP -------------------------------------


@dataclass
class Ctx:
    actor: Actor | None
    disclosure: Disclosure
    container: Any = None
    response: Any = None


@strawberry.type
class Person:
    name: str | None = masked(Personal.NAME)
    age: int = 40

    def personal_subject(self) -> Subject:
        return Subject(person_id="P1")


@strawberry.type
class Query:
    @strawberry.field
    def person(self) -> Person:
        return Person(name="张三")


SMALL = strawberry.Schema(query=Query, extensions=[AccessRecord])


def test_without_a_purpose_the_whole_answer_is_refused_with_no_data() -> None:
    ctx = Ctx(WORKER, Disclosure(WORKER))
    result = asyncio.run(SMALL.execute("{ person { age name } }", context_value=ctx))
    assert result.data is None
    assert [e.extensions for e in result.errors or []] == [
        {"code": "PURPOSE_REQUIRED", "field": "X-Purpose"}
    ]
    plain = asyncio.run(SMALL.execute("{ person { age } }", context_value=ctx))
    assert plain.errors is None and plain.data == {"person": {"age": 40}}
