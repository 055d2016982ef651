"""The dashboard in real headless Chromium, against the demo district (issue 11).

Each test opens the page in a fresh browser context with a token pasted into the page, as a
supervisor would, and reads it through the DOM contract only. The `dashboard` fixture fails
a test whose page asked another host or logged an error.
"""

from __future__ import annotations

import itertools
import time
from datetime import date
from typing import Any

import dashboard_answers as expected
import pytest
from browser_support import SCREENSHOTS, Demo, timing
from dashboard_page import CJK, PANELS, Dashboard, number, same

from domain.shared.identity import make_id_number

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

STREET = "新闸街道"
#: The demo's one full year (its seed figures); the page opens on the current year.
YEAR = 2023


def supervisor(demo: Demo, street: str | None = None) -> str:
    return demo.token("browser-supervisor" + ("-street" if street else ""), "supervisor", street)


def assert_figures_match(dash: Dashboard, panel: str, answer: dict[str, Any]) -> int:
    """Every figure of the panel equals the answer, and every non-zero answer is shown."""
    shown = dash.figures(panel)
    assert shown, f"panel {panel} shows no [data-figure]"
    wrong = [
        (k, v, answer.get(k, "<not in the answer>")) for k, v in shown if not same(v, answer.get(k))
    ]
    assert wrong == [], f"{panel}: (figure, page value, GraphQL value) that differ"
    if panel != "kpis":  # the headline panel picks its figures; the others show every row
        keys = {k for k, _ in shown}
        missing = sorted(k for k, v in answer.items() if v and k not in keys)
        assert missing == [], f"{panel}: GraphQL rows the page does not show"
    return len(shown)


def test_the_page_shows_what_graphql_answers_for_the_same_token(
    dashboard: Dashboard, demo: Demo
) -> None:
    token = supervisor(demo)
    first = dashboard.open(token)
    dashboard.choose("select#year", str(YEAR))
    states = {panel: dashboard.state(panel) for panel in PANELS}
    assert states == dict.fromkeys(PANELS, "ok"), "a district supervisor sees every panel"
    year, street = dashboard.year(), dashboard.street()
    with demo.client(token) as client:
        answers = {
            "kpis": expected.kpis(client, year, street),
            "caseload": expected.caseload(client, street),
            "payouts": expected.payouts(client, year, street),
            "audit": expected.audit(client, street),
            "health": expected.health(client),
            "overdue": expected.overdue(client, street),
            "temporary": expected.temporary(client, year, street),
        }
    counted = {panel: assert_figures_match(dashboard, panel, a) for panel, a in answers.items()}
    assert counted["kpis"] >= 5
    print(f"figures compared with GraphQL (year {year}): {counted}")
    timing(
        "first load after pasting the token (navigation start to all panels settled)", first / 1000
    )

    # The load time a supervisor sees each morning: the token is in sessionStorage.
    dashboard.page.reload()
    timing("page load on the demo district (navigation start to all panels settled)",
           dashboard.wait_ready() / 1000)  # fmt: skip

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1280, 800), (390, 844)):
        dashboard.page.set_viewport_size({"width": width, "height": height})
        dashboard.page.wait_for_timeout(1200)  # let the charts resize and finish animating
        name = f"dashboard-{width}x{height}"
        dashboard.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
        dashboard.page.screenshot(path=str(SCREENSHOTS / f"{name}-full.png"), full_page=True)
        width_now = dashboard.page.evaluate("document.documentElement.scrollWidth")
        assert width_now <= width, f"the page scrolls sideways at {width}x{height}"
        hidden = dashboard.page.evaluate(
            """() => Array.from(document.querySelectorAll(".table-wrap"))
                 .filter((w) => w.scrollWidth > w.clientWidth + 1)
                 .filter((w) => w.parentElement.querySelector("[data-scroll-hint]").hidden)
                 .map((w) => w.closest("section").dataset.panel)"""
        )
        assert hidden == [], f"tables wider than their panel with no scroll cue at {width}"


