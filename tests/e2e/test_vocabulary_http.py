"""Over real HTTP: /openapi.json lists each vocabulary once, as the domain defines it."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import httpx
import pytest
from builders import application
from http_helpers import graphql, problem

from domain.assistance.rules import MAX_GRADUAL_EXIT_MONTHS
from domain.shared.values import BANK_ACCOUNT_PATTERN
from domain.shared.vocabulary import (
    Channel,
    DeathSource,
    InspectionResult,
    OrganizationGrade,
    OrganizationType,
    Programme,
    SupplementKind,
    TemporaryAssistanceType,
    TerminationReason,
)

pytestmark = pytest.mark.e2e

#: (request body, field, its vocabulary); two bodies share a class name with the care ones
FIELDS: list[tuple[str, str, type[StrEnum]]] = [
    ("SubmitApplication", "programme", Programme),
    ("SubmitApplication", "channel", Channel),
    ("StartRun", "programme", Programme),
    ("Supplement", "kind", SupplementKind),
    ("Termination", "reason_code", TerminationReason),
    ("RequestHelp", "type", TemporaryAssistanceType),
    ("RegisterOrganization", "type", OrganizationType),
    ("api__rest__organization_bodies__Inspection", "result", InspectionResult),
    ("api__rest__organization_bodies__Grade", "grade", OrganizationGrade),
    ("DeathReport", "source", DeathSource),
]


def _property(spec: dict[str, Any], body: str, field: str) -> dict[str, Any]:
    prop: dict[str, Any] = spec["components"]["schemas"][body]["properties"][field]
    return prop


def _referenced(spec: dict[str, Any], prop: dict[str, Any]) -> dict[str, Any]:
    """The schema a property names by $ref (directly or inside anyOf), or the property itself."""
    for candidate in [prop, *prop.get("anyOf", []), *prop.get("allOf", [])]:
        if "$ref" in candidate:
            name = candidate["$ref"].rsplit("/", 1)[1]
            schema: dict[str, Any] = spec["components"]["schemas"][name]
            return schema
    return prop


def test_openapi_names_each_vocabulary_once_with_the_domain_values(
    anonymous: httpx.Client,
) -> None:
    response = anonymous.get("/openapi.json")
    assert response.status_code == 200, response.text
    spec = response.json()
    for body, field, vocabulary in FIELDS:
        prop = _property(spec, body, field)
        assert "$ref" in prop or any("$ref" in p for p in prop.get("allOf", [])), (body, field)
        schema = _referenced(spec, prop)
        assert schema["enum"] == [v.value for v in vocabulary], (body, field)
    assert _property(spec, "SubmitApplication", "channel")["default"] == "counter"


def test_openapi_states_the_domain_limits(anonymous: httpx.Client) -> None:
    spec = anonymous.get("/openapi.json").json()
    months = _property(spec, "GradualExit", "months")
    assert months["maximum"] == MAX_GRADUAL_EXIT_MONTHS
    for body in ["SubmitApplication", "PayeeChange", "Reissue"]:
        prop = _property(spec, body, "payee_account")
        patterns = [p.get("pattern") for p in [prop, *prop.get("anyOf", [])]]
        assert BANK_ACCOUNT_PATTERN in patterns, body


def test_a_value_outside_a_vocabulary_is_refused_naming_the_field(worker: httpx.Client) -> None:
    for field, value in [("programme", "WELFARE"), ("channel", "fax")]:
        refused = worker.post("/api/v1/cases", json=application(**{field: value}))
        assert problem(refused, 422)["errors"][0]["field"] == field


def test_an_enum_value_is_recorded_and_read_back_as_its_plain_string(
    worker: httpx.Client,
) -> None:
    submitted = worker.post("/api/v1/cases", json=application(programme="TEKUN", channel="proxy"))
    assert submitted.status_code == 201, submitted.text
    answer = submitted.json()
    query = "query($id: ID!) { case(id: $id) { programme channel } }"
    case = graphql(worker, query, answer["position"], id=answer["id"])["case"]
    assert case == {"programme": "TEKUN", "channel": "proxy"}
