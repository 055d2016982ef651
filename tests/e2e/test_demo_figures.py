"""The demo district's 2023 history gives the seed figures back through GraphQL, exactly.

The district is this test's own copy of the session's loaded demo (`demo_container`,
tests/demo_support.py), loaded with the runner on as this test used to load it itself."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import client_for, serving
from http_helpers import graphql

from api.container import Container
from api.settings import Settings

pytestmark = pytest.mark.e2e


@pytest.fixture
def demo_server(demo_container: Container) -> Iterator[tuple[str, Container]]:
    demo_container.runner.start()
    with serving(demo_container) as base:
        yield base, demo_container


def test_the_2023_seed_figures_come_back_from_graphql(
    demo_server: tuple[str, Container], settings: Settings
) -> None:
    base, container = demo_server
    head = container.ledger.latest_position()
    with client_for(base, settings, "supervisor", "supervisor-1") as client:
        data = graphql(
            client,
            """{ cases(filter: {programme: "DIBAO", confirmedIn: 2023}) { totalCount }
                 temporaryAssistanceStats(year: 2023) { households people amountFen }
                 supervisionKpis(year: 2023) { dibaoHouseholdsConfirmed temporaryHouseholds
                   temporaryPeople temporaryAmountFen nursingBedShare institutionsGradedPercent
                   caregiversCertifiedPercent organizationsRegistered organizationsGradedPercent
                   villagesPlanned } }""",
            head,
        )
        runs = [
            graphql(
                client,
                'query($m: String!) { payrollRun(programme: "DIBAO", month: $m) { status } }',
                m=f"2023-{month:02d}",
            )["payrollRun"]
            for month in range(1, 13)
        ]
    assert data["cases"]["totalCount"] == 16
    assert data["temporaryAssistanceStats"] == [
        {"households": 261, "people": 536, "amountFen": 52_510_000}
    ]
    assert runs == [{"status": "reconciled"}] * 12
    kpis = data["supervisionKpis"]
    assert kpis.pop("organizationsGradedPercent") == 46.92  # 137 of 292, two decimals
    assert kpis == {
        "dibaoHouseholdsConfirmed": 16,
        "temporaryHouseholds": 261,
        "temporaryPeople": 536,
        "temporaryAmountFen": 52_510_000,
        "nursingBedShare": 94.71,
        "institutionsGradedPercent": 100.0,
        "caregiversCertifiedPercent": 92.0,
        "organizationsRegistered": 292,
        "villagesPlanned": 4,
    }


#: List-heavy answers of the demo, the benchmark's among them (bench/graphql.py).
LISTS = """{ caseload(groupBy: ["programme", "street", "status"]) { programme street status
    cases people monthlyAmountFen }
  payoutTotals(groupBy: ["month", "street"]) { month street payouts amountFen settledFen
    recoveredFen }
  cases(first: 50) { edges { cursor node { id status street applicantName applicantIdNumber
    monthlyAmountFen timeline { position version eventType occurredOn } } }
    pageInfo { hasNextPage endCursor } }
  auditFindings(first: 50) { edges { node { id rule street status severity } } }
  temporaryAssistanceStats(year: 2023, groupBy: ["street"]) { street households people }
  bedStats(groupBy: ["street"]) { street institutions }
  deathNotifications { status name idNumber }
  payouts(first: 20) { edges { node { id month payeeAccount amountFen } } } }"""


@pytest.mark.parametrize("role", ["supervisor", "approver"])
def test_plain_rows_answer_as_graphql_core_does_on_the_demo(
    demo_server: tuple[str, Container], settings: Settings, role: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """api/graphql/plain_rows.py completes plain lists in one pass: on the demo's lists, for a
    role that sees personal data masked and one that sees it in full, the answer is the one
    graphql-core's own path gives, field for field."""
    from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

    from api.graphql.schema import schema

    base, container = demo_server
    head = container.ledger.latest_position()
    with client_for(base, settings, role, f"{role}-1") as client:
        plain = graphql(client, LISTS, head, purpose="plain rows test")
        monkeypatch.setattr(
            schema, "execution_context_class", StrawberryGraphQLCoreExecutionContext
        )
        core = graphql(client, LISTS, head, purpose="plain rows test")
    assert len(plain["caseload"]) > 3 and len(plain["payoutTotals"]) > 12
    assert plain == core
