"""THE LOG TEST: every log line of a demo load and of failing requests, read for personal data.

The server runs as `ledger serve` runs it (our JSON logs, uvicorn's logging left to us), every
logger at DEBUG, uvicorn's access log switched on as well (it must stay silent: ours replaces it).
"""

from __future__ import annotations

import io
import json
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import uvicorn
from builders import application
from conftest import _free_port, client_for

from api.app import create_app
from api.container import Container
from api.demo.district import DemoDistrict
from api.logs import configure_logging, uvicorn_options
from api.settings import Settings
from domain.ledger import Ledger

pytestmark = pytest.mark.e2e
PERSONAL_KEYS = ("name", "id_number", "bank_account")


@contextmanager
def captured_logs() -> Iterator[io.StringIO]:
    """Every logger through our JSON handler into a buffer; the logging set-up restored after."""
    root = logging.getLogger()
    names = ["uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi"]
    saved = (list(root.handlers), root.level,
             {n: (list(logging.getLogger(n).handlers), logging.getLogger(n).propagate,
                  logging.getLogger(n).disabled) for n in names})  # fmt: skip
    buffer = io.StringIO()
    configure_logging("DEBUG", stream=buffer)
    try:
        yield buffer
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        for n, (handlers, propagate, disabled) in saved[2].items():
            logger = logging.getLogger(n)
            logger.handlers[:], logger.propagate, logger.disabled = handlers, propagate, disabled


@contextmanager
def served_as_in_production(container: Container) -> Iterator[str]:
    port = _free_port()
    options = {**uvicorn_options("DEBUG"), "access_log": True}  # uvicorn's must stay silent
    config = uvicorn.Config(create_app(container=container), host="127.0.0.1", port=port,
                            **options)  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def personal_data(ledger: Ledger) -> set[str]:
    """Every name, ID number and bank account in the ledger's events (the `personal` blocks)."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            block = value.get("personal")
            if isinstance(block, dict):
                found.update(str(block[k]) for k in PERSONAL_KEYS if block.get(k))
            for v in value.values():
                walk(v)
        elif isinstance(value, list | tuple):
            for v in value:
                walk(v)

    start, head = 1, ledger.latest_position()
    while start <= head:
        notifications = ledger.recorder.select_notifications(start=start, limit=500)
        for n in notifications:
            walk(vars(ledger.mapper.to_domain_event(n)))
        start = notifications[-1].id + 1
    return found


def failing_requests(base: str, settings: Settings, ledger: Ledger, demo: DemoDistrict) -> None:
    """The requests that carry personal data into places where it could be logged."""
    _, id_number, _ = demo.active[0]  # a member of an active DIBAO case
    name = next(iter(sorted(demo_names(ledger))))
    with client_for(base, settings, "caseworker", "worker-1") as worker:
        member = {"name": name, "id_number": id_number, "relation": "self", "counted": True}
        twice = worker.post("/api/v1/cases", json=application(members=[member]))
        assert twice.status_code == 409, twice.text  # already counted in an active case
        bad = {**member, "id_number": id_number[:-1] + ("0" if id_number[-1] != "0" else "1")}
        assert worker.post("/api/v1/cases", json=application(members=[bad])).status_code == 422
        broken = worker.post("/api/v1/cases", content=f'{{"members": [{{"name": "{name}"',
                             headers={"Content-Type": "application/json"})  # fmt: skip
        assert broken.status_code == 422
        for path in (f"/api/v1/cases/{id_number}", f"/api/v1/persons/{id_number}/erasure",
                     f"/api/v1/cases/{quote(name)}/confirm"):  # fmt: skip
            answer = worker.post(path, json={"occurred_on": "2024-03-01"})
            assert answer.status_code in (404, 405, 422)
        assert worker.get(f"/healthz?id_number={id_number}&name={quote(name)}").status_code == 200
        worker.get("/healthz", headers={"X-Request-ID": id_number})
        queries = [
            (f'query Lookup {{ cases(first: "{name}") {{ totalCount }} }}', "Lookup"),
            (f'{{ temporaryAssistanceStats(year: 2023, groupBy: ["{name}"]) {{ households }} }}',
             None),
            (f'{{ caseHistory(id: "{id_number}") {{ type }} }}', None),
            (f"{{ {name} }}", None),  # does not parse
            ("query Lookup { projectionStatus { name } }", name),  # no such operation
        ]  # fmt: skip
        for query, operation in queries:
            r = worker.post("/graphql", json={"query": query, "operationName": operation})
            assert r.status_code == 400 or "errors" in r.json(), r.text
        r = worker.get("/graphql", params={"query": f'{{ case(id: "{id_number}") {{ id }} }}'})
        assert r.status_code == 200
    unauthenticated = httpx.post(f"{base}/api/v1/cases", json=application(members=[member]),
                                 headers={"Authorization": f"Bearer {id_number}"})  # fmt: skip
    assert unauthenticated.status_code == 401


def demo_names(ledger: Ledger) -> set[str]:
    return {v for v in personal_data(ledger) if not any(c.isdigit() for c in v)}


def test_no_log_line_holds_personal_data(settings: Settings, container: Container) -> None:
    with captured_logs() as buffer:
        container.runner.start()
        demo = DemoDistrict(container.ledger, seed=2023)
        demo.load(households=30)
        with served_as_in_production(container) as base:
            failing_requests(base, settings, container.ledger, demo)
        container.runner.stop()
    lines = buffer.getvalue().splitlines()
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    secrets = personal_data(container.ledger)
    assert len(secrets) > 100 and any(len(s) >= 16 and s.isdigit() for s in secrets)
    forbidden = secrets | {s.lower() for s in secrets} | {quote(s) for s in secrets}
    leaks = [(s, line) for line in lines for s in forbidden if s in line]
    assert not leaks, leaks[:5]
    # The test saw what it meant to: our access lines, with the caller named, and no
    # uvicorn access log nor strawberry's verbatim error log.
    access = [r for r in records if r["logger"] == "caseledger.access"]
    assert {409, 422, 401, 404, 200} <= {r["status"] for r in access}
    assert all(r["request_id"] for r in access)
    assert any(r.get("user") == "worker-1" and r.get("role") == "caseworker" for r in access)
    assert any("[id-number]" in r["path"] for r in access)
    assert {r["logger"] for r in records}.isdisjoint({"uvicorn.access", "strawberry.execution"})
    graphql = [r for r in records if r["logger"] == "caseledger.graphql"]
    assert "Lookup" in {r.get("operation") for r in graphql}
