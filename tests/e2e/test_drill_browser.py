"""The dashboard's drill-down pages in real headless Chromium, against a served small ledger.

The routes are mounted on a bare same-origin page (core.js and drill.js imported, the router
driven by the hash), so these tests need nothing of the overview's page: they check that a
list shows the API's total for the same token and never sends a parameter it does not know,
that a case page shows the case's timeline in order with its masked applicant, refreshes on an
event of the case, exports the case file, and shows the API's refusal to a street-bound
caller. Skipped, loudly, without Playwright for Python or Chromium
(tests/browser/browser_support.py: LEDGER_TEST_CHROMIUM names another; with
LEDGER_TEST_REQUIRE_BROWSER=1 a missing one fails).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from builders import PARAMETERS, WORKER, application, walk_to_active
from conftest import client_for, serving
from http_helpers import graphql, ok, post

from api.auth import issue_token
from api.container import Container, build
from api.settings import Settings
from domain.shared.values import Actor
from tests.browser.browser_support import chromium_or_skip
from tests.helpers import ADMIN

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

#: Mount the drill-down's routes on a bare page of the server's origin.
MOUNT = """async (token) => {
  const core = await import("/static/dashboard/core.js");
  await import("/static/dashboard/drill.js");
  core.setToken(token);
  document.body.replaceChildren(Object.assign(document.createElement("main"), {id: "view"}));
  const view = document.getElementById("view");
  window.addEventListener("hashchange", () => core.render(view));
  window.drillCore = core;
}"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Settings, Container]]:
    """Two active cases, one of 新闸街道 and one of 邹区镇, served (far cheaper than the demo)."""
    tmp = tmp_path_factory.mktemp("drill")
    settings = Settings(
        database_url=f"sqlite:///{tmp}/ledger.sqlite3", poll_interval=0.05,
        load_demo_when_empty=False, min_position_timeout=5.0,
        signing_key_file=tmp / "dev-signing-key", clock=False,
    )  # fmt: skip
    container = build(settings)
    ledger = container.ledger
    for name, value, start in PARAMETERS:
        ledger.set_parameter(name, value, start, "test standard", ADMIN, "2023-01-01")
    container.runner.start()
    for street, community in (("新闸街道", "庆丰社区"), ("邹区镇", "邹区社区")):
        worker = (
            WORKER if street == WORKER.unit else Actor(f"worker-{street}", "caseworker", street)
        )
        submitted = ledger.submit_application(
            application(street=street, community=community), worker
        )
        walk_to_active(ledger, submitted.id)
    try:
        with serving(container) as base:
            yield base, settings, container
    finally:
        container.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium_path = chromium_or_skip()  # skips loudly, or fails when CI requires browsers
    from playwright import sync_api

    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=chromium_path)
        yield chromium
        chromium.close()


def token(settings: Settings, role: str, user: str, street: str | None = None) -> str:
    return issue_token(settings.jwt_secret.get_secret_value(), user, role, street, 1)


def _favicon(message: Any) -> bool:
    return str(message.location.get("url", "")).endswith("/favicon.ico")


def open_page(browser: Any, base: str, bearer: str, errors: list[str]) -> Any:
    page = browser.new_page(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "console",
        lambda m: errors.append(m.text) if m.type == "error" and not _favicon(m) else None,
    )
    page.goto(f"{base}/healthz")
    page.evaluate(MOUNT, bearer)
    return page


def go(page: Any, hash_: str, name: str) -> Any:
    page.evaluate("h => { location.hash = h; }", hash_)
    page.wait_for_selector(f'[data-page="{name}"]:not([data-state="loading"])')
    return page.locator(f'[data-page="{name}"]')


