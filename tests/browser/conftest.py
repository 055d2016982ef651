"""One demo server and one Chromium per module, a fresh browser context per test.

The server is the e2e tests' `serving()` (uvicorn on a free port) over a SQLite demo district
of 10 households: the browser tests are about the page, not the backend, so one backend.
Timings are collected and printed at the end of the run (and recorded as JUnit properties).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import TIMINGS, Demo, chromium_or_skip, timing
from dashboard_page import Dashboard, Watch

from api.container import build
from api.demo.district import DemoDistrict
from api.settings import Settings
from tests.e2e.conftest import serving

#: The timings already put into the JUnit report.
REPORTED: list[str] = []


@pytest.fixture(autouse=True)
def timings_in_junit(request: pytest.FixtureRequest) -> Iterator[None]:
    """The timings not yet reported (the module's set-up's too) go into the JUnit report, as
    properties of the test that made them; they reach it also from a pytest-xdist worker."""
    yield
    for n, line in enumerate(TIMINGS[len(REPORTED) :]):
        request.node.user_properties.append((f"timing{n}", line))
    REPORTED[:] = TIMINGS


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One headless Chromium for the module: Debian's, never a downloaded one."""
    path = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    with sync_playwright() as playwright:
        # chromium_sandbox=False (Playwright's default) passes --no-sandbox, which Chromium
        # needs as root in CI and in containers without user namespaces.
        browser = playwright.chromium.launch(executable_path=path, chromium_sandbox=False)
        timing(f"Chromium {browser.version} launched", time.monotonic() - started)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def demo(chromium: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo district (10 households) on SQLite, served; views caught up before use."""
    tmp = sqlite_dir(tmp_path_factory)
    settings = Settings(
        database_url=f"sqlite:///{tmp}/ledger.sqlite3",
        poll_interval=0.05,
        load_demo_when_empty=False,
        min_position_timeout=5.0,
        signing_key_file=tmp / "dev-signing-key",
        clock=False,  # the demo records its own days; nothing moves while the page is read
    )
    started = time.monotonic()
    container = build(settings)
    try:
        container.runner.start()
        DemoDistrict(container.ledger).load(households=10)
        with serving(container) as base:
            served = Demo(base, settings, container)
            with served.client(served.token("browser-supervisor", "supervisor")) as client:
                client.post(
                    "/graphql",
                    json={"query": "{ projectionStatus { name } }"},
                    headers={"X-Min-Position": str(served.head())},
                ).raise_for_status()
            timing("demo district loaded, served and caught up", time.monotonic() - started)
            yield served
    finally:
        container.close()
        shutil.rmtree(tmp, ignore_errors=True)


def sqlite_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for the demo's SQLite file in memory-backed storage (LEDGER_TEST_SQLITE_DIR,
    else /dev/shm where it is writable), where a commit's fsync costs nothing: the demo loads
    in about a third of the time. Else the run's tmp folder."""
    for base in (os.environ.get("LEDGER_TEST_SQLITE_DIR"), "/dev/shm"):
        if base and os.path.isdir(base) and os.access(base, os.W_OK):
            return Path(tempfile.mkdtemp(prefix="caseledger-browser-", dir=base))
    return Path(tmp_path_factory.mktemp("browser-demo"))


@pytest.fixture
def watch(demo: Demo) -> Watch:
    return Watch(demo.base)


@pytest.fixture
def dashboard(chromium: Any, demo: Demo, watch: Watch) -> Iterator[Dashboard]:
    """A fresh context (no token, no language stored) at 1280x800, watched for requests to
    other hosts and console errors, both of which fail the test."""
    context = chromium.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    watch.attach(page)
    try:
        yield Dashboard(page, demo.base)
    finally:
        context.close()
    assert watch.foreign() == [], "the page asked another host"
    assert watch.errors == [], "the page logged errors"
