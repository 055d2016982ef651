"""Every role against every command family and query family, inside and outside its area.

The expected cells are written out here, by hand, as the bureau would sign them: a wrong
cell in `domain/shared/access.py` fails this test. Every target is on 新闸街道 (street A), so a
caseworker of 新闸街道 is inside its area and one of 西林街道 (street B) outside it.
`allow` means the rule let the request through: any answer but 403 (a 404, 409 or 422 from
the domain's own rules is still "allowed"); a rule name means 403 with that `code`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from builders import APPROVER, WORKER, application, new_id_number, person_id_for, walk_to_active
from conftest import client_for
from helpers import ADMIN

from api.settings import Settings
from domain.deaths.notification import notification_id
from domain.ledger import Ledger
from domain.shared.values import Actor

pytestmark = pytest.mark.e2e

A, B = "新闸街道", "西林街道"
#: The columns of every row below, in this order.
ROLES = ["cw_A", "cw_B", "approver", "sup_A", "sup_district", "auditor", "integrator", "admin"]
TOKENS = {  # role name -> (token role, token street)
    "cw_A": ("caseworker", A), "cw_B": ("caseworker", B), "approver": ("approver", None),
    "sup_A": ("supervisor", A), "sup_district": ("supervisor", None),
    "auditor": ("auditor", None), "integrator": ("integrator", None), "admin": ("admin", None),
    "integrator_typed": ("integrator", None),
}  # fmt: skip
#: Grants on a column's token: the stream cells' second integrator reads the case types.
GRANTS = {"integrator_typed": ("type:AssistanceCase.*",)}

ok, role, street, district = "allow", "role_not_allowed", "street_scope", "district_only"
streams = "streams_only"
no_types, scope = "event_types_missing", "event_type_scope"

#: REST command families: (family, method, path with {ids}, body) -> one cell per role.
#:                               cw_A    cw_B    approver sup_A sup_dis auditor integr admin
WRITES: list[tuple[str, str, dict[str, Any], list[str]]] = [
    ("submit a case", "/cases", {"application": True},
                                [ok,     street, role,    role,  role,   role,   role,  role]),
    ("casework step", "/cases/{case}/accept", {"occurred_on": "2024-03-01"},
                                [ok,     street, role,    role,  role,   role,   role,  role]),
    ("decision", "/cases/{active}/suspend",
     {"occurred_on": "2024-04-10", "from_month": "2024-05", "reason": "核查"},
                                [role,   role,   ok,      role,  role,   role,   role,  role]),
    ("temporary request", "/temporary-cases", {"help": True},
                                [ok,     street, role,    role,  role,   role,   role,  role]),
    ("temporary casework step", "/temporary-cases/{temporary}/close",
     {"occurred_on": "2024-03-05", "reason": "撤回"},
                                [ok,     street, role,    role,  role,   role,   role,  role]),
    ("temporary decision", "/temporary-cases/{temporary}/deny",
     {"occurred_on": "2024-03-05", "reasons": ["不符合条件"]},
                                [ok,     street, ok,      role,  role,   role,   role,  role]),
    ("payroll run", "/payroll-runs", {"programme": "DIBAO", "month": "2024-04"},
                                [role,   role,   ok,      role,  role,   role,   role,  role]),
    ("payroll approval", "/payroll-runs/{run}/approve", {"occurred_on": "2024-04-20"},
                                [role,   role,   ok,      role,  role,   role,   role,  role]),
    ("bed conversion", "/bed-conversions", {"conversion": True},
                                [ok,     street, ok,      role,  role,   role,   role,  role]),
    ("bed-conversion decision", "/bed-conversions/{conversion}/inspection",
     {"occurred_on": "2024-03-08", "passed": True, "inspectors": ["i-1", "i-2"],
      "findings": "合格"},
                                [role,   role,   ok,      role,  role,   role,   role,  role]),
    ("institution register", "/institutions/{institution}/staff",
     {"occurred_on": "2024-06-30", "caregivers": 25, "certified_caregivers": 23},
                                [role,   role,   role,    role,  role,   role,   role,  ok]),
    ("organisation", "/organizations",
     {"name": "钟楼区围棋协会", "type": "SOCIAL_GROUP", "street": A, "occurred_on": "2021-03-15"},
                                [role,   role,   ok,      role,  role,   role,   role,  role]),
    ("village step", "/village-conversions",
     {"village": "庆丰村", "street": A, "tasks": ["清产核资"], "occurred_on": "2024-03-15"},
                                [ok,     street, ok,      role,  role,   role,   role,  role]),
    ("village decision", "/village-conversions/{village}/deregister",
     {"occurred_on": "2024-12-20", "decision_ref": "钟政复〔2024〕1号"},
                                [role,   role,   ok,      role,  role,   role,   role,  role]),
    ("death report", "/death-notifications", {"death": True},
                                [ok,     ok,     ok,      role,  role,   role,   role,  role]),
    ("death verification", "/death-notifications/{death}/verify",
     {"occurred_on": "2024-05-12", "evidence": "死亡医学证明"},
                                [role,   role,   ok,      role,  role,   role,   role,  role]),
    ("parameter", "/parameters",
     {"name": "temporary.paperwork_days", "value": 10, "effective_from": "2023-01-01",
      "reason": "matrix"},      [role,   role,   role,    role,  role,   role,   role,  ok]),
    ("calendar", "/calendars",
     {"year": 2027, "holidays": ["2027-01-01"], "make_up_working_days": [],
      "reference": "TEST-ONLY-2027", "title": "Made-up notice", "published_on": "2026-11-25"},
                                [role,   role,   role,    role,  role,   role,   role,  ok]),
    ("erasure", "/persons/{person}/erasure",
     {"legal_basis": "《个人信息保护法》第四十七条", "occurred_on": "2024-05-01"},
                                [role,   role,   role,    role,  role,   role,   role,  ok]),
]  # fmt: skip

#: GraphQL read families: (family, query) -> one cell per role.
#:                               cw_A    cw_B    approver sup_A sup_dis auditor integr admin
READS: list[tuple[str, str, list[str]]] = [
    ("cases list", "{ cases(first: 5) { totalCount } }",
                                [ok,     ok,     ok,      ok,    ok,     ok,     streams, role]),
    ("a case of street A", 'query { case(id: "{case}") { id } }',
                                [ok,     street, ok,      ok,    ok,     ok,     streams, role]),
    ("its history", 'query { caseHistory(id: "{case}") { version } }',
                                [ok,     street, ok,      ok,    ok,     ok,     streams, role]),
    ("its state as of v1", 'query { caseAsOf(id: "{case}", version: 1) { version } }',
                                [ok,     street, ok,      ok,    ok,     ok,     streams, role]),
    ("caseload", "{ caseload { cases } }",
                                [ok,     ok,     ok,      ok,    ok,     ok,     streams, role]),
    ("a temporary case", 'query { temporaryCase(id: "{temporary}") { id } }',
                                [ok,     street, ok,      ok,    ok,     ok,     streams, role]),
    ("temporary stats", "{ temporaryAssistanceStats { households } }",
                                [ok,     ok,     ok,      ok,    ok,     ok,     streams, role]),
    ("payouts", "{ payouts(first: 1) { totalCount } }",
                                [role,   role,   ok,      district, ok,  ok,     streams, role]),
    ("payout totals", "{ payoutTotals { payouts } }",
                                [role,   role,   ok,      district, ok,  ok,     streams, role]),
    ("institutions", "{ institutions(first: 1) { totalCount } }",
                                [ok,     ok,     ok,      ok,    ok,     ok,     streams, ok]),
    ("another street's institutions",
     '{ institutions(filter: {street: "西林街道"}) { totalCount } }',
                                [street, ok,     ok,      street, ok,    ok,     streams, ok]),
    ("bed stats", "{ bedStats { institutions } }",
                                [ok,     ok,     ok,      ok,    ok,     ok,     streams, ok]),
    ("bed conversions", "{ bedConversions { totalCount progress { converted } } }",
                                [ok,     ok,     ok,      ok,    ok,     ok,     streams, ok]),
    ("organisations", "{ organizations(first: 1) { totalCount } }",
                                [role,   role,   ok,      district, ok,  ok,     streams, role]),
    ("villages", "{ villageConversions { totalCount } }",
                                [role,   role,   ok,      district, ok,  ok,     streams, role]),
    ("deaths", "{ deathNotifications { status } }",
                                [role,   role,   ok,      district, ok,  ok,     streams, role]),
    ("KPIs", "{ supervisionKpis(year: 2024) { year } }",
                                [ok,     ok,     ok,      ok,    ok,     ok,     streams, role]),
    ("projections", "{ projectionStatus { name } }",
                                [ok,     ok,     ok,      ok,    ok,     ok,     streams, ok]),
    ("access record", "{ personalDataAccess(first: 1) { totalCount } }",
                                [role,   role,   role,    role,  role,   ok,     streams, role]),
    ("viewer", "{ viewer { role } }",
                                [ok,     ok,     ok,      ok,    ok,     ok,     ok,      ok]),
    ("overdue summary", "{ overdueSummary { cases } }",
                                [ok,     ok,     ok,      ok,    ok,     ok,     streams, role]),
    ("street B's overdue summary", '{ overdueSummary(street: "西林街道") { cases } }',
                                [street, ok,     ok,      street, ok,    ok,     streams, role]),
    ("street B's KPIs", '{ supervisionKpis(year: 2024, street: "西林街道") { year } }',
                                [street, ok,     ok,      street, ok,    ok,     streams, role]),
    ("street B's temporary stats",
     '{ temporaryAssistanceStats(street: "西林街道") { households } }',
                                [street, ok,     ok,      street, ok,    ok,     streams, role]),
    ("ledger integrity", "{ ledgerIntegrity { headPosition sealedSize } }",
                                [ok,     ok,     ok,      ok,    ok,     ok,     streams, ok]),
]  # fmt: skip


#: REST reads of the integrator streams: (family, GET path) -> one cell per STREAM_ROLES column
#: (the matrix's roles, then an integrator whose token grants `type:AssistanceCase.*`).
STREAM_ROLES = [*ROLES, "integrator_typed"]
#:                         cw_A  cw_B  approver sup_A    sup_dis auditor integr    admin int_typed
STREAM_READS: list[tuple[str, str, list[str]]] = [
    ("the paged feed", "/api/v1/events?limit=1",
                          [role, role, ok,      district, ok,     ok,     no_types, role, ok]),
    ("the feed of payouts", "/api/v1/events?types=Payout.PayoutSettled",
                          [role, role, ok,      district, ok,     ok,     no_types, role, scope]),
    ("the event types", "/api/v1/events/types",
                          [role, role, ok,      district, ok,     ok,     ok,       role, ok]),
]  # fmt: skip


@pytest.fixture
def clients(server: str, settings: Settings) -> Iterator[dict[str, httpx.Client]]:
    made = {
        name: client_for(
            server, settings, token_role, f"matrix-{name}", street=area, grants=GRANTS.get(name, ())
        )
        for name, (token_role, area) in TOKENS.items()
    }
    yield made
    for c in made.values():
        c.close()


def targets(ledger: Ledger) -> dict[str, str]:
    """One target of each kind on street A, made by the people who would make it."""
    case_body = application(street=A)
    case = ledger.submit_application(case_body, WORKER).id
    active = ledger.submit_application(application(street=A), WORKER).id
    walk_to_active(ledger, active)
    help_body = {
        "type": "EXPENDITURE",
        "street": A,
        "community": "新闸社区",
        "occurred_on": "2024-03-04",
        "incident": "重病",
        "members": [{"name": "测试甲", "id_number": new_id_number(), "relation": "self"}],
    }
    temporary = ledger.request_help(help_body, WORKER).id
    filing = {"name": "新闸颐养院", "street": A, "beds": {"nursing": 90, "elderly_care": 10},
              "medical_capability": True, "occurred_on": "2024-01-08"}  # fmt: skip
    institution = ledger.file_institution(filing, ADMIN).id
    conversion = ledger.apply_bed_conversion(
        {"institution_id": str(institution), "from_type": "elderly_care", "to_type": "nursing",
         "number": 2, "occurred_on": "2024-03-01"}, WORKER).id  # fmt: skip
    village = ledger.initiate_village_conversion(
        {"village": "马家村", "street": A, "tasks": ["清产核资"], "occurred_on": "2024-03-15"},
        WORKER,
    ).id
    run = ledger.start_payroll_run("DIBAO", "2024-04", APPROVER, date(2024, 4, 20)).id
    dead = new_id_number()
    ledger.report_death({"name": "测试丙", "id_number": dead, "date_of_death": "2024-05-10",
                         "source": "crematorium", "occurred_on": "2024-05-11"}, WORKER)  # fmt: skip
    return {"case": str(case), "active": str(active), "temporary": str(temporary),
            "institution": str(institution), "conversion": str(conversion),
            "village": str(village), "run": str(run),
            "death": str(notification_id(person_id_for(dead))),
            "person": person_id_for(case_body["members"][0]["id_number"])}  # fmt: skip


def body_for(body: dict[str, Any], ids: dict[str, str]) -> dict[str, Any]:
    """A fresh valid create body (each cell submits its own household)."""
    if body.get("application"):
        return application(street=A)
    if body.get("help"):
        return {
            "type": "EMERGENCY",
            "street": A,
            "community": "新闸社区",
            "occurred_on": "2024-03-04",
            "incident": "火灾",
            "members": [{"name": "测试甲", "id_number": new_id_number(), "relation": "self"}],
        }
    if body.get("conversion"):
        return {
            "institution_id": ids["institution"],
            "from_type": "elderly_care",
            "to_type": "nursing",
            "number": 1,
            "occurred_on": "2024-03-02",
        }
    if body.get("death"):
        return {
            "name": "测试丙",
            "id_number": new_id_number(),
            "date_of_death": "2024-05-10",
            "source": "hospital",
            "occurred_on": "2024-05-11",
        }
    return body  # fmt: skip


def outcome_of_post(response: httpx.Response) -> str:
    if response.status_code != 403:
        assert response.status_code < 500, response.text
        return ok
    body = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    assert body["code"] in body["detail"]  # the message names the rule
    return str(body["code"])


def outcome_of_query(response: httpx.Response) -> str:
    """The field's rule when refused; an allowed read answers without any error at all."""
    assert response.status_code == 200, response.text
    errors = response.json().get("errors") or []
    forbidden = [e for e in errors if (e.get("extensions") or {}).get("code") == "FORBIDDEN"]
    if forbidden:
        return str(forbidden[0]["extensions"]["rule"])
    assert errors == [], errors
    return ok