def first_case(served: tuple[str, Settings, Container], street: str, inside: bool = True) -> str:
    """An active case in `street` (or, `inside=False`, outside it)."""
    base, settings, container = served
    with client_for(base, settings, "supervisor", "supervisor-1") as client:
        data = graphql(
            client,
            '{ cases(filter: {status: "active"}, first: 200) { edges { node { id street } } } }',
            container.ledger.latest_position(),
        )  # fmt: skip
    found = [
        e["node"]["id"] for e in data["cases"]["edges"] if (e["node"]["street"] == street) == inside
    ]
    assert found, f"the ledger has no active case {'in' if inside else 'outside'} {street}"
    return str(found[0])


def test_a_cases_list_shows_the_apis_total_and_sends_only_the_filters_it_knows(
    served: tuple[str, Settings, Container], browser: Any
) -> None:
    base, settings, container = served
    bearer = token(settings, "supervisor", "supervisor-1")
    with client_for(base, settings, "supervisor", "supervisor-1") as client:
        expected = graphql(
            client, '{ cases(filter: {street: "新闸街道"}) { totalCount } }',
            container.ledger.latest_position(),
        )["cases"]["totalCount"]  # fmt: skip
    errors: list[str] = []
    page = open_page(browser, base, bearer, errors)
    bodies: list[str] = []
    page.on(
        "request",
        lambda r: bodies.append(r.post_data or "") if r.url.endswith("/graphql") else None,
    )
    section = go(page, "#/cases?street=新闸街道&bogus=1&overdue=maybe", "cases")
    assert section.get_attribute("data-state") == "ok"
    assert section.get_attribute("data-total") == str(expected)
    assert page.locator("tr[data-case-id]").count() == min(expected, 50)
    assert page.locator('[data-filter="street"]').count() == 1  # a removable chip
    sent = [json.loads(b)["variables"] for b in bodies if b]
    assert sent and all(v["filter"] == {"street": "新闸街道"} for v in sent), sent
    applicant = page.locator("tr[data-case-id] td:nth-child(5)").first.inner_text()
    assert "*" in applicant  # masked for a supervisor, as the API masks it
    assert "*" not in page.title() and "*" not in page.url
    page.evaluate("() => window.drillCore.setLang('en')")
    page.wait_for_function(
        "() => document.querySelector('[data-page=cases] h2')?.textContent === 'Cases'"
    )
    assert errors == []
    page.close()


def test_a_case_page_shows_its_timeline_refreshes_on_its_events_and_exports_its_file(
    served: tuple[str, Settings, Container], browser: Any, tmp_path: Path
) -> None:
    base, settings, container = served
    case = first_case(served, "新闸街道")
    with client_for(base, settings, "supervisor", "supervisor-1") as client:
        timeline = graphql(
            client, "query($id: ID!) { case(id: $id) { timeline { version } } }",
            container.ledger.latest_position(), id=case,
        )["case"]["timeline"]  # fmt: skip
    errors: list[str] = []
    page = open_page(browser, base, token(settings, "supervisor", "supervisor-1"), errors)
    section = go(page, f"#/case/{case}?from=cases%3Fstreet%3D新闸街道", "case")
    assert section.get_attribute("data-state") == "ok"
    versions = [int(v) for v in page.locator("[data-timeline-entry]").evaluate_all(
        "nodes => nodes.map(n => n.dataset.version)")]  # fmt: skip
    assert versions == sorted(t["version"] for t in timeline)
    assert page.locator('a[data-action="overview"]').get_attribute("href") == "#/"
    assert page.locator('a[data-action="back"]').get_attribute("href") == "#/cases?street=新闸街道"

    with client_for(base, settings, "caseworker", "worker-1") as worker:
        answer = ok(post(worker, f"/api/v1/cases/{case}/warnings", {
            "occurred_on": "2024-12-02", "kind": "hospitalisation", "detail": "住院"}))  # fmt: skip
    event = {
        "type": "AssistanceCase.EarlyWarningRaised",
        "subject": case,
        "position": answer["position"],
    }
    page.evaluate("e => window.drillCore.dispatchEvent(e)", event)
    page.wait_for_selector('[data-page="case"][data-loaded="2"]')
    assert page.locator("[data-timeline-entry]").count() == len(timeline) + 1

    with page.expect_download() as download:
        page.click('[data-action="export"]')
    saved = tmp_path / "case.json"
    download.value.save_as(saved)
    assert json.loads(saved.read_text())["format"] == "caseledger/case-file@v1"
    assert errors == []
    page.close()


