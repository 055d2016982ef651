"""A lean keep-alive HTTP/1.1 client for the benchmarks' load (bench/commands.py,
bench/graphql.py, bench/streams.py): one connection, no pool, no hooks machinery.

The load's clients run on the same two cores as the server they measure, and all in one
Python process, so every client's CPU is taken from the server and every client waits for
the others' turn at the GIL. httpx spent about 1.05 ms of CPU on each `{ __typename }`
request here; `http.client` with the same keep-alive connection 0.30 ms (measured
2026-12-04, README "HTTP commands"). The server sees the same requests either way.
"""

from __future__ import annotations

import http.client
import json as jsonlib
from collections.abc import Callable
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

#: What a failed exchange raises (connection refused or reset, a malformed answer, a timeout).
TransportError = (OSError, http.client.HTTPException)


class Answer:
    """The status and body of one answer (the few parts of httpx.Response the load reads)."""

    __slots__ = ("content", "status_code")

    def __init__(self, status_code: int, content: bytes) -> None:
        self.status_code = status_code
        self.content = content

    @property
    def is_success(self) -> bool:
        return 200 <= self.status_code < 300

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        return jsonlib.loads(self.content)


class KeepAlive:
    """One keep-alive connection to `base` (http://host:port), reopened after the server
    closes it; `on_answer` sees every answer as it arrives."""

    def __init__(
        self, base: str, headers: dict[str, str] | None = None, timeout: float = 60.0,
        on_answer: Callable[[Answer], None] | None = None,
    ) -> None:  # fmt: skip
        parts = urlsplit(base)
        if parts.scheme != "http" or parts.hostname is None:
            raise ValueError(f"not an http://host:port base: {base!r}")
        self._conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=timeout)
        self._headers = dict(headers or {})
        self._on_answer = on_answer

    def get(self, path: str, headers: dict[str, str] | None = None) -> Answer:
        return self._exchange("GET", path, None, {**self._headers, **(headers or {})})

    def post(self, path: str, json: Any = None, headers: dict[str, str] | None = None) -> Answer:
        body = jsonlib.dumps(json, ensure_ascii=False, separators=(",", ":")).encode()
        sent = {**self._headers, "Content-Type": "application/json", **(headers or {})}
        return self._exchange("POST", path, body, sent)

    def _exchange(self, method: str, path: str, body: bytes | None,
                  headers: dict[str, str]) -> Answer:  # fmt: skip
        try:
            self._conn.request(method, path, body, headers)
            response = self._conn.getresponse()
            answer = Answer(response.status, response.read())
        except TransportError:
            self._conn.close()  # the next request opens a fresh connection
            raise
        if response.will_close:
            self._conn.close()
        if self._on_answer is not None:
            self._on_answer(answer)
        return answer

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> KeepAlive:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:  # fmt: skip
        self.close()
