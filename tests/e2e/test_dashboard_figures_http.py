"""The figures the dashboard reads, on the small demo district over real HTTP: a street narrows
them and the streets add up to the district; a street-bound caller cannot ask another street;
months add up to their year; the overdue counts equal the lists behind them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from conftest import client_for, serving
from http_helpers import graphql

from api.container import Container, build
from api.demo.district import DemoDistrict
from api.demo.names import STREETS
from api.settings import Settings
from tests.conftest import BACKENDS, _drop_postgres_database, _fresh_postgres_database

pytestmark = pytest.mark.e2e

#: KPI figures of records that each have one street: the streets' add up to the district's.
ADDITIVE = [
    "dibaoHouseholdsConfirmed", "tekunPeopleConfirmed", "casesInPaymentAtYearEnd",
    "payoutsSettled", "payoutsSettledFen", "temporaryAmountFen", "institutions",
    "institutionalBeds", "bedsConverted", "organizationsRegistered", "villagesPlanned",
    "villagesCompleted",
]  # fmt: skip
KPIS = "query($s: String) { supervisionKpis(year: 2023, street: $s) { %s bedsConversionTarget } }"
DEADLINES = ("investigation", "decision", "case", "review")


@pytest.fixture(scope="module", params=BACKENDS)
def demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, int, Settings]]:
    """One small demo district per backend for the whole module: these tests only read."""
    folder = tmp_path_factory.mktemp("dashboard")
    admin, name = "", ""
    if request.param == "sqlite":
        url = f"sqlite:///{folder}/ledger.sqlite3"
    else:
        admin = request.getfixturevalue("pg_admin_url")
        name, url = _fresh_postgres_database(admin)
    settings = Settings(
        database_url=url, poll_interval=0.05, load_demo_when_empty=False,
        min_position_timeout=5.0, signing_key_file=folder / "dev-signing-key", clock=False,
    )  # fmt: skip
    container: Container = build(settings)
    container.runner.start()
    DemoDistrict(container.ledger).load(households=10)
    try:
        with serving(container) as base:
            yield base, container.ledger.latest_position(), settings
    finally:
        container.close()
        if name:
            _drop_postgres_database(admin, name)


def _errors(client: httpx.Client, query: str, **variables: Any) -> list[dict[str, Any]]:
    body = client.post("/graphql", json={"query": query, "variables": variables}).json()
    return list(body.get("errors") or [])


def test_a_street_narrows_the_figures_and_the_streets_add_up(
    demo: tuple[str, int, Settings],
) -> None:
    base, head, settings = demo
    query = KPIS % " ".join(ADDITIVE)
    with client_for(base, settings, "supervisor", "supervisor-1") as district:
        whole = graphql(district, query, head)["supervisionKpis"]
        streets = {s: graphql(district, query, s=s)["supervisionKpis"] for s in STREETS}
    for figure in ADDITIVE:
        assert sum(k[figure] for k in streets.values()) == whole[figure], figure
    assert whole["dibaoHouseholdsConfirmed"] > 0 and whole["payoutsSettledFen"] > 0
    assert {k["bedsConversionTarget"] for k in streets.values()} == {whole["bedsConversionTarget"]}

    street, other = "五星街道", "新闸街道"
    with client_for(base, settings, "supervisor", "s-1", street=street) as bound:
        assert graphql(bound, query)["supervisionKpis"] == streets[street]  # its own, unasked
        assert graphql(bound, query, s=street)["supervisionKpis"] == streets[street]
        [refused] = _errors(bound, query, s=other)
        assert refused["extensions"] == {"code": "FORBIDDEN", "rule": "street_scope"}
        assert other not in refused["message"] or street in refused["message"]
    with client_for(base, settings, "supervisor", "supervisor-1") as district:
        assert graphql(district, query, s="")["supervisionKpis"] == whole  # "" = district
        [bad] = _errors(district, query, s="街道\n" * 20)
        assert bad["extensions"] == {"code": "invalid_input", "field": "street"}


def test_months_add_up_to_their_year_for_the_district_and_a_street(
    demo: tuple[str, int, Settings],
) -> None:
    base, head, settings = demo
    stats = """query($s: String, $g: [String!]) {
        temporaryAssistanceStats(year: 2023, groupBy: $g, street: $s) {
          month type street amountFen households } }"""
    payouts = """query($y: Int) { payouts(filter: {year: $y}) { totalCount }
        payoutTotals(groupBy: ["month", "programme"], filter: {year: $y}) { month payouts } }"""
    with client_for(base, settings, "supervisor", "supervisor-1") as client:
        [year] = graphql(client, stats, head, g=[])["temporaryAssistanceStats"]
        months = graphql(client, stats, g=["month", "type"])["temporaryAssistanceStats"]
        assert sum(r["amountFen"] for r in months) == year["amountFen"] > 0
        assert {r["month"][:5] for r in months} == {"2023-"} and len(
            {r["month"] for r in months}
        ) > 1
        assert {r["type"] for r in months} <= {"EMERGENCY", "EXPENDITURE"}
        by_street = graphql(client, stats, g=["street"])["temporaryAssistanceStats"]
        street = by_street[0]["street"]
        [one] = graphql(client, stats, s=street, g=[])["temporaryAssistanceStats"]
        assert one["amountFen"] == by_street[0]["amountFen"]
        narrowed = graphql(client, stats, s=street, g=["month"])["temporaryAssistanceStats"]
        assert sum(r["amountFen"] for r in narrowed) == one["amountFen"]

        paid = graphql(client, payouts, y=2023)
        assert paid["payouts"]["totalCount"] == sum(r["payouts"] for r in paid["payoutTotals"]) > 0
        assert {r["month"][:5] for r in paid["payoutTotals"]} == {"2023-"}
        everything = graphql(client, payouts, y=None)["payouts"]["totalCount"]
        later = graphql(client, payouts, y=2024)["payouts"]["totalCount"]
        assert paid["payouts"]["totalCount"] + later <= everything
        [bad] = _errors(client, payouts, y=23)
        assert bad["extensions"] == {"code": "invalid_input", "field": "year"}


def test_overdue_counts_equal_the_lists_behind_them(
    demo: tuple[str, int, Settings],
) -> None:
    base, head, settings = demo
    summary = """query($s: String) {
        overdueSummary(street: $s) { deadline cases open completedLate } }"""
    cases = """query($d: String, $s: String, $now: Boolean) {
        cases(filter: {overdueDeadline: $d, street: $s, overdueNow: $now}, first: 1) {
          totalCount } }"""
    street = "新闸街道"
    with client_for(base, settings, "supervisor", "supervisor-1") as district:
        rows = graphql(district, summary, head)["overdueSummary"]
        whole = {r["deadline"]: r["cases"] for r in rows}
        assert list(whole) == list(DEADLINES) and sum(whole.values()) > 0
        for row in rows:
            deadline = row["deadline"]
            assert row["open"] + row["completedLate"] == row["cases"], deadline
            listed = graphql(district, cases, d=deadline)["cases"]["totalCount"]
            assert listed == row["cases"], deadline
            now = graphql(district, cases, d=deadline, now=True)["cases"]["totalCount"]
            late = graphql(district, cases, d=deadline, now=False)["cases"]["totalCount"]
            assert (now, late) == (row["open"], row["completedLate"]), deadline
        # both parts occur in the demo: the split is not all on one side
        assert sum(r["open"] for r in rows) > 0 and sum(r["completedLate"] for r in rows) > 0
        [bad] = _errors(district, cases, d="payment")
        assert bad["extensions"]["code"] == "invalid_input"
    with client_for(base, settings, "caseworker", "worker-1", street=street) as worker:
        own = graphql(worker, summary)["overdueSummary"]
        for row in own:
            deadline, count = row["deadline"], row["cases"]
            assert graphql(worker, cases, d=deadline)["cases"]["totalCount"] == count, deadline
            now = graphql(worker, cases, d=deadline, now=True)["cases"]["totalCount"]
            assert now == row["open"], deadline
            assert count <= whole[deadline]
        [refused] = _errors(worker, summary, s="五星街道")
        assert refused["extensions"]["rule"] == "street_scope"


def test_organisation_figures_of_a_year_equal_the_lists_as_of_its_end(
    demo: tuple[str, int, Settings],
) -> None:
    """The panel's year-end snapshot and the list behind each figure (`asOf`) agree, for a
    past year as for this one; without `asOf` the list is today's."""
    base, head, settings = demo
    stats = """query($y: Int) { organizationStats(year: $y) {
        asOf registered byGrade { grade organizations } } }"""
    listed = """query($f: OrganizationFilter) { organizations(filter: $f, first: 1) {
        totalCount } }"""
    with client_for(base, settings, "supervisor", "supervisor-1") as district:
        for year in (2023, 2024):
            figures = graphql(district, stats, head, y=year)["organizationStats"]
            day = figures["asOf"]
            total = graphql(district, listed, f={"asOf": day})["organizations"]["totalCount"]
            assert total == figures["registered"] > 0, year
            for row in figures["byGrade"]:
                f = {"asOf": day, "grade": row["grade"]}
                count = graphql(district, listed, f=f)["organizations"]["totalCount"]
                assert count == row["organizations"], (year, row["grade"])
        [bad] = _errors(district, listed, f={"asOf": "2024-13-01"})
        assert bad["message"]