def test_a_supervisor_of_one_street_sees_only_that_street(dashboard: Dashboard, demo: Demo) -> None:
    token = supervisor(demo, STREET)
    dashboard.open(token)
    assert dashboard.street_options() == [STREET]
    assert dashboard.street() == STREET
    with demo.client(supervisor(demo)) as district:
        other_streets = {key.split(".")[1] for key in expected.caseload(district, None)}
    other_streets.discard(STREET)
    assert other_streets, "the demo has more than one street"
    for panel in ("caseload", "payouts"):
        for key, _ in dashboard.figures(panel):
            named = set(key.split(".")) & other_streets
            assert not named, f"{key} names another street"
    caseload = dashboard.figures("caseload")
    assert caseload and all(key.startswith(f"caseload.{STREET}.") for key, _ in caseload)
    who = {
        name: dashboard.page.text_content(f'[data-panel="who"] [data-field="{name}"]') or ""
        for name in ("user", "role", "area")
    }
    assert "browser-supervisor-street" in who["user"]
    assert "supervisor" in who["role"] and STREET in who["area"]
    with demo.client(token) as client:
        assert_figures_match(dashboard, "caseload", expected.caseload(client, None))
        assert_figures_match(dashboard, "kpis", expected.kpis(client, dashboard.year(), STREET))
    # payroll is a district-wide family: a street-bound supervisor is refused it, calmly
    assert dashboard.state("payouts") in ("forbidden", "ok")


def test_a_caseworker_sees_calm_refusals_and_the_page_polls(
    dashboard: Dashboard, demo: Demo
) -> None:
    """A caseworker may not read payroll nor the organisations, nor open the event streams."""
    dashboard.open(demo.token("browser-caseworker", "caseworker", STREET))
    for panel in ("payouts", "organizations", "villages"):
        assert dashboard.state(panel) == "forbidden", panel
        assert dashboard.figures(panel) == []
    assert dashboard.state("caseload") == "ok"
    dashboard.page.wait_for_selector('[data-live="polling"]', timeout=10_000)


def test_a_demo_role_opens_the_page_without_pasting_a_token(dashboard: Dashboard) -> None:
    page = dashboard.page
    page.goto(dashboard.base + "/")
    page.locator('select#dev-role option[value="dev-supervisor"]').wait_for(state="attached")
    page.select_option("select#dev-role", "dev-supervisor")
    dashboard.wait_ready()
    assert "dev-supervisor" in (page.text_content('[data-panel="who"] [data-field="user"]') or "")
    assert {panel: dashboard.state(panel) for panel in PANELS} == dict.fromkeys(PANELS, "ok")


def test_the_english_toggle_relabels_the_page_and_survives_a_reload(
    dashboard: Dashboard, demo: Demo
) -> None:
    dashboard.open(supervisor(demo))
    page = dashboard.page
    assert page.get_attribute("html", "lang") == "zh-CN"
    titles_zh = dashboard.panel_titles()
    charts_zh = dashboard.chart_options()
    assert any(CJK.search(title) for title in titles_zh), "Chinese panel titles by default"
    loaded = {panel: dashboard.loaded(panel) for panel in PANELS}

    page.click('[data-action="lang"]')
    page.wait_for_function("document.documentElement.lang === 'en'")
    page.wait_for_function(
        "(n) => { const t = Array.from(document.querySelectorAll("
        "'section[data-panel] :is(h1, h2, h3, h4)'), (h) => h.textContent).join(''); "
        "return t.length > 0 && !/[\\u3400-\\u9fff]/.test(t); }",
        arg=0,
    )
    assert "supervision dashboard" in (page.text_content("h1") or "").lower()
    titles_en = dashboard.panel_titles()
    assert titles_en != titles_zh
    assert not [t for t in titles_en if CJK.search(t)], "Chinese left in the panel titles"
    assert charts_zh, "the page draws ECharts charts"
    dashboard.wait_ready()
    dashboard.wait_charts_changed(charts_zh)
    charts_en = dashboard.chart_options()
    assert len(charts_en) == len(charts_zh)
    redrawn = sum(a != b for a, b in zip(charts_zh, charts_en, strict=True))
    print(f"charts redrawn with English labels: {redrawn} of {len(charts_zh)}")
    assert redrawn == len(charts_zh), "every chart is redrawn with English labels"
    assert all(dashboard.loaded(panel) >= loaded[panel] for panel in PANELS)

    page.reload()
    dashboard.wait_ready()
    assert page.get_attribute("html", "lang") == "en"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "dashboard-en-1280x800.png"))
    assert not [t for t in dashboard.panel_titles() if CJK.search(t)]


