"""The paged feed over real HTTP: GET /api/v1/events and /events/types, on both backends.

Paging in small pages means the same as one read of everything; filters by type (old topic
spellings too) and aggregate; the cursor moves past what did not match; masks, reads in full
for a purpose, recorded; the latest checkpoint's tree size; bad input as problems, never 500.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from builders import WORKER, application
from conftest import client_for
from http_helpers import PURPOSE, problem
from metrics_support import metric

from api.container import Container
from api.settings import Settings
from api.streams.counters import count_disconnect, disconnect_counts
from domain.ledger import Ledger
from projections.chain import checkpoints
from projections.feed.envelope import BATCH_CONTENT_TYPE
from tests.held_commit import HeldCommit
from tests.integration.test_stored_topics import stored_events

pytestmark = pytest.mark.e2e

FEED = "/api/v1/events"
CASE_TYPES = "type:AssistanceCase.*"


@pytest.fixture
def clients(server: str, settings: Settings) -> Iterator[dict[str, httpx.Client]]:
    made = {
        "approver": client_for(server, settings, "approver", "approver-1"),
        "supervisor": client_for(server, settings, "supervisor", "supervisor-1"),
        "auditor": client_for(server, settings, "auditor", "auditor-1"),
        "auditor+pii": client_for(server, settings, "auditor", "auditor-2", grants=("pii",)),
        "integrator": client_for(server, settings, "integrator", "int-1", grants=(CASE_TYPES,)),
        "bare integrator": client_for(server, settings, "integrator", "int-2"),
    }
    yield made
    for c in made.values():
        c.close()


def feed(client: httpx.Client, headers: dict[str, str] | None = None, **params: Any) -> Any:
    r = client.get(FEED, params=params, headers=headers or {})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(BATCH_CONTENT_TYPE)
    return r


def every_page(client: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    """Follow the `Link: rel="next"` of each page until a page reaches the head."""
    events: list[dict[str, Any]] = []
    r = feed(client, **params)
    while True:
        events += r.json()
        assert r.headers["X-Next-After"] in r.headers["Link"]
        if int(r.headers["X-Next-After"]) >= int(r.headers["X-Head-Position"]):
            return events
        link = re.fullmatch(r'<([^>]+)>; rel="next"', r.headers["Link"])
        assert link, r.headers["Link"]
        r = client.get(link[1])
        assert r.status_code == 200, r.text


def cases(ledger: Ledger, count: int) -> list[str]:
    return [str(ledger.submit_application(application(), WORKER).id) for _ in range(count)]


def test_small_pages_read_the_same_as_one_read_of_everything(
    ledger: Ledger, clients: dict[str, httpx.Client], container: Container
) -> None:
    cases(ledger, 4)
    head = ledger.latest_position()
    everything = feed(clients["approver"], limit=1000).json()
    positions = [e["position"] for e in everything]
    assert positions == sorted(set(positions)) and positions[-1] == head
    paged = every_page(clients["approver"], limit=3)
    assert [e["id"] for e in paged] == [e["id"] for e in everything]  # in order, none twice
    one = feed(clients["approver"], after=positions[-2], limit=1)
    assert [e["position"] for e in one.json()] == [head]
    assert one.headers["X-Next-After"] == one.headers["X-Head-Position"] == str(head)
    at_head = feed(clients["approver"], after=head)  # the head itself: nothing yet, fine
    assert at_head.json() == [] and at_head.headers["X-Next-After"] == str(head)
    # Past the head: no position of this ledger (a restored database, a broker's sequence).
    beyond = problem(clients["approver"].get(FEED, params={"after": head + 100}), 409)
    assert beyond["code"] == "after_beyond_head" and beyond["field"] == "after"
    assert f"position {head}" in beyond["detail"] and "broker" in beyond["detail"]
    assert not container.db.query("SELECT 1 FROM personal_data_access")  # nothing was read
    as_object = clients["approver"].get(FEED, params={"limit": 5},
                                        headers={"Accept": "application/json"})  # fmt: skip
    assert as_object.headers["content-type"].startswith("application/json")
    body = as_object.json()
    assert [e["id"] for e in body["events"]] == [e["id"] for e in everything[:5]]
    assert body["next_after"] == positions[4] and body["head_position"] == head
    assert body["checkpoint"]["tree_size"] == int(as_object.headers["X-Checkpoint-Tree-Size"])


def test_filters_by_type_and_aggregate_and_the_cursor_moves_past_the_rest(
    ledger: Ledger, clients: dict[str, httpx.Client], container: Container
) -> None:
    recorder = container.ledger.recorder
    # Stored under the module paths of before the move (but the parameters set already).
    old = [e for e in stored_events() if not recorder.select_events(e.originator_id, limit=1)]
    recorder.insert_events(old)
    ours = cases(ledger, 3)
    head = ledger.latest_position()
    submitted = "AssistanceCase.ApplicationSubmitted"
    old_cases = {str(e.originator_id) for e in old if e.topic.endswith(submitted)}
    got = every_page(clients["integrator"], types=submitted, limit=2)
    assert {e["type"] for e in got} == {submitted}
    assert {e["subject"] for e in got} == old_cases | set(ours)  # old spellings matched too
    both = [ours[0], ours[2]]
    by_id = feed(clients["approver"], aggregateIds=",".join(both)).json()
    assert {e["subject"] for e in by_id} == set(both) and len(by_id) == 2
    repeated = clients["approver"].get(FEED, params=[("aggregateIds", i) for i in both])
    assert repeated.json() == by_id
    # A filter nothing matches after the first case still moves the cursor to the head.
    first = feed(clients["approver"], aggregateIds=ours[0], limit=10)
    assert first.headers["X-Next-After"] == first.headers["X-Head-Position"]
    after_it = feed(clients["approver"], aggregateIds=ours[0], after=first.json()[-1]["position"])
    assert after_it.json() == []
    assert int(after_it.headers["X-Next-After"]) == int(after_it.headers["X-Head-Position"]) >= head
    # The integrator's token grants the case types only: everything else is left out.
    assert {e["type"].split(".")[0] for e in every_page(clients["integrator"], limit=500)} == {
        "AssistanceCase"
    }


def test_masks_unless_a_reader_in_full_names_a_purpose_and_then_the_read_is_recorded(
    ledger: Ledger, clients: dict[str, httpx.Client], container: Container
) -> None:
    (case,) = cases(ledger, 1)

    def applicant(name: str, headers: dict[str, str] | None = None) -> str:
        page = feed(clients[name], headers, aggregateIds=case).json()
        return str(page[0]["data"]["members"][0]["personal"]["name"])

    masked = {applicant("supervisor"), applicant("auditor"), applicant("auditor+pii")}
    assert applicant("auditor", {"X-Purpose": PURPOSE}) in masked  # no pii grant: masks
    assert len(masked) == 1 and "*" in masked.pop()
    assert rows(container) == []  # masks are not recorded
    full = applicant("auditor+pii", {"X-Purpose": PURPOSE, "X-Request-ID": "feed-read-1"})
    assert "*" not in full
    recorded = rows(container)  # the case's row, and the applicant's (found by person id too)
    person = ledger.get_case(UUID(case)).counted[0]
    assert sorted(recorded, key=lambda r: str(r["person_id"])) == [
        {"user_id": "auditor-2", "role": "auditor", "person_id": pid, "case_id": case,
         "purpose": PURPOSE, "request_id": "feed-read-1", "via": "feed"}
        for pid in sorted([None, person], key=str)
    ]  # fmt: skip
    bad = clients["auditor+pii"].get(FEED, headers={"X-Purpose": "a\x7fb"})
    assert problem(bad, 400)["code"] == "PURPOSE_INVALID"
    # A read in full that cannot be recorded is not answered.
    rename(container, "personal_data_access", "personal_data_access_away")
    try:
        unrecorded = clients["auditor+pii"].get(
            FEED, params={"aggregateIds": case}, headers={"X-Purpose": PURPOSE}
        )
    finally:
        rename(container, "personal_data_access_away", "personal_data_access")
    assert problem(unrecorded, 503)["code"] == "RECORD_FAILED"
    assert full not in unrecorded.text and case not in unrecorded.text


def rename(container: Container, table: str, to: str) -> None:
    with container.db.transaction() as tx:
        tx.execute(f"ALTER TABLE {table} RENAME TO {to}")


def rows(container: Container) -> list[dict[str, Any]]:
    found = container.db.query(
        "SELECT user_id, role, person_id, case_id, purpose, request_id, via"
        " FROM personal_data_access"
    )
    return [dict(r) for r in found]


def test_the_checkpoint_tree_size_lets_an_integrator_ask_a_proof_of_what_it_got(
    ledger: Ledger, clients: dict[str, httpx.Client], container: Container
) -> None:
    cases(ledger, 1)
    container.sealer.run_once()  # the runner's sealer may have sealed some already
    container.checkpointer.cut()
    signed = checkpoints.latest(container.db)
    assert signed is not None and signed.tree_size == ledger.latest_position()
    r = feed(clients["integrator"])
    assert r.headers["X-Checkpoint-Tree-Size"] == str(signed.tree_size)
    last = r.json()[-1]["position"]
    proof = clients["integrator"].get(
        "/api/v1/ledger/proof/inclusion",
        params={"position": last, "tree_size": r.headers["X-Checkpoint-Tree-Size"]},
    )
    assert proof.status_code == 200 and proof.text.startswith("c2sp.org/tlog-proof@v1")
    body = clients["approver"].get(FEED, headers={"Accept": "application/json"}).json()
    assert body["checkpoint"]["tree_size"] == signed.tree_size
    assert body["checkpoint"]["root_hash"] and body["checkpoint"]["signed_at"]


#: (query, the field named), each refused with 422 and never echoing the value.
BAD_INPUT: list[tuple[dict[str, Any] | list[tuple[str, str]], str]] = [
    ({"after": "abc"}, "after"),
    ({"after": "-1"}, "after"),
    ({"after": "1.5"}, "after"),
    ({"after": str(2**63)}, "after"),
    ({"after": "9" * 5000}, "after"),
    ({"after": "١٢"}, "after"),  # Arabic-Indic digits: isdigit() says yes, we say no
    ({"limit": "0"}, "limit"),
    ({"limit": "1001"}, "limit"),
    ({"limit": ""}, "limit"),
    ({"types": "AssistanceCase.Nope"}, "types"),
    ({"types": "Nope.*"}, "types"),
    ({"types": "AssistanceCase.ApplicationSubmitted,张三 320404199001011234"}, "types"),
    ([("types", "AssistanceCase.ApplicationSubmitted")] * 201, "types"),
    ({"aggregateIds": "not-a-uuid"}, "aggregateIds"),
    ({"aggregateIds": ",".join(str(uuid4()) for _ in range(201))}, "aggregateIds"),
]


def test_bad_input_and_refusals_are_problems_never_a_500(
    ledger: Ledger, clients: dict[str, httpx.Client], anonymous: httpx.Client
) -> None:
    wrong = []
    for params, field in BAD_INPUT:
        r = clients["approver"].get(FEED, params=params)
        body = problem(r, 422)
        values = params.values() if isinstance(params, dict) else [v for _, v in params]
        parts = [part for v in values for part in v.split(",")]
        echoed = [p for p in parts if len(p) >= 3 and p in r.text and "." not in p]
        if body.get("field") != field or echoed:
            wrong.append(f"{str(params)[:60]}: {r.text[:200]}")
    assert wrong == [], "\n".join(wrong)
    assert problem(anonymous.get(FEED), 401)
    bad_token = anonymous.get(FEED, headers={"Authorization": "Bearer nope"})
    assert problem(bad_token, 401)
    refused = clients["bare integrator"].get(FEED)
    assert problem(refused, 403)["code"] == "event_types_missing"
    outside = clients["integrator"].get(FEED, params={"types": "Payout.PayoutSettled"})
    assert problem(outside, 403)["code"] == "event_type_scope"
    # A refused caller learns nothing of its input: the rule first.
    assert problem(clients["bare integrator"].get(FEED, params={"after": "x"}), 403)
    assert problem(clients["bare integrator"].get(FEED, headers={"X-Purpose": "a\x7f"}), 403)


def test_the_types_catalogue_says_what_an_integrator_may_ask_for(
    ledger: Ledger, clients: dict[str, httpx.Client], anonymous: httpx.Client
) -> None:
    listed = clients["integrator"].get(f"{FEED}/types").json()
    granted = {t["name"] for t in listed if t["granted"]}
    assert granted and all(name.startswith("AssistanceCase.") for name in granted)
    assert {"name": "Payout.PayoutSettled", "area": "payroll", "granted": False} in listed
    everyone = clients["approver"].get(f"{FEED}/types").json()
    assert [t["name"] for t in everyone] == [t["name"] for t in listed]
    assert all(t["granted"] for t in everyone)
    bare = clients["bare integrator"].get(f"{FEED}/types").json()
    assert not any(t["granted"] for t in bare)  # it may still see what to ask its bureau for
    assert problem(anonymous.get(f"{FEED}/types"), 401)


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_feed_read_never_passes_a_position_held_open(
    ledger: Ledger, clients: dict[str, httpx.Client], database_url: str, backend: str
) -> None:
    before = ledger.latest_position()
    approver = clients["approver"]

    def submit() -> object:
        return ledger.submit_application(application(), WORKER)

    with HeldCommit(database_url) as held:
        taken = held.start(submit)
        held.queue(2, submit)  # higher positions, waiting behind the held one
        assert taken > before
        page = feed(approver, limit=1000)
        assert page.json()[-1]["position"] <= before
        assert int(page.headers["X-Next-After"]) == int(page.headers["X-Head-Position"]) == before
        waiting = feed(approver, after=before)
        assert waiting.json() == [] and waiting.headers["X-Next-After"] == str(before)
    # Released: the held writer commits first, then the others, and paging finds them all.
    after = every_page(approver, after=before, limit=2)
    stored = ledger.recorder.select_notifications(start=before, limit=100, inclusive_of_start=False)
    assert [e["position"] for e in after] == [n.id for n in stored]
    assert len(after) == 3 * 3  # each case's event and its member's PersonRecord (2 events)


def test_metrics_show_each_live_subscriber_and_its_lag_with_labels_escaped(
    ledger: Ledger, clients: dict[str, httpx.Client], container: Container, server: str
) -> None:
    cases(ledger, 2)
    head = ledger.latest_position()
    hub = container.hub
    deadline = time.monotonic() + 10
    while hub.head < head:
        assert time.monotonic() < deadline, "the hub did not reach the head"
        time.sleep(0.02)
    page = feed(clients["integrator"], limit=1)  # an integrator that read one page, then
    resumed_at = int(page.headers["X-Next-After"])
    user = 'int"er\\nal\nname'  # an odd user name: each escape of the text format
    state = hub.register("sse", user, resumed_at)  # ... holds a stream open from there
    fell = ("sse", "fell_behind")
    before = disconnect_counts().get(fell, 0)
    count_disconnect(*fell)
    try:
        text = httpx.get(f"{server}/metrics").text
    finally:
        hub.unregister(state)
    who = {"subscriber": str(state.id), "kind": "sse", "user": user}
    assert metric(text, "caseledger_stream_subscriber_lag_events", **who) == hub.head - resumed_at
    assert (metric(text, "caseledger_stream_subscriber_lag_seconds", **who) or 0) >= 0
    assert metric(text, "caseledger_stream_subscribers", kind="sse") == 1
    assert metric(text, "caseledger_stream_subscribers", kind="subscription") == 0
    assert (metric(text, "caseledger_stream_hub_position") or 0) >= head
    assert metric(text, "caseledger_stream_disconnects_total", kind="sse", code="fell_behind") == (
        before + 1
    )
    assert "# TYPE caseledger_stream_disconnects_total counter" in text
    gone = httpx.get(f"{server}/metrics").text
    assert metric(gone, "caseledger_stream_subscriber_lag_events", **who) is None
    assert metric(gone, "caseledger_stream_subscribers", kind="sse") == 0
