"""Finding the Chromium the browser tests drive, and saying loudly when there is none.

Playwright drives Debian's `chromium` package through `executable_path`; it never downloads
a browser (`playwright install` is never run). Without a browser the tests are skipped with a
reason naming what is missing, unless LEDGER_TEST_REQUIRE_BROWSER=1 (CI), where they fail.
The order matches scripts/find-chromium, which `make test` and `.ci/run` use.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import httpx
import pytest

from api.container import Container
from api.credentials import mint
from api.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
TIMINGS: list[str] = []


def timing(label: str, seconds: float) -> None:
    """A timing for the end-of-run summary (never asserted)."""
    line = f"{label}: {seconds * 1000:.0f} ms"
    TIMINGS.append(line)
    print(line)


@dataclass
class Demo:
    """The served demo district: its address, settings (to mint tokens) and container."""

    base: str
    settings: Settings
    container: Container

    def token(self, user: str, role: str, street: str | None = None) -> str:
        return mint(self.settings, user, role, street)

    def client(self, token: str) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"}
        return httpx.Client(base_url=self.base, headers=headers, timeout=30)

    def head(self) -> int:
        return self.container.ledger.latest_position()


INSTALL_HINT = "apt-get install chromium (Debian's package), or set LEDGER_TEST_CHROMIUM"


def find_chromium() -> str | None:
    """LEDGER_TEST_CHROMIUM (a path or a command), /usr/bin/chromium, then PATH."""
    wanted = os.environ.get("LEDGER_TEST_CHROMIUM", "").strip()
    if wanted:
        return shutil.which(wanted)  # no silent fallback when a browser was named
    for candidate in ("/usr/bin/chromium", "chromium", "chromium-browser"):
        found = shutil.which(candidate)
        if found:
            return found
    return None


def browser_missing(what: str) -> NoReturn:
    """Skip (loudly) or, when CI requires the browser tests, fail."""
    message = f"BROWSER TESTS SKIPPED: {what}"
    if os.environ.get("LEDGER_TEST_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{what} (LEDGER_TEST_REQUIRE_BROWSER=1: browser tests must run)")
    pytest.skip(message)


def chromium_or_skip() -> str:
    """The browser's path; skips or fails when it (or Playwright) is missing."""
    wanted = os.environ.get("LEDGER_TEST_CHROMIUM", "").strip()
    path = find_chromium()
    if path is None:
        if wanted:
            browser_missing(f"LEDGER_TEST_CHROMIUM={wanted} is not an executable")
        browser_missing(f"no Chromium: {INSTALL_HINT}")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        browser_missing("Playwright for Python is not installed: make install (dev extras)")
    return path