def test_every_role_against_every_family_in_and_out_of_its_area(
    ledger: Ledger, clients: dict[str, httpx.Client]
) -> None:
    ids = targets(ledger)
    wrong: list[str] = []
    for family, path, body, cells in WRITES:
        for name, expected in zip(ROLES, cells, strict=True):
            response = clients[name].post("/api/v1" + path.format(**ids), json=body_for(body, ids))
            got = outcome_of_post(response)
            if got != expected:
                wrong.append(f"POST {family} as {name}: expected {expected}, got {got} "
                             f"({response.status_code} {response.text[:120]})")  # fmt: skip
    for family, query, cells in READS:
        text = query.replace("{case}", ids["case"]).replace("{temporary}", ids["temporary"])
        for name, expected in zip(ROLES, cells, strict=True):
            got = outcome_of_query(clients[name].post("/graphql", json={"query": text}))
            if got != expected:
                wrong.append(f"query {family} as {name}: expected {expected}, got {got}")
    assert wrong == [], "\n".join(wrong)


def test_every_role_against_the_integrator_streams(
    ledger: Ledger, clients: dict[str, httpx.Client]
) -> None:
    ledger.submit_application(application(street=A), WORKER)
    wrong: list[str] = []
    for family, path, cells in STREAM_READS:
        for name, expected in zip(STREAM_ROLES, cells, strict=True):
            response = clients[name].get(path)
            got = outcome_of_post(response)  # any request's outcome: allowed, or 403's rule
            if got == ok and response.status_code != 200:
                got = f"{response.status_code} {response.text[:120]}"
            if got != expected:
                wrong.append(f"GET {family} as {name}: expected {expected}, got {got}")
    assert wrong == [], "\n".join(wrong)


