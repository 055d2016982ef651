"""The dashboard as the tests see it: the DOM contract of issue 11, read through Playwright.

Everything here reads the contract's attributes (`data-panel`, `data-state`, `data-loaded`,
`data-figure`, `data-value`, `data-page`, ...), never the page's styling or wording, so the
page may change its looks without breaking the tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import ConsoleMessage, Page, Request

#: Every panel of the overview, in the contract's names.
PANELS = (
    "kpis", "payouts", "caseload", "overdue", "temporary", "beds", "organizations",
    "villages", "audit", "integrity", "health",
)  # fmt: skip
SETTLED = ("ok", "forbidden", "error")
CJK = re.compile(r"[\u3400-\u9fff]")

#: True (with the time since navigation start, in ms) once every panel has settled.
_READY = """(names) => {
  const settled = names.every((n) => {
    const s = document.querySelector(`section[data-panel="${n}"]`);
    return s && ["ok", "forbidden", "error"].includes(s.dataset.state);
  });
  return settled ? performance.now() : false;
}"""

_FIGURES = """(panel) => Array.from(
  document.querySelectorAll(`section[data-panel="${panel}"] [data-figure]`),
  (e) => [e.dataset.figure, e.hasAttribute("data-value") ? e.dataset.value : null],
)"""


_CHARTS = """Array.from(document.querySelectorAll("[_echarts_instance_]"), (d) => {
  const chart = window.echarts && window.echarts.getInstanceByDom(d);
  return chart ? JSON.stringify(chart.getOption()) : "";
})"""


@dataclass
class Watch:
    """What the page asked for and complained about, from the moment it was opened."""

    base: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        page.on("request", self._request)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))

    def _request(self, request: Request) -> None:
        self.requests.append(request.url)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console.error: {message.text} ({message.location})")

    def foreign(self) -> list[str]:
        """Requests to anywhere but the ledger (data: and blob: URLs are the page's own)."""
        own = (self.base + "/", "data:", "blob:")
        return [url for url in self.requests if not url.startswith(own) and url != self.base]


class Dashboard:
    """One page of the dashboard, opened with a token through the page's own token field."""

    def __init__(self, page: Page, base: str) -> None:
        self.page = page
        self.base = base

    def open(self, token: str, timeout_ms: float = 15_000) -> float:
        """Go to `/`, paste the token, press "use"; the ms until every panel settled."""
        self.page.goto(self.base + "/")
        self.page.fill("input#token", token)
        self.page.click('[data-action="use-token"]')
        return self.wait_ready(timeout_ms)

    def wait_ready(self, timeout_ms: float = 15_000) -> float:
        """Wait until no panel is loading; the time since navigation start, in ms."""
        handle = self.page.wait_for_function(_READY, arg=list(PANELS), timeout=timeout_ms)
        return float(handle.json_value())

    def choose(self, select: str, value: str, timeout_ms: float = 15_000) -> None:
        """Pick a year or street; wait until every panel that had loaded has loaded again."""
        if self.page.input_value(select) == value:
            return
        before = {p: self.loaded(p) for p in PANELS if self.state(p) == "ok"}
        self.page.select_option(select, value)
        self.page.wait_for_function(
            """(before) => Object.entries(before).every(([n, loaded]) => {
                 const s = document.querySelector(`section[data-panel="${n}"]`);
                 return Number(s.dataset.loaded) > loaded && s.dataset.state !== "loading";
               })""",
            arg=before,
            timeout=timeout_ms,
        )
        self.wait_ready(timeout_ms)

    def state(self, panel: str) -> str:
        return str(self.page.get_attribute(f'section[data-panel="{panel}"]', "data-state"))

    def loaded(self, panel: str) -> int:
        value = self.page.get_attribute(f'section[data-panel="{panel}"]', "data-loaded")
        return int(value or 0)

    def figures(self, panel: str) -> list[tuple[str, str | None]]:
        """Every `[data-figure]` in the panel: (key, raw `data-value`)."""
        return [(k, v) for k, v in self.page.evaluate(_FIGURES, panel)]

    def figure(self, key: str) -> float | None:
        """One figure's value (None when the page does not show it)."""
        found = self.page.query_selector(f'[data-figure="{key}"]')
        if found is None:
            return None
        return number(found.get_attribute("data-value"))

    def year(self) -> int:
        return int(self.page.input_value("select#year"))

    def street(self) -> str | None:
        return self.page.input_value("select#street") or None

    def street_options(self) -> list[str]:
        options: list[str] = self.page.eval_on_selector_all(
            "select#street option", "(os) => os.map((o) => o.value)"
        )
        return options

    def panel_titles(self) -> list[str]:
        """The headings of the overview's panels."""
        titles: list[str] = self.page.eval_on_selector_all(
            "section[data-panel] :is(h1, h2, h3, h4)", "(hs) => hs.map((h) => h.textContent)"
        )
        return titles

    def chart_options(self) -> list[str]:
        """Every ECharts instance's current option as JSON (what it draws, labels included)."""
        options: list[str] = self.page.evaluate(f"() => {_CHARTS}")
        return options

    def wait_charts_changed(self, before: list[str], timeout_ms: float = 10_000) -> None:
        """Wait until every chart draws something other than `before` (e.g. new labels)."""
        self.page.wait_for_function(
            f"(before) => {{ const now = {_CHARTS};"
            " return now.length === before.length && now.every((o, i) => o !== before[i]); }",
            arg=before,
            timeout=timeout_ms,
        )


def number(raw: str | None) -> float | None:
    """A `data-value` as a number; None for a missing or null value."""
    if raw is None or raw in ("", "null"):
        return None
    return float(raw)


def same(raw: str | None, expected: Any) -> bool:
    """Does the page's raw value equal the GraphQL answer's?"""
    if expected is None:
        return number(raw) is None
    if isinstance(expected, bool) or not isinstance(expected, int | float):
        return raw == str(expected)
    value = number(raw)
    return value is not None and value == float(expected)