def test_a_figure_drills_down_to_its_cases_and_a_case_to_its_file(
    dashboard: Dashboard, demo: Demo
) -> None:
    token = supervisor(demo)
    dashboard.open(token)
    page = dashboard.page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    figure = page.locator(
        'section[data-panel="caseload"] a[href^="#/cases"][data-figure]:not([data-value="0"]), '
        'section[data-panel="caseload"] a[href^="#/cases"] [data-figure]:not([data-value="0"])'
    ).first
    value = number(figure.get_attribute("data-value"))
    assert value
    figure.click()
    cases = page.locator('section[data-page="cases"][data-total]')
    cases.wait_for()
    assert number(cases.get_attribute("data-total")) == value
    page.screenshot(path=str(SCREENSHOTS / "cases-1280x800.png"))
    row = page.locator("tr[data-case-id]").first
    case_id = row.get_attribute("data-case-id")
    assert case_id
    link = row.locator("a")
    (link.first if link.count() else row).click()
    case = page.locator(f'section[data-page="case"][data-case-id="{case_id}"]')
    case.wait_for()
    page.locator("[data-timeline-entry]").first.wait_for()

    with demo.client(token) as client:
        shown = expected.ask(
            client, "query($id: ID!) { case(id: $id) { applicantName timeline { version } } }",
            id=case_id,
        )["case"]  # fmt: skip
    assert page.locator("[data-timeline-entry]").count() == len(shown["timeline"])
    masked = shown["applicantName"]
    assert masked and "*" in masked, "a supervisor sees names masked"
    assert masked in (case.text_content() or "")
    approver = demo.token("browser-approver", "approver")
    with demo.client(approver) as client:
        client.headers["X-Purpose"] = "browser test: the page must not show this name"
        full = expected.ask(
            client, "query($id: ID!) { case(id: $id) { applicantName } }", id=case_id
        )
    assert full["case"]["applicantName"] not in (page.text_content("body") or "")

    page.screenshot(path=str(SCREENSHOTS / "case-1280x800.png"), full_page=True)
    with page.expect_download() as download:
        page.click('[data-action="export"]')
    saved = download.value.path()
    assert saved.stat().st_size > 0
    assert case_id in saved.read_text(encoding="utf-8"), "the case file of that case"
    timing("drill-down: figure -> cases -> case -> export", time.monotonic() - started)

    page.click('a[data-action="overview"]')
    dashboard.wait_ready()
    findings, total = drill(dashboard, "audit", "#/findings", "findings")
    assert total == findings
    assert page.locator("[data-finding-id]").count() == min(findings, 50)
    page.click('a[data-action="overview"]')
    dashboard.wait_ready()
    _, payouts = drill(dashboard, "payouts", "#/payouts", "payouts")
    assert payouts > 0


