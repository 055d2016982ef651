"""The relay's parts that need no NATS and no database: its subjects, what it prints of a URL
and of an error, and the /metrics lines of its position table."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from nats.js.api import PubAck
from nats.js.errors import APIError

from api.streams import relay_position
from api.streams.jetstream_pipeline import why
from api.streams.relay_command import _broker_line, without_password
from api.streams.relay_nats import RelayOptions
from api.streams.relay_position import RelayPosition, relay_metrics
from migrations.runner import migrate
from projections.backends import DatabaseUrl
from projections.feed.catalogue import catalogue
from projections.store import Database
from tests.stream_support import free_port


def test_the_stream_and_subjects_are_the_districts_and_a_type_is_two_tokens() -> None:
    options = RelayOptions("nats://127.0.0.1:4222", "320404")
    assert options.stream_name == "CASELEDGER_320404"
    assert options.subjects == "caseledger.320404.>"
    event: Any = SimpleNamespace(type=catalogue()["AssistanceCase.EligibilityConfirmed"])
    subject = options.subject_of(event)
    assert subject == "caseledger.320404.assistance.AssistanceCase.EligibilityConfirmed"
    assert RelayOptions("n", "320404", stream="MINE").stream_name == "MINE"
    for name, kind in catalogue().items():  # every subject is five tokens of plain characters
        tokens = options.subject_of(SimpleNamespace(type=kind)).split(".")  # type: ignore[arg-type]
        assert len(tokens) == 5 and all((t and t.isidentifier()) or t.isdigit() for t in tokens)
        assert ".".join(tokens[3:]) == name


def test_a_nats_url_is_printed_without_its_user_and_password() -> None:
    assert without_password("nats://relay:s3cret@nats.bureau:4222") == "nats://nats.bureau:4222"
    assert without_password("nats://tok@10.0.0.1:4222") == "nats://10.0.0.1:4222"
    assert without_password("nats://127.0.0.1:4222") == "nats://127.0.0.1:4222"


def test_why_names_an_unexpected_acknowledgement_or_an_error_in_one_line() -> None:
    assert why(PubAck(stream="S", seq=7, duplicate=True)) == "acknowledged as sequence 7 (a repeat)"
    refused = APIError(code=400, err_code=10071, description="wrong last sequence: 27")
    assert "wrong last sequence: 27" in why(refused) and "\n" not in why(refused)
    assert why(TimeoutError()) == "TimeoutError"


def test_status_says_plainly_when_nats_does_not_answer() -> None:
    url = f"nats://relay:s3cret@127.0.0.1:{free_port()}"  # nothing listens there
    line = asyncio.run(_broker_line(RelayOptions(url, "320404")))
    assert line.startswith(f"NATS at nats://127.0.0.1:{url.rsplit(':', 1)[1]}: not reachable")
    assert "s3cret" not in line


def test_metrics_show_each_relays_position_and_lag(tmp_path: Path) -> None:
    db = Database(DatabaseUrl.parse(f"sqlite:///{tmp_path}/ledger.sqlite3"))
    try:
        migrate(db)
        assert relay_position.load(db, "CASELEDGER_320404") is None
        relay_position.save(db, "CASELEDGER_320404", RelayPosition(80, 78))
        relay_position.save(db, "CASELEDGER_320404", RelayPosition(90, 88))  # replaces it
        relay_position.save(db, "OTHER", RelayPosition(120, 120))
        assert relay_position.load(db, "CASELEDGER_320404") == RelayPosition(90, 88)
        lines = relay_metrics(db, 100)
    finally:
        db.close()
    assert 'caseledger_relay_position{stream="CASELEDGER_320404"} 90' in lines
    assert 'caseledger_relay_lag_positions{stream="CASELEDGER_320404"} 10' in lines
    assert 'caseledger_relay_lag_positions{stream="OTHER"} 0' in lines  # never negative