def test_a_street_bound_caller_sees_the_apis_refusal_for_another_streets_case(
    served: tuple[str, Settings, Container], browser: Any
) -> None:
    base, settings, _ = served
    case = first_case(served, "新闸街道", inside=False)
    errors: list[str] = []
    page = open_page(browser, base, token(settings, "caseworker", "worker-1", "新闸街道"), errors)
    section = go(page, f"#/case/{case}", "case")
    assert section.get_attribute("data-state") == "forbidden"
    assert "street_scope" in section.inner_text()  # the API's own message, not a crash
    assert page.locator('[data-part="payouts"]').get_attribute("data-state") == "forbidden"
    # the findings list is filtered to the caller's street: refused, not "no findings"
    assert page.locator('[data-part="findings"]').get_attribute("data-state") == "forbidden"
    assert [e for e in errors if "status of 400" not in e] == []  # a purpose refusal, learnt once

    # As the page knows the caller once `viewer` answered: no personal field is asked for, and
    # a list of another street says why it is empty.
    errors.clear()
    page.evaluate(
        "() => { window.drillCore.state.viewer = {street: '新闸街道', personalData: 'full'}; }"
    )
    listed = go(page, "#/cases?street=邹区镇", "cases")
    assert listed.get_attribute("data-total") == "0"
    assert page.locator('[data-note="own-street"]').count() == 1
    assert page.locator('[data-personal="held"]').count() == 1
    assert errors == []
    page.close()


def test_a_caller_who_needs_a_purpose_states_it_to_see_the_applicant_and_to_export(
    served: tuple[str, Settings, Container], browser: Any
) -> None:
    """An approver sees personal data in full only for a purpose: the case page asks for it,
    asks the API again with it (the read is recorded with that purpose) and shows the fields;
    the export asks for the purpose before sending, so no 400 is provoked."""
    base, settings, container = served
    case = first_case(served, "新闸街道")
    with client_for(base, settings, "approver", "approver-1") as client:
        expected = graphql(
            client, "query($id: ID!) { case(id: $id) { applicantName applicantIdNumber } }",
            container.ledger.latest_position(), purpose="test", id=case,
        )["case"]  # fmt: skip
    errors: list[str] = []
    page = open_page(browser, base, token(settings, "approver", "approver-1", "新闸街道"), errors)
    page.evaluate(
        "() => { window.drillCore.state.viewer = {street: '新闸街道', personalData: 'full'}; }"
    )
    go(page, f"#/case/{case}", "case")
    assert page.locator('[data-personal="held"]').count() == 1
    assert expected["applicantName"] not in page.locator('[data-part="summary"]').inner_text()

    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.click('[data-action="export"]')  # no purpose given: the page asks, nothing is sent
    result = page.locator('[data-field="export-result"]')
    assert result.get_attribute("data-state") == "needs-purpose"
    assert not [u for u in requests if "/export" in u]

    page.click('[data-action="show-personal"]')
    page.click('[data-action="personal-confirm"]')  # an empty purpose is not sent either
    assert not [u for u in requests if u.endswith("/graphql")]
    page.fill('[data-field="personal-purpose"]', "核对申请人身份")
    page.click('[data-action="personal-confirm"]')
    shown = page.wait_for_selector('[data-field="applicant"] [data-personal="shown"]')
    text = shown.inner_text()
    assert expected["applicantName"] in text and expected["applicantIdNumber"] in text
    reads = container.db.query(
        "SELECT user_id, case_id, purpose FROM personal_data_access WHERE purpose = %s",
        ("核对申请人身份",),
    )
    assert [(r["user_id"], r["case_id"]) for r in reads] == [("approver-1", case)]
    assert errors == []
    page.close()
