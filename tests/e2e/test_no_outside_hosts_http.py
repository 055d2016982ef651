"""Every page the ledger serves loads its scripts, styles, images and fonts from the ledger
itself: a bureau's intranet reaches no CDN. The pages are found from the app's routes, so a new
page is checked without touching this test. On one backend: it is about pages, not storage."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from conftest import serving
from fastapi.routing import iter_route_contexts

from api.app import create_app
from api.container import build
from api.settings import Settings
from api.web.assets import VENDOR, check, load_lock
from tests.browser.browser_support import browser_missing, find_chromium

pytestmark = pytest.mark.e2e
KNOWN_PAGES = {"/", "/graphql", "/docs", "/redoc"}
_CSS_URL = re.compile(r"""url\(\s*(["']?)(.*?)\1\s*\)|@import\s+(["'])(.*?)\3""", re.S)
_JS_IMPORT = re.compile(r"""(?:\bimport\b[^"'();]*?\bfrom\s*|\bimport\s*\(?\s*)(["'])(.+?)\1""")
_CDN_IN_VENDOR = re.compile(
    r"""@import\s+(url\()?["']?https?://|fonts\.(googleapis|gstatic)\.com"""
    r"""|url\(["']?https?://[^)]*\.(woff2?|ttf|otf|eot)""",
    re.I,
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[str]]]:
    """A served ledger (SQLite, docs open) and the GET routes without path parameters."""
    stale = check(load_lock())
    assert not stale, f"vendor files not fetched ({stale}): run python -m api.web.assets fetch"
    folder = tmp_path_factory.mktemp("pages")
    settings = Settings(
        database_url=f"sqlite:///{folder}/ledger.sqlite3",
        load_demo_when_empty=False,
        signing_key_file=folder / "dev-signing-key",
        public_docs=True,
        clock=False,
    )
    container = build(settings)
    routes = iter_route_contexts(create_app(container=container).routes)  # included ones too
    paths = sorted({r.path for r in routes if "GET" in (r.methods or ()) and "{" not in r.path})
    try:
        with serving(container) as base:
            yield base, paths
    finally:
        container.close()


class References(HTMLParser):
    """What a page makes the browser fetch: src of any element, href of <link>, and url()/@import
    in <style> and style attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []  # (kind, reference)
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "src" in a:
            self.found.append(("script" if tag == "script" else "image", a["src"]))
        if tag == "link" and "href" in a:
            self.found.append(("style" if "stylesheet" in a.get("rel", "") else "image", a["href"]))
        self.found += [("css", ref) for ref in css_references(a.get("style", ""))]
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.found += [("css", ref) for ref in css_references(data)]


def css_references(css: str) -> list[str]:
    return [m.group(2) or m.group(4) for m in _CSS_URL.finditer(css) if m.group(2) or m.group(4)]


def same_origin(base: str, page: str, ref: str) -> str | None:
    """The absolute URL of a reference to the ledger itself; None for a data: URL."""
    if ref.startswith("data:"):
        return None
    url = urljoin(page, ref)
    assert urlsplit(url).netloc == urlsplit(base).netloc, f"{page} loads {ref} from another host"
    return url


EXPECTED_TYPE = {"script": "javascript", "style": "text/css", "image": "image/", "css": ""}


def test_every_served_page_loads_everything_from_the_ledger(site: tuple[str, list[str]]) -> None:
    base, paths = site
    pages: dict[str, str] = {}
    with httpx.Client(base_url=base, timeout=30) as client:
        for path in paths:  # streamed: only the headers are read unless it is a page
            with client.stream("GET", path, headers={"Accept": "text/html"}) as answer:
                if answer.headers.get("content-type", "").startswith("text/html"):
                    pages[base + path] = answer.read().decode()
        assert {base + p for p in KNOWN_PAGES} <= set(pages), sorted(pages)

        checked: dict[str, str] = {}
        pending: list[tuple[str, str, str]] = []  # (kind, url, from)
        for page, html in pages.items():
            parser = References()
            parser.feed(html)
            for kind, ref in parser.found:
                if url := same_origin(base, page, ref):
                    pending.append((kind, url, page))
        while pending:
            kind, url, origin = pending.pop()
            if url in checked:
                continue
            answer = client.get(url)
            content_type = answer.headers.get("content-type", "")
            assert answer.status_code == 200, f"{origin} loads {url}: {answer.status_code}"
            assert EXPECTED_TYPE[kind] in content_type, f"{url} is {content_type}, not {kind}"
            checked[url] = content_type
            if "text/css" in content_type:  # what a stylesheet loads in turn
                for ref in css_references(answer.text):
                    if nested := same_origin(base, url, ref):
                        pending.append(("css", nested, url))
            if "javascript" in content_type and "/static/" in url:  # our modules' imports
                for m in _JS_IMPORT.finditer(answer.text):
                    if nested := same_origin(base, url, m.group(2)):
                        pending.append(("script", nested, url))
    print(f"\n{len(pages)} pages ({', '.join(sorted(pages))}), {len(checked)} files, all local")
    assert any(u.endswith("/vendor/graphiql/graphiql.min.js") for u in checked)
    assert any(u.endswith("/vendor/swagger-ui-dist/swagger-ui-bundle.js") for u in checked)
    assert any(u.endswith("/vendor/redoc/bundles/redoc.standalone.js") for u in checked)


def test_every_page_forbids_other_hosts_in_its_content_security_policy(
    site: tuple[str, list[str]],
) -> None:
    base, _ = site
    with httpx.Client(base_url=base, timeout=30) as client:
        for path in sorted(KNOWN_PAGES):
            answer = client.get(path, headers={"Accept": "text/html"})
            policy = answer.headers["content-security-policy"]
            assert "default-src 'self'" in policy
            assert "http" not in policy and "*" not in policy, policy
            assert answer.headers["x-content-type-options"] == "nosniff"
        dashboard = client.get("/").headers["content-security-policy"]
        assert "script-src" not in dashboard  # default-src 'self': no inline script at all
        assert "connect-src 'self'" in dashboard


#: What each third-party page shows once its scripts ran, in chromium's rendered DOM.
RENDERED = {"/graphql": "graphiql-editor", "/docs": "opblock-tag", "/redoc": "api-content"}


@pytest.mark.browser
def test_graphiql_and_the_docs_render_in_chromium_under_their_policy(
    site: tuple[str, list[str]], tmp_path: Path
) -> None:
    browser = find_chromium()
    if browser is None:  # skips loudly, or fails when CI requires the browser tests
        browser_missing("no Chromium: GraphiQL, /docs and /redoc were not rendered")
    base, _ = site
    flags = ["--headless=new", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0"]
    runs = {}  # in parallel: a few seconds in all
    for path in RENDERED:
        profile = f"--user-data-dir={tmp_path / path.strip('/')}"
        command = [
            browser,
            *flags,
            profile,
            "--virtual-time-budget=1500",
            "--dump-dom",
            base + path,
        ]
        runs[path] = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
    for path, run in runs.items():
        dom, log = run.communicate(timeout=60)
        assert RENDERED[path] in dom, f"{path} did not render in chromium"
        refused = [
            line
            for line in log.splitlines()
            if "Content Security Policy" in line
            and "https://cdn.redoc.ly/redoc/logo-mini.svg" not in line  # the one ReDoc tries
        ]
        assert not refused, f"{path}: the policy refused {refused}"


def test_swagger_never_calls_the_outside_validator(site: tuple[str, list[str]]) -> None:
    base, _ = site
    assert '"validatorUrl": null' in httpx.get(f"{base}/docs", timeout=30).text


def test_no_vendor_file_imports_a_stylesheet_or_font_from_a_cdn() -> None:
    files = [p for p in Path(VENDOR).rglob("*") if p.suffix in (".css", ".js")]
    assert files
    offenders = [
        f"{p.relative_to(VENDOR)}: {m.group(0)}"
        for p in files
        for m in _CDN_IN_VENDOR.finditer(p.read_text("utf-8", errors="replace"))
    ]
    assert not offenders
