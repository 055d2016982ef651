"""Helpers shared by the stream tests: writers that keep committing, and the log's positions."""

from __future__ import annotations

import threading
import time
from typing import Any

from builders import WORKER, application, new_id_number

from domain.ledger import Ledger
from projections.feed.reader import EVERYTHING, READ_BATCH, LogReader


def commit_cases(ledger: Ledger, count: int) -> list[int]:
    """Submit `count` applications; the position each was committed at."""
    return [ledger.submit_application(application(), WORKER).position for _ in range(count)]


class KeepWriting:
    """Commits applications from a thread (`count` of them, `pause` seconds apart)."""

    def __init__(self, ledger: Ledger, count: int, pause: float = 0.0):
        self.ledger, self.count, self.pause = ledger, count, pause
        self.positions: list[int] = []
        self.errors: list[BaseException] = []
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            for _ in range(self.count):
                self.positions.extend(commit_cases(self.ledger, 1))
                if self.pause:
                    time.sleep(self.pause)
        except BaseException as e:
            self.errors.append(e)

    def start(self) -> KeepWriting:
        self._thread.start()
        return self

    def join(self, timeout: float = 60) -> list[int]:
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "the writer did not finish"
        assert not self.errors, self.errors
        return self.positions

    def __enter__(self) -> KeepWriting:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.join()


def log_positions(app: Any, after: int = 0, upto: int | None = None) -> list[int]:
    """Every position in the ledger's log after `after` (and up to `upto`), read afresh."""
    reader = LogReader(app)
    found: list[int] = []
    while True:
        page = reader.read(after, READ_BATCH, EVERYTHING)
        found += [e.position for e in page.events]
        after = page.scanned_to
        if page.at_head:
            break
    return [p for p in found if upto is None or p <= upto]


def until(condition: Any, what: str, timeout: float = 15.0) -> None:
    """Poll `condition()` (with a generous deadline)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.02)


def commit_large_cases(ledger: Ledger, count: int, members: int = 40) -> None:
    """Submit `count` applications of `members` people each (2 events a member and one more,
    about 40 KB of envelopes each): enough bytes, quickly, to fill a stalled socket's buffers."""
    for _ in range(count):
        household = [
            {
                "name": "测试甲" * 5,
                "id_number": new_id_number(),
                "relation": "child",
                "counted": True,
            }
            for _ in range(members)
        ]
        household[0]["relation"] = "self"
        ledger.submit_application(application(members=household), WORKER)
