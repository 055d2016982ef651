"""GraphQL over real HTTP: masking per role, paging, timelines in one query, error codes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from builders import application, new_id_number
from conftest import client_for
from http_helpers import PURPOSE, graphql, ok, post
from test_http import submit, to_noticed
from test_temporary_http import help_request

from api.container import Container
from api.settings import Settings

pytestmark = pytest.mark.e2e

ACCOUNT = "6222020000000001234"
SEE = ("caseworker", "approver", "auditor+pii")
MASKED = ("supervisor", "integrator", "auditor", "admin")
#: The parts of PERSONAL_QUERY each role may read at all (a caseworker its street's cases and
#: temporary cases; the admin and the integrator none of them: see "Who may do what").
READS = {"caseworker": {"case", "temporaryCase", "caseHistory"}, "admin": set(),
         "integrator": set()}  # fmt: skip
ALL_PARTS = {"case", "temporaryCase", "deathNotifications", "payouts", "caseHistory"}


@pytest.fixture
def clients(server: str, settings: Settings) -> Iterator[dict[str, httpx.Client]]:
    """One client per role, and an auditor with the `pii` grant ("auditor+pii")."""
    made = {role: client_for(server, settings, role, f"{role}-1") for role in SEE + MASKED
            if "+" not in role}  # fmt: skip
    made["auditor+pii"] = client_for(server, settings, "auditor", "auditor-2", grants=("pii",))
    yield made
    for c in made.values():
        c.close()


def ask(client: httpx.Client, query: str, **variables: Any) -> dict[str, Any]:
    """POST a query and return the whole answer, errors included."""
    r = client.post("/graphql", json={"query": query, "variables": variables})
    assert r.status_code == 200, r.text
    return dict(r.json())


class Statements:
    """Every SQL statement the views answer with (the real database; only listened to)."""

    def __init__(self, container: Container, monkeypatch: pytest.MonkeyPatch):
        self.sql: list[str] = []
        real = container.db.query

        def query(sql: str, params: Any = ()) -> list[dict[str, Any]]:
            self.sql.append(sql)
            return real(sql, params)

        monkeypatch.setattr(container.db, "query", query)

    def on(self, table: str, start: str = "SELECT") -> list[str]:
        return [s for s in self.sql if s.startswith(start) and f"FROM {table} " in s + " "]


PERSONAL_PARTS = {
    "case": ("$case: ID!", "case(id: $case) { applicantName applicantIdNumber }"),
    "temporaryCase": ("$temp: ID!", "temporaryCase(id: $temp) { applicantName applicantIdNumber }"),
    "deathNotifications": ("", "deathNotifications { name idNumber }"),
    "payouts": ("$run: ID!", "payouts(filter: {runId: $run}) { edges { node { payeeAccount } } }"),
    "caseHistory": ("$case: ID!", "caseHistory(id: $case) { type data }"),
}


def personal_query(parts: set[str]) -> str:
    """PERSONAL_QUERY with only the parts a role may read."""
    chosen = [PERSONAL_PARTS[p] for p in PERSONAL_PARTS if p in parts]
    variables = ", ".join(dict.fromkeys(v for v, _ in chosen if v))
    return f"query({variables}) {{ {' '.join(f for _, f in chosen)} }}"


def test_personal_data_is_shown_or_masked_by_role_in_every_field(
    clients: dict[str, httpx.Client],
) -> None:
    worker, approver = clients["caseworker"], clients["approver"]
    body = application(payee_account=ACCOUNT)
    name, id_number = body["members"][0]["name"], body["members"][0]["id_number"]
    case_id = to_noticed(worker, body)
    ok(post(approver, f"/api/v1/cases/{case_id}/confirm", {"occurred_on": "2024-03-14"}))
    temporary = help_request()
    temp_id = ok(post(worker, "/api/v1/temporary-cases", temporary), 201)["id"]
    dead = new_id_number()
    death = {"name": "测试丙", "id_number": dead, "date_of_death": "2024-05-10",
             "source": "crematorium", "occurred_on": "2024-05-11"}  # fmt: skip
    ok(post(worker, "/api/v1/death-notifications", death), 201)
    month = {"programme": "DIBAO", "month": "2024-04"}
    run = ok(post(approver, "/api/v1/payroll-runs", month), 201)
    ids = {"case": case_id, "temp": temp_id, "run": run["id"]}

    graphql(worker, "{ projectionStatus { name } }", run["position"])  # the views caught up
    applicant = temporary["members"][0]
    shown = {
        "case": {"applicantName": name, "applicantIdNumber": id_number},
        "temporaryCase": {"applicantName": applicant["name"],
                          "applicantIdNumber": applicant["id_number"]},
        "deathNotifications": {"name": "测试丙", "idNumber": dead},
        "payouts": ACCOUNT,
    }  # fmt: skip
    masked = {
        "case": {"applicantName": "测**",
                 "applicantIdNumber": id_number[:6] + "*" * 8 + id_number[-4:]},
        "temporaryCase": {"applicantName": "测**", "applicantIdNumber": applicant["id_number"][:6]
                          + "*" * 8 + applicant["id_number"][-4:]},
        "deathNotifications": {"name": "测**", "idNumber": dead[:6] + "*" * 8 + dead[-4:]},
        "payouts": "*" * 15 + ACCOUNT[-4:],
    }  # fmt: skip
    for role in SEE + MASKED:
        parts = READS.get(role, ALL_PARTS)
        if not parts:
            continue
        variables = {k: v for k, v in ids.items() if f"${k}:" in personal_query(parts)}
        purpose = PURPOSE if role in SEE else None  # a masked read needs none
        data = graphql(clients[role], personal_query(parts), purpose=purpose, **variables)
        answer = {"deathNotifications": (data.get("deathNotifications") or [None])[0],
                  "payouts": data["payouts"]["edges"][0]["node"]["payeeAccount"]
                  if "payouts" in data else None,
                  "case": data.get("case"), "temporaryCase": data.get("temporaryCase")}  # fmt: skip
        expected = shown if role in SEE else masked
        for part in parts - {"caseHistory"}:
            assert answer[part] == expected[part], (role, part)
        submitted = data["caseHistory"][0]["data"]
        if role in SEE:
            assert submitted["members"][0]["personal"]["id_number"] == id_number, role
            assert submitted["payee"]["personal"]["bank_account"] == ACCOUNT, role
        else:
            assert submitted["members"][0]["personal"]["name"] == "测**", role
            assert submitted["payee"]["personal"]["bank_account"] == "*" * 15 + "1234", role


PAGE = """query($after: String) { cases(first: 2, after: $after) { %s
  edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }"""


@pytest.mark.parametrize("total", [True, False], ids=["with-totalCount", "without-totalCount"])
def test_paging_across_pages_counts_only_when_asked(
    clients: dict[str, httpx.Client],
    container: Container,
    monkeypatch: pytest.MonkeyPatch,
    total: bool,
) -> None:
    worker, supervisor = clients["caseworker"], clients["supervisor"]
    made = [submit(worker) for _ in range(3)]
    graphql(worker, "{ projectionStatus { name } }", made[-1]["position"])
    statements = Statements(container, monkeypatch)

    query = PAGE % ("totalCount" if total else "")
    first = graphql(supervisor, query)["cases"]
    rest = graphql(supervisor, query, after=first["pageInfo"]["endCursor"])["cases"]

    assert first["pageInfo"]["hasNextPage"] is True and len(first["edges"]) == 2
    assert first["pageInfo"]["endCursor"] == first["edges"][-1]["cursor"]
    assert rest["pageInfo"]["hasNextPage"] is False and len(rest["edges"]) == 1
    seen = [e["node"]["id"] for e in first["edges"] + rest["edges"]]
    assert sorted(seen) == sorted(m["id"] for m in made)
    counts = statements.on("case_summary", "SELECT COUNT(*)")
    if total:
        assert first["totalCount"] == rest["totalCount"] == 3
        assert len(counts) == 2
    else:
        assert counts == []


def test_the_timelines_of_a_page_of_cases_come_in_one_query(
    clients: dict[str, httpx.Client], container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    worker, supervisor = clients["caseworker"], clients["supervisor"]
    noticed = to_noticed(worker, application())
    made = [submit(worker)["id"] for _ in range(3)]
    last = ok(post(worker, f"/api/v1/cases/{made[-1]}/accept", {"occurred_on": "2024-03-01"}))
    graphql(worker, "{ projectionStatus { name } }", last["position"])
    statements = Statements(container, monkeypatch)

    page = graphql(
        supervisor, "{ cases(first: 10) { edges { node { id timeline { version eventType } } } } }"
    )["cases"]["edges"]
    timelines = {e["node"]["id"]: e["node"]["timeline"] for e in page}
    assert [t["version"] for t in timelines[noticed]] == list(range(1, 8))
    assert [t["eventType"] for t in timelines[made[0]]] == ["ApplicationSubmitted"]
    assert [t["eventType"] for t in timelines[made[-1]]] == [
        "ApplicationSubmitted", "ApplicationAccepted"
    ]  # fmt: skip
    assert len(statements.on("case_timeline")) == 1


AS_OF = """query($id: ID!, $version: Int) { caseAsOf(id: $id, version: $version) { status
  notice { postedFrom postedTo closedOn objections }
  assessment { assessedOn eligible reasons totalFen irregularIncome parameters { name } } } }"""


def test_case_as_of_gives_the_notice_and_assessment_as_typed_fields(
    clients: dict[str, httpx.Client],
) -> None:
    worker = clients["caseworker"]
    case_id = to_noticed(worker, application())
    state = graphql(worker, AS_OF, id=case_id, version=7)["caseAsOf"]
    assert state["notice"] == {"postedFrom": "2024-03-07", "postedTo": "2024-03-13",
                               "closedOn": "2024-03-13", "objections": []}  # fmt: skip
    assessment = state["assessment"]
    assert assessment["assessedOn"] == "2024-03-06" and assessment["eligible"] is True
    assert assessment["totalFen"] == 108000 - 20000 and assessment["reasons"] == []
    assert "dibao.standard" in {p["name"] for p in assessment["parameters"]}
    before = graphql(worker, AS_OF, id=case_id, version=2)["caseAsOf"]
    assert before["notice"] is None and before["assessment"] is None


HISTORY = "query($id: ID!) { caseHistory(id: $id) { version } }"
AS_OF_VERSION = "query($id: ID!, $v: Int) { caseAsOf(id: $id, version: $v) { version } }"
AS_OF_AT = "query($id: ID!, $at: DateTime) { caseAsOf(id: $id, at: $at) { version } }"
UNKNOWN = "00000000-0000-0000-0000-000000000000"


@pytest.mark.parametrize(
    ("query", "variables", "code", "field"),
    [
        (HISTORY, {"id": "not-a-case"}, "invalid_input", "id"),
        (HISTORY, {"id": UNKNOWN}, "not_found", "id"),
        (AS_OF_VERSION, {"id": "not-a-case", "v": 1}, "invalid_input", "id"),
        (AS_OF_VERSION, {"id": UNKNOWN, "v": 1}, "not_found", "id"),
        (AS_OF_AT, {"id": UNKNOWN, "at": "2024-03-01T12:00:00+08:00"}, "not_found", "id"),
        (AS_OF_VERSION, {"id": UNKNOWN}, "invalid_input", "version"),
        (AS_OF_VERSION, {"id": UNKNOWN, "v": 0}, "invalid_input", "version"),
        ('{ cases(after: "%%%") { edges { cursor } } }', {}, "invalid_input", "after"),
    ],
    ids=[
        "history-bad-id",
        "history-unknown",
        "as-of-bad-id",
        "as-of-unknown",
        "as-of-unknown-at",
        "as-of-no-version",
        "as-of-version-0",
        "bad-cursor",
    ],
)
def test_expected_failures_carry_a_code_and_the_field(
    clients: dict[str, httpx.Client], query: str, variables: dict[str, Any], code: str, field: str
) -> None:
    body = ask(clients["supervisor"], query, **variables)
    assert body["data"] is None or all(v is None for v in body["data"].values())
    [error] = body["errors"]
    assert error["extensions"] == {"code": code, "field": field}, error
    assert error["message"]


def test_a_case_of_another_kind_is_not_found_as_of_a_version(
    clients: dict[str, httpx.Client],
) -> None:
    worker = clients["caseworker"]
    temp_id = ok(post(worker, "/api/v1/temporary-cases", help_request()), 201)["id"]
    [error] = ask(worker, AS_OF_VERSION, id=temp_id, v=1)["errors"]
    assert error["extensions"]["code"] == "not_found"
