"""PostgreSQL LISTEN on the ledger's channel: wakes readers early, never the only way in.

NOTIFY is only a hint: a reader always polls too, so a killed LISTEN connection, a restart of
PostgreSQL or a lost notification delays delivery by at most a poll interval and loses
nothing. The connection names itself (`application_name`) so an operator can find it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger("caseledger.feed")

APPLICATION_NAME = "caseledger-listen"
#: Seconds to wait for the server when (re)connecting: an unreachable host does not hang it.
CONNECT_TIMEOUT = 5


class NotifyListener:
    """A daemon thread that LISTENs and calls every `wake` callback on each notification."""

    def __init__(self, conninfo: str, channel: str, retry_seconds: float = 1.0):
        self.conninfo = conninfo
        self.channel = channel
        self.retry_seconds = retry_seconds
        self.callbacks: list[Callable[[], None]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        #: How many times it (re)connected: a test or an operator can see it came back.
        self.connections = 0

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            if not self._stop.is_set():
                return
            self._thread.join(timeout=3)  # stopping: let it end before starting anew
        self._stop = threading.Event()  # one still connecting keeps its own, set: it ends
        self._thread = threading.Thread(
            target=self._run, args=(self._stop,), name="notify", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Ask it to stop; it does within a second (the thread is a daemon)."""
        self._stop.set()

    def _wake(self) -> None:
        for callback in self.callbacks:
            callback()

    def _run(self, stop: threading.Event) -> None:
        import psycopg

        while not stop.is_set():
            try:
                with psycopg.connect(
                    self.conninfo, autocommit=True, application_name=APPLICATION_NAME,
                    connect_timeout=CONNECT_TIMEOUT,
                ) as conn:  # fmt: skip
                    conn.execute(f'LISTEN "{self.channel}"')
                    self.connections += 1
                    self._wake()  # what was committed while it was away is read now
                    while not stop.is_set():
                        for _ in conn.notifies(timeout=1.0, stop_after=1):
                            self._wake()
            except Exception as error:  # lost, refused, or a callback's bug: never end silently
                log.warning("LISTEN connection lost (%s); polling meanwhile", type(error).__name__)
                stop.wait(self.retry_seconds)