def drill(dash: Dashboard, panel: str, href: str, name: str) -> tuple[float, float]:
    """Click the panel's first non-zero linked figure; (its value, the list's data-total)."""
    figure = dash.page.locator(
        f'section[data-panel="{panel}"] a[href^="{href}"][data-figure]:not([data-value="0"]), '
        f'section[data-panel="{panel}"] a[href^="{href}"] [data-figure]:not([data-value="0"])'
    ).first
    value = number(figure.get_attribute("data-value"))
    assert value, f"no linked figure in {panel}"
    figure.click()
    listed = dash.page.locator(f'section[data-page="{name}"][data-total]')
    listed.wait_for()
    return value, number(listed.get_attribute("data-total")) or 0


def test_overdue_organisation_and_payout_figures_open_lists_that_add_up_to_them(
    dashboard: Dashboard, demo: Demo
) -> None:
    """For a past year: each overdue part (now, completed late), each organisation figure (a
    year-end snapshot, its list as on the same day) and a payout amount (the list's 万元 total)."""
    dashboard.open(supervisor(demo))
    dashboard.choose("select#year", str(YEAR))
    page = dashboard.page
    links = page.locator(
        'section[data-panel="overdue"] a[data-figure$=".open"]:not([data-value="0"]), '
        'section[data-panel="overdue"] a[data-figure$=".completedLate"]:not([data-value="0"]), '
        'section[data-panel="organizations"] a[data-figure]:not([data-value="0"])'
    )
    wanted = [
        (links.nth(i).get_attribute("data-figure"), links.nth(i).get_attribute("data-value"),
         links.nth(i).get_attribute("href"))
        for i in range(links.count())
    ]  # fmt: skip
    assert any(".open" in str(k) for k, _, _ in wanted), "overdue now, with its own link"
    assert any(".completedLate" in str(k) for k, _, _ in wanted), "completed late, too"
    assert any(str(k).startswith("organizations.") for k, _, _ in wanted)
    amount = page.locator('section[data-panel="payouts"] a[data-figure][href^="#/payouts"]'
                          ':not([data-value="0"])').first  # fmt: skip
    fen, payouts_href = amount.get_attribute("data-value"), amount.get_attribute("href")
    for key, value, href in wanted:
        page.evaluate("h => { location.hash = h; }", href)
        listed = page.locator('section[data-page][data-state="ok"][data-total]')
        listed.wait_for()
        assert listed.get_attribute("data-total") == value, (key, href)
        page.evaluate("() => { location.hash = '#/'; }")
        page.locator('section[data-panel="overview"], section[data-panel="kpis"]').first.wait_for()
    page.evaluate("h => { location.hash = h; }", payouts_href)
    total = page.locator('section[data-page="payouts"] [data-field="amount"]')
    total.wait_for()
    assert total.get_attribute("data-value") == fen, "the list's money total is the figure"
    print(f"figure links compared with their lists: {len(wanted)} and one amount")


def test_a_command_through_the_api_updates_the_page_without_a_reload(
    dashboard: Dashboard, demo: Demo
) -> None:
    dashboard.open(supervisor(demo))
    page = dashboard.page
    key = f"caseload.{STREET}.submitted"
    before = dashboard.figure(key) or 0
    loaded = dashboard.loaded("caseload")
    page.evaluate("window.__marker = 'still the same page'")
    page.wait_for_selector('[data-live="connected"]', timeout=10_000)

    body = {
        "programme": "DIBAO", "street": STREET, "community": "新闸社区", "channel": "counter",
        "occurred_on": "2024-03-01",
        "members": [{"name": "浏览器测试", "relation": "self",
                     "id_number": make_id_number("320404", date(1950, 5, 17), 977)}],
    }  # fmt: skip
    with demo.client(demo.token("browser-caseworker", "caseworker", STREET)) as client:
        started = time.monotonic()
        r = client.post("/api/v1/cases", json=body)
        assert r.status_code in (200, 201), r.text
    page.wait_for_function(
        "([key, want, loaded]) => {"
        ' const f = document.querySelector(`[data-figure="${key}"]`);'
        " const s = document.querySelector('section[data-panel=\"caseload\"]');"
        " return f && Number(f.dataset.value) === want && Number(s.dataset.loaded) > loaded; }",
        arg=[key, before + 1, loaded],
        timeout=10_000,
    )
    timing("a submitted application reaches the page (live, no reload)", time.monotonic() - started)
    assert page.evaluate("window.__marker") == "still the same page"


