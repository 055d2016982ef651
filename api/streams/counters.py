"""Counters the stream transports keep for /metrics (per process, since its start)."""

from __future__ import annotations

import threading
from collections import Counter

_lock = threading.Lock()
#: (kind, code) -> subscribers disconnected: kind `sse` or `subscription`; code `fell_behind`,
#: `send_timeout`, `token_expired`, `record_failed`, ...
disconnects: Counter[tuple[str, str]] = Counter()


def count_disconnect(kind: str, code: str) -> None:
    with _lock:
        disconnects[(kind, code)] += 1


def disconnect_counts() -> dict[tuple[str, str], int]:
    with _lock:
        return dict(disconnects)