def test_figures_of_a_street_bound_caller_count_its_street_only(
    ledger: Ledger, clients: dict[str, httpx.Client]
) -> None:
    targets(ledger)  # every target is on street A
    position = {"X-Min-Position": str(ledger.latest_position())}
    query = "{ bedStats { institutions } caseload { cases } temporaryAssistanceStats { households }"
    query += " bedConversions { totalCount }"
    query += " supervisionKpis(year: 2024) { institutions villagesPlanned deathsVerified } }"

    def figures(name: str) -> dict[str, Any]:
        body = clients[name].post("/graphql", json={"query": query}, headers=position).json()
        assert "errors" not in body, body
        data = body["data"]
        return {"institutions": data["bedStats"][0]["institutions"],
                "cases": sum(r["cases"] for r in data["caseload"]),
                "conversions": data["bedConversions"]["totalCount"],
                "kpis": data["supervisionKpis"]}  # fmt: skip

    nothing = {"institutions": 0, "villagesPlanned": 0, "deathsVerified": 0}
    assert figures("cw_B") == {"institutions": 0, "cases": 0, "conversions": 0, "kpis": nothing}
    one = {"institutions": 1, "villagesPlanned": 1, "deathsVerified": 0}
    assert figures("cw_A") == figures("approver") == {"institutions": 1, "cases": 2,
                                                      "conversions": 1, "kpis": one}  # fmt: skip


def test_a_street_list_is_paged_in_sql(ledger: Ledger, clients: dict[str, httpx.Client]) -> None:
    other = Actor("worker-xilin", "caseworker", B)
    mine = sorted(str(ledger.submit_application(application(street=A), WORKER).id)
                  for _ in range(5))  # fmt: skip
    for _ in range(5):
        ledger.submit_application(application(street=B), other)
    position = ledger.latest_position()
    query = """query($after: String) { cases(first: 2, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { id street } } } }"""
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        r = clients["cw_A"].post("/graphql", json={"query": query, "variables": {"after": after}},
                                 headers={"X-Min-Position": str(position)})  # fmt: skip
        page = r.json()["data"]["cases"]
        assert page["totalCount"] == 5  # counted over street A only
        assert {e["node"]["street"] for e in page["edges"]} == {A}
        seen += [e["node"]["id"] for e in page["edges"]]
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert (sorted(seen), pages) == (mine, 3)  # 2 + 2 + 1: page 2 is full, nothing lost
    everyone = clients["approver"].post("/graphql", json={"query": "{ cases { totalCount } }"})
    assert everyone.json()["data"]["cases"]["totalCount"] == 10
