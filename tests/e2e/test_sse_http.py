"""Server-sent events over a real uvicorn server: replay then live, resume, filters, errors."""

from __future__ import annotations

import json
import time

import httpx
import jwt
import pytest
from builders import WORKER, application
from conftest import client_for
from stream_support import (
    SQLITE_ONLY,
    KeepWriting,
    SseReader,
    commit_cases,
    log_positions,
    until,
)
from test_personal_data_access_http import refuse_inserts

from api.auth import LEEWAY_SECONDS
from api.container import Container
from api.settings import Settings
from domain.ledger import Ledger

pytestmark = pytest.mark.e2e

SUBMITTED = "AssistanceCase.ApplicationSubmitted"
PURPOSE = "核对低保资格：复核家庭成员"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Pings twice a second; a send may take 1.5 s; a small window of live events."""
    return settings.model_copy(
        update={"stream_keepalive_seconds": 0.5, "stream_send_timeout_seconds": 1.5,
                "stream_window": 2000},
    )  # fmt: skip


def approver_stream(server: str, settings: Settings, **kwargs: object) -> SseReader:
    return SseReader(client_for(server, settings, "approver", "approver-1"), **kwargs)  # type: ignore[arg-type]


def test_replay_then_live_loses_nothing_while_commits_continue(
    server: str, settings: Settings, ledger: Ledger, container: Container
) -> None:
    commit_cases(ledger, 30)  # before the stream: replayed from the database
    writer = KeepWriting(ledger, 80, pause=0.004).start()
    with approver_stream(server, settings) as s:  # connects while the writer commits
        last = writer.join()[-1]
        s.wait_for_position(last)
    assert s.positions == log_positions(ledger, 0, s.positions[-1])  # each once, in order
    assert s.records[0].last_id == "0"  # the first block: retry and the starting id


def test_reconnect_with_last_event_id_resumes_exactly_after_it(
    server: str, settings: Settings, ledger: Ledger, container: Container
) -> None:
    commit_cases(ledger, 8)
    everything = log_positions(ledger)
    with approver_stream(server, settings) as first:
        first.wait_for_position(everything[-1])
    held = first.positions[4]
    # Last-Event-ID wins over after; an empty one is no position (after counts).
    with approver_stream(server, settings, params={"after": 0},
                         headers={"Last-Event-ID": str(held)}) as again:  # fmt: skip
        again.wait_for_position(everything[-1])
    assert again.positions == [p for p in everything if p > held]
    with approver_stream(server, settings, params={"after": held},
                         headers={"Last-Event-ID": ""}) as blank:  # fmt: skip
        blank.wait_for_position(everything[-1])
    assert blank.positions == again.positions
    # A client that goes away is noticed at once: its subscription leaves the hub.
    until(lambda: not container.hub.subscribers, "the closed streams are unregistered")


def test_a_type_filter_moves_the_last_event_id_past_what_it_skipped_and_pings_when_idle(
    server: str, settings: Settings, ledger: Ledger
) -> None:
    with approver_stream(server, settings, params={"types": "Payout.PayoutSettled"}) as none:
        last = commit_cases(ledger, 5)[-1]
        none.wait_for_position(last)  # id-only blocks: nothing matched, the id moved
        until(lambda: any(r.comment == "ping" for r in none.records), "a ping")
    assert none.events == []
    with approver_stream(server, settings, params={"types": f"{SUBMITTED},Payout.*"}) as some:
        some.wait_for_position(last)
    assert {e["type"] for e in some.events} == {SUBMITTED}
    assert len(some.events) == 5
    assert some.positions == sorted(set(some.positions))
    # Resuming from an id-only block's id: nothing before it comes again.
    with approver_stream(server, settings, headers={"Last-Event-ID": str(none.last_id)}) as r:
        later = commit_cases(ledger, 1)[-1]
        r.wait_for_position(later)
    assert r.positions and min(r.positions) > none.last_id


def test_a_busy_log_with_nothing_matching_still_pings_and_moves_the_id(
    server: str, settings: Settings, ledger: Ledger
) -> None:
    with approver_stream(server, settings, params={"types": "Payout.PayoutSettled"}) as s:
        until(lambda: s.records, "the stream is open")
        with KeepWriting(ledger, 1000, pause=0.05) as writer:  # a commit every ~50 ms
            until(lambda: len([r for r in s.records if r.comment == "ping"]) >= 3,
                  "three pings while commits keep coming", timeout=20)  # fmt: skip
            moved = s.last_id
            writer.stop()
    assert s.events == [] and moved > 0


@SQLITE_ONLY  # the transport's own checks: the store does not matter
def test_an_aggregate_filter_sends_only_that_aggregates_events(
    server: str, settings: Settings, ledger: Ledger
) -> None:
    commit_cases(ledger, 3)
    chosen = ledger.submit_application(application(), WORKER)
    commit_cases(ledger, 3)
    with approver_stream(server, settings, params={"aggregateIds": str(chosen.id)}) as s:
        s.wait_for_position(log_positions(ledger)[-1])
    assert {e["subject"] for e in s.events} == {str(chosen.id)}


@SQLITE_ONLY  # the transport's own checks: the store does not matter
def test_errors_before_the_stream_are_problems(
    server: str, settings: Settings, ledger: Ledger, container: Container
) -> None:
    def get(client: httpx.Client, **kwargs: object) -> httpx.Response:
        answer = client.get("/api/v1/events/stream", **kwargs)  # type: ignore[arg-type]
        assert answer.headers["content-type"].startswith("application/problem+json")
        return answer

    with httpx.Client(base_url=server) as anonymous:
        assert get(anonymous).status_code == 401
    with client_for(server, settings, "caseworker", "worker-1") as worker:
        assert get(worker).status_code == 403
    with client_for(server, settings, "integrator", "bank") as bare:
        assert get(bare).json()["code"] == "event_types_missing"
    with client_for(server, settings, "integrator", "bank", grants=("type:Payout.*",)) as bank:
        assert get(bank, params={"types": SUBMITTED}).json()["code"] == "event_type_scope"
    with client_for(server, settings, "approver", "approver-1") as approver:
        for kwargs, field in [
            ({"params": {"after": -1}}, "after"),
            ({"params": {"after": "x"}}, "after"),
            ({"headers": {"Last-Event-ID": "12a"}}, "Last-Event-ID"),
            ({"headers": {"Last-Event-ID": str(2**63)}}, "Last-Event-ID"),
            ({"headers": {"Last-Event-ID": "²".encode()}}, "Last-Event-ID"),  # isdigit(): yes
            ({"headers": {"Last-Event-ID": "١٢".encode()}}, "Last-Event-ID"),
            ({"params": {"after": "²"}}, "after"),
            ({"params": {"after": "9" * 5000}}, "after"),
            ({"params": {"types": "NoSuch.Type"}}, "types"),
            ({"params": {"aggregateIds": "王"}}, "aggregateIds"),
            ({"headers": {"X-Purpose": "x" * 5000}}, "X-Purpose"),
        ]:
            answer = get(approver, **kwargs)
            assert answer.status_code in (400, 422), (kwargs, answer.text)
            assert answer.json()["field"] == field and answer.json()["code"], (kwargs, answer.text)
            assert "王" not in answer.text and "²" not in answer.text and "9999" not in answer.text
        commit_cases(ledger, 1)
        head = ledger.latest_position()
        for kwargs, field in [
            ({"params": {"after": head + 1}}, "after"),
            ({"headers": {"Last-Event-ID": "999999"}}, "Last-Event-ID"),
        ]:
            beyond = get(approver, **kwargs)
            assert beyond.status_code == 409, beyond.text
            assert beyond.json()["code"] == "after_beyond_head", beyond.text
            assert beyond.json()["field"] == field and f"position {head}" in beyond.text
        assert get_status(approver, headers={"Last-Event-ID": str(head)}) == 200  # the head: fine
        container.settings = container.settings.model_copy(update={"stream_max_subscribers": 1})
        with approver_stream(server, settings) as open_one:
            until(lambda: open_one.records, "the first stream is open")
            full = get(approver)
            assert full.status_code == 503 and int(full.headers["Retry-After"]) >= 1
            assert full.json()["code"] == "streams_full"
        until(lambda: get_status(approver) == 200, "the slot is free again")
        update = {"stream_max_subscribers": 10, "stream_max_per_user": 1}
        container.settings = container.settings.model_copy(update=update)
        with approver_stream(server, settings) as open_one:  # approver-1's one stream
            until(lambda: open_one.records, "the user's stream is open")
            mine = get(approver)
            assert mine.status_code == 503 and int(mine.headers["Retry-After"]) >= 1
            assert mine.json()["code"] == "streams_full_for_user"
            with client_for(server, settings, "approver", "approver-2") as other:
                assert get_status(other) == 200  # another user's slot is its own


def get_status(client: httpx.Client, **kwargs: object) -> int:
    with client.stream("GET", "/api/v1/events/stream", **kwargs) as answer:  # type: ignore[arg-type]
        return answer.status_code


def test_reads_in_full_are_recorded_first_and_a_failed_record_ends_the_stream(
    server: str, settings: Settings, ledger: Ledger, container: Container
) -> None:
    last = commit_cases(ledger, 3)[-1]
    full = {"headers": {"X-Purpose": PURPOSE.encode()}}
    with approver_stream(server, settings, **full) as s:
        s.wait_for_position(last)
    rows = container.db.query("SELECT * FROM personal_data_access ORDER BY seq")
    assert rows and {r["via"] for r in rows} == {"sse"}
    submitted = [e for e in s.events if e["type"] == SUBMITTED]
    assert "测试甲" in str(submitted[0]["data"])  # in full
    with approver_stream(server, settings) as masked:
        masked.wait_for_position(last)
    assert "测试甲" not in str(masked.events) and "测**" in str(masked.events)  # masked
    refuse_inserts(container.db)
    with approver_stream(server, settings, **full) as refused:
        until(lambda: refused.ended.is_set(), "the stream ends")
    ends = [r for r in refused.records if r.event == "disconnect"]
    assert refused.events == [] and len(ends) == 1
    assert '"code": "RECORD_FAILED"' in ends[0].data and '"position": 0' in ends[0].data


@SQLITE_ONLY  # the transport's own checks: the store does not matter
def test_a_stream_ends_when_its_token_expires(
    server: str, settings: Settings, ledger: Ledger
) -> None:
    now = int(time.time())
    exp = now + 2 - LEEWAY_SECONDS  # accepted for two more seconds
    claims = {"sub": "approver-1", "role": "approver", "iat": now - 60, "exp": exp}
    token = jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm="HS256")
    client = httpx.Client(base_url=server, headers={"Authorization": f"Bearer {token}"})
    with SseReader(client) as s:
        until(lambda: s.ended.is_set(), "the stream ends", timeout=10)
    ends = [json.loads(r.data) for r in s.records if r.event == "disconnect"]
    assert [e["code"] for e in ends] == ["token_expired"] and s.error is None
    with SseReader(client) as again:  # the same token, now expired: refused before streaming
        until(lambda: again.ended.is_set(), "the answer")
    assert again.status == 401