def test_a_street_supervisor_picks_an_earlier_year_and_sees_that_years_figures(
    dashboard: Dashboard, demo: Demo
) -> None:
    """Payroll is district-wide, so a street-bound supervisor is refused it: the year choices
    must still come from what it may read (temporary assistance), not only this year."""
    token = supervisor(demo, STREET)
    dashboard.open(token)
    page = dashboard.page
    years: list[int] = page.eval_on_selector_all(
        "select#year option", "(os) => os.map((o) => Number(o.value))"
    )
    assert YEAR in years and len(years) > 1, f"the years of the data, not only this year: {years}"
    dashboard.choose("select#year", str(max(years)))
    dashboard.choose("select#year", str(YEAR))
    assert dashboard.year() == YEAR
    with demo.client(token) as client:
        assert_figures_match(dashboard, "kpis", expected.kpis(client, YEAR, STREET))
        if dashboard.figures("temporary"):
            assert_figures_match(dashboard, "temporary", expected.temporary(client, YEAR, STREET))
    # One label, one number: the beds panel's share is at the year's end, as the KPI card's.
    assert dashboard.figure("beds.nursingShare") == dashboard.figure("kpis.nursingBedShare")
    # The district's bed target is not this street's denominator (nor 2023's: the 2024 plan).
    assert dashboard.figure("kpis.bedsConversionTarget") is None
    scopes = page.text_content('section[data-panel="kpis"] [data-scope]') or ""
    assert str(YEAR) in scopes and STREET in scopes, "the panel says which year and street"


def test_the_live_stream_recovers_from_frames_it_cannot_read(
    dashboard: Dashboard, demo: Demo
) -> None:
    """The first two streams answer 200 with a frame that is not JSON and end: the page skips
    the frame, backs off (a 200 alone does not reset the pause), and the third, real stream
    still brings a command's change to the page."""
    page = dashboard.page
    asked: list[float] = []

    def stream(route: Any) -> None:
        asked.append(time.monotonic())
        if len(asked) <= 2:
            route.fulfill(
                status=200, headers={"content-type": "text/event-stream"},
                body='data: {"type": "AssistanceCase.Broken", "position": \n\n',
            )  # fmt: skip
        else:
            route.continue_()

    page.route("**/api/v1/events/stream*", stream)
    dashboard.open(supervisor(demo))
    deadline = time.monotonic() + 15
    while len(asked) < 3 and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    assert len(asked) >= 3, "the page reconnects after streams it could not read"
    pauses = [round(b - a, 2) for a, b in itertools.pairwise(asked)]
    print(f"pauses between stream requests (s): {pauses}")
    page.wait_for_selector('[data-live="connected"]', timeout=10_000)
    page.wait_for_timeout(300)  # the real stream is open

    key = f"caseload.{STREET}.submitted"
    before = dashboard.figure(key) or 0
    body = {
        "programme": "DIBAO", "street": STREET, "community": "新闸社区", "channel": "counter",
        "occurred_on": "2024-03-02",
        "members": [{"name": "流恢复测试", "relation": "self",
                     "id_number": make_id_number("320404", date(1951, 6, 18), 979)}],
    }  # fmt: skip
    with demo.client(demo.token("browser-caseworker", "caseworker", STREET)) as client:
        r = client.post("/api/v1/cases", json=body)
        assert r.status_code in (200, 201), r.text
    page.wait_for_function(
        "([key, want]) => {"
        ' const f = document.querySelector(`[data-figure="${key}"]`);'
        " return f && Number(f.dataset.value) >= want; }",
        arg=[key, before + 1],
        timeout=10_000,
    )
    assert len(asked) == 3, "one real stream: no reconnect once it works"
