"""Personal data over real HTTP: a purpose for every read in full, and its durable record."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from conftest import client_for
from http_helpers import graphql, ok, post, problem
from test_graphql_http import Statements
from test_http import submit
from test_temporary_http import help_request

from api.container import Container
from api.settings import Settings
from projections.store import Database

pytestmark = pytest.mark.e2e

PERSONAL = """query($case: ID!, $temp: ID!) {
  case(id: $case) { status applicantName applicantIdNumber }
  temporaryCase(id: $temp) { status applicantName } }"""
PLAIN = "query($case: ID!) { case(id: $case) { status householdSize } }"
PURPOSE = "核对低保资格：复核家庭成员"
RECORD = """query($filter: PersonalDataAccessFilter, $first: Int, $after: String) {
  personalDataAccess(filter: $filter, first: $first, after: $after) { totalCount
    edges { node { id recordedAt user role personId caseId fields purpose requestId via } }
    pageInfo { hasNextPage endCursor } } }"""


@pytest.fixture
def clients(server: str, settings: Settings) -> Iterator[dict[str, httpx.Client]]:
    made = {
        role: client_for(server, settings, role, f"{role}-1")
        for role in ("caseworker", "approver", "supervisor", "auditor", "integrator", "admin")
    }
    made["auditor+pii"] = client_for(server, settings, "auditor", "auditor-2", grants=("pii",))
    yield made
    for c in made.values():
        c.close()


@pytest.fixture
def ids(clients: dict[str, httpx.Client]) -> dict[str, str]:
    """A DIBAO case and a temporary case, in the views."""
    worker = clients["caseworker"]
    case = submit(worker)
    temp = ok(post(worker, "/api/v1/temporary-cases", help_request()), 201)
    graphql(worker, "{ projectionStatus { name } }", temp["position"])
    return {"case": case["id"], "temp": temp["id"]}


def ask(
    client: httpx.Client, query: str, purpose: str | bytes | None = None, **variables: Any
) -> httpx.Response:
    headers = {} if purpose is None else {"X-Purpose": purpose}
    return client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)


def records(db: Database) -> list[dict[str, Any]]:
    return db.query("SELECT * FROM personal_data_access ORDER BY seq")


def test_a_read_in_full_without_a_purpose_is_refused_before_anything_is_read(
    clients: dict[str, httpx.Client], ids: dict[str, str], container: Container,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    statements = Statements(container, monkeypatch)
    for role in ("caseworker", "approver", "auditor+pii"):
        r = ask(clients[role], PERSONAL, **ids)
        assert r.status_code == 400, r.text
        body = r.json()
        assert body["data"] is None
        assert [e["extensions"] for e in body["errors"]] == [
            {"code": "PURPOSE_REQUIRED", "field": "X-Purpose"}
        ]
    assert statements.on("case_summary") == [] and statements.on("temporary_case") == []
    assert records(container.db) == []


@pytest.mark.parametrize(
    "purpose, reason",
    [("", "blank"), ("\u3000\u3000".encode(), "blank"), ("x" * 201, "at most 200"),
     ("check\tcase", "control characters"), ("核\u0085对".encode(), "control characters")],
    ids=["empty", "blank", "too-long", "tab", "next-line"],
)  # fmt: skip
def test_a_purpose_that_is_no_short_reason_is_a_problem_naming_the_header(
    clients: dict[str, httpx.Client], ids: dict[str, str], container: Container,
    purpose: str | bytes, reason: str,
) -> None:  # fmt: skip
    for role in ("caseworker", "supervisor"):  # whatever the role and the query
        for query in (PERSONAL, PLAIN):
            found = problem(ask(clients[role], query, purpose, **ids), 400)
            assert found["field"] == "X-Purpose" and found["code"] == "PURPOSE_INVALID"
            assert reason in found["detail"]
    assert records(container.db) == []


def test_each_read_in_full_is_recorded_once_per_subject_with_its_fields(
    clients: dict[str, httpx.Client], ids: dict[str, str], container: Container,
) -> None:  # fmt: skip
    worker = clients["caseworker"]
    headers = {"X-Purpose": PURPOSE.encode(), "X-Request-ID": "req-0001"}
    r = worker.post("/graphql", json={"query": PERSONAL, "variables": ids}, headers=headers)
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert data["case"]["applicantName"] == "测试甲"  # in full
    rows = records(container.db)
    temp_person = container.db.scalar(
        "SELECT applicant_person_id FROM temporary_case WHERE case_id = %s", (ids["temp"],)
    )
    assert {(r["case_id"], r["person_id"], r["fields"]) for r in rows} == {
        (ids["case"], None, '["id_number", "name"]'),
        (ids["temp"], temp_person, '["name"]'),
    }
    for row in rows:
        assert (row["user_id"], row["role"], row["purpose"]) == (
            "caseworker-1",
            "caseworker",
            PURPOSE,
        )
        assert (row["request_id"], row["via"]) == ("req-0001", "graphql")
    assert len({row["recorded_at"] for row in rows}) == 1  # one transaction, one time

    exact = "x" * 200  # the longest purpose, and over GET as well as POST
    query = {"query": PLAIN.replace("status", "applicantName"),
             "variables": f'{{"case": "{ids["case"]}"}}'}  # fmt: skip
    got = worker.get("/graphql", params=query, headers={"X-Purpose": exact})
    assert got.status_code == 200 and got.json()["data"]["case"]["applicantName"] == "测试甲"
    last = records(container.db)[-1]
    assert (last["case_id"], last["fields"], last["purpose"]) == (ids["case"], '["name"]', exact)


def test_masked_reads_need_no_purpose_and_are_not_recorded(
    clients: dict[str, httpx.Client], ids: dict[str, str], container: Container,
) -> None:  # fmt: skip
    for role in ("supervisor", "auditor"):  # the admin and integrator read no cases at all
        data = graphql(clients[role], PERSONAL, **ids)  # no purpose
        assert data["case"]["applicantName"] == "测**", role
        assert data["temporaryCase"]["applicantName"].endswith("*"), role
    with_purpose = graphql(clients["supervisor"], PERSONAL, purpose="just looking", **ids)
    assert with_purpose["case"]["applicantName"] == "测**"  # a purpose unmasks nothing
    for role in ("caseworker", "approver"):  # no personal field: no purpose, no record
        assert graphql(clients[role], PLAIN, case=ids["case"])["case"]["status"]
    assert records(container.db) == []


def test_an_auditor_reads_in_full_only_with_the_pii_grant(
    clients: dict[str, httpx.Client], ids: dict[str, str], container: Container,
) -> None:  # fmt: skip
    plain = graphql(clients["auditor"], PERSONAL, purpose="annual audit", **ids)
    assert plain["case"]["applicantName"] == "测**"
    assert records(container.db) == []
    granted = graphql(clients["auditor+pii"], PERSONAL, purpose="annual audit", **ids)
    assert granted["case"]["applicantName"] == "测试甲"
    rows = records(container.db)
    assert {(r["user_id"], r["role"], r["purpose"]) for r in rows} == {
        ("auditor-2", "auditor", "annual audit")
    }
    assert len(rows) == 2  # the case and the temporary case


def refuse_inserts(db: Database) -> None:
    """Make the database itself refuse the record (a trigger), as a full disk or a revoked
    grant would."""
    with db.transaction() as tx:
        if db.dialect == "sqlite":
            tx.execute(
                "CREATE TRIGGER refuse_access BEFORE INSERT ON personal_data_access "
                "BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
        else:
            tx.execute(
                "CREATE FUNCTION refuse_access() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'refused'; END $$"
            )
            tx.execute(
                "CREATE TRIGGER refuse_access BEFORE INSERT ON personal_data_access "
                "FOR EACH ROW EXECUTE FUNCTION refuse_access()"
            )


def test_a_read_that_cannot_be_recorded_is_not_answered(
    clients: dict[str, httpx.Client], ids: dict[str, str], container: Container,
) -> None:  # fmt: skip
    refuse_inserts(container.db)
    r = ask(clients["caseworker"], PERSONAL, PURPOSE.encode(), **ids)
    assert r.status_code == 503, r.text
    body = r.json()
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["RECORD_FAILED"]
    assert "测试甲" not in r.text and ids["case"] not in r.text
    assert records(container.db) == []
    # A masked read records nothing, so it still answers.
    assert graphql(clients["supervisor"], PERSONAL, **ids)["case"]["applicantName"] == "测**"
    on_table = "" if container.db.dialect == "sqlite" else " ON personal_data_access"
    with container.db.transaction() as tx:
        tx.execute("DROP TRIGGER refuse_access" + on_table)
    assert ask(clients["caseworker"], PERSONAL, "retry", **ids).status_code == 200
    assert len(records(container.db)) == 2


def test_auditors_page_and_filter_the_record_newest_first(
    clients: dict[str, httpx.Client], ids: dict[str, str], container: Container,
) -> None:  # fmt: skip
    case, temp = ids["case"], ids["temp"]
    graphql(clients["caseworker"], PERSONAL, purpose="first", **ids)  # 2 rows
    graphql(clients["approver"], PLAIN.replace("status", "applicantName"), purpose="second",
            case=case)  # fmt: skip
    graphql(clients["auditor+pii"], PERSONAL, purpose="third", **ids)  # 2 rows
    auditor = clients["auditor"]

    def ask_record(**variables: Any) -> dict[str, Any]:
        return dict(graphql(auditor, RECORD, **variables)["personalDataAccess"])

    everything = ask_record()
    nodes = [e["node"] for e in everything["edges"]]
    assert everything["totalCount"] == 5
    assert [n["purpose"] for n in nodes] == ["third", "third", "second", "first", "first"]
    assert [int(n["id"]) for n in nodes] == sorted((int(n["id"]) for n in nodes), reverse=True)

    first = ask_record(first=2)
    rest = ask_record(first=2, after=first["pageInfo"]["endCursor"])
    last = ask_record(first=2, after=rest["pageInfo"]["endCursor"])
    paged = [e["node"] for page in (first, rest, last) for e in page["edges"]]
    assert paged == nodes
    assert (first["pageInfo"]["hasNextPage"], last["pageInfo"]["hasNextPage"]) == (True, False)

    def matching(**flt: Any) -> list[str]:
        return [e["node"]["purpose"] for e in ask_record(filter=flt)["edges"]]

    assert matching(user="approver-1") == ["second"]
    assert matching(role="caseworker") == ["first", "first"]
    assert matching(subject=temp) == ["third", "first"]
    person = container.db.scalar(
        "SELECT applicant_person_id FROM temporary_case WHERE case_id = %s", (temp,)
    )
    assert matching(subject=person) == ["third", "first"]
    assert matching(subject=case, role="auditor") == ["third"]
    second_at = next(n["recordedAt"] for n in nodes if n["purpose"] == "second")
    assert matching(**{"from": second_at}) == ["third", "third", "second"]
    assert matching(to=second_at) == ["first", "first"]
    assert matching(**{"from": "2000-01-01T00:00:00Z", "to": "2000-01-02T00:00:00Z"}) == []

    assert ask_record()["totalCount"] == 5  # the record's own reads are not reads in full
    for role in ("caseworker", "approver", "supervisor", "admin", "integrator"):
        r = clients[role].post("/graphql", json={"query": RECORD})
        body = r.json()
        assert body["data"] is None, role
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"], role


def test_the_graphiql_page_is_served_without_a_token_and_shows_no_data(
    anonymous: httpx.Client, container: Container,
) -> None:  # fmt: skip
    page = anonymous.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    # Its queries are requests like any other: a token, and X-Purpose to read in full.
    refused = anonymous.post("/graphql", json={"query": PLAIN, "variables": {"case": "x"}})
    assert refused.status_code == 401
    assert records(container.db) == []
