"""The log scrubber and the JSON line: personal data never reaches a log line."""

from __future__ import annotations

import io
import json
import logging

import pytest

from api.logs import (
    JsonFormatter,
    operation_name,
    redact_url,
    request_id_from,
    scrub,
    scrub_path,
)

CASE_ID = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"


@pytest.mark.parametrize(
    "text",
    [
        "32040419900101123X",  # valid check digit
        "32040419900101123x",
        "320404199001011234",  # any check digit: the scrubber does not validate
        "id=320404199001011239;",
    ],
)
def test_id_numbers_are_masked_with_or_without_a_valid_check_digit(text: str) -> None:
    assert "[id-number]" in scrub(text)
    assert "3204041990" not in scrub(text)


def test_accounts_phones_queries_and_encoded_text_are_masked() -> None:
    line = (
        "account 6222021234567890123 phone 13812345678, GET /api/v1/cases?name=王伟&x=1 "
        "and /api/v1/cases/%E7%8E%8B%E4%BC%9F/confirm"
    )
    assert scrub(line) == (
        "account [digits] phone [phone], GET /api/v1/cases?[query] "
        "and /api/v1/cases/[encoded]/confirm"
    )


def test_ids_positions_and_small_numbers_stay_readable() -> None:
    line = f"case {CASE_ID} ({CASE_ID.replace('-', '')}) at position 4623, 2024-03-01, 200 ms"
    assert scrub(line) == line


def test_a_path_keeps_only_plain_segments() -> None:
    assert scrub_path(f"/api/v1/cases/{CASE_ID}/confirm") == f"/api/v1/cases/{CASE_ID}/confirm"
    assert scrub_path("/api/v1/persons/32040419900101123X/erasure?why=x") == (
        "/api/v1/persons/[id-number]/erasure"
    )
    assert scrub_path("/api/v1/cases/王伟/confirm") == "/api/v1/cases/[text]/confirm"


def test_a_printed_url_never_shows_its_password() -> None:
    url = "postgresql://ledger:s3cr%40t@db.bureau.internal:5432/ledger?sslpassword=x"
    assert redact_url(url) == "postgresql://ledger:***@db.bureau.internal:5432/ledger?***"
    assert redact_url("postgresql://postgres@127.0.0.1:5432/postgres") == (
        "postgresql://postgres@127.0.0.1:5432/postgres"
    )
    assert redact_url("sqlite:///var/ledger.sqlite3") == "sqlite:///var/ledger.sqlite3"
    assert "pw" not in redact_url("postgresql://u:pw@[::1]:5432/db")


def test_a_request_id_is_kept_only_when_sane() -> None:
    assert request_id_from("req-42.a:b") == "req-42.a:b"
    for unsafe in (None, "", "32040419900101123X", "王伟", "a b", "x" * 65, "13812345678"):
        generated = request_id_from(unsafe)
        assert generated != unsafe and len(generated) == 36


def test_an_operation_name_is_logged_only_when_it_is_a_graphql_name() -> None:
    assert operation_name("CasesOfMyStreet") == "CasesOfMyStreet"
    assert operation_name(None) is None
    assert operation_name("王伟") == operation_name("a b") == "[not a name]"


def test_a_line_is_one_json_object_and_an_exception_keeps_only_its_frames() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("test.logs.json")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        looked_up = "".join(["王伟 ", "32040419900101123X"])  # not in the source line below
        try:
            raise KeyError(looked_up)
        except KeyError:
            logger.exception("lookup failed for %s", "13812345678", extra={"status": 500})
    finally:
        logger.removeHandler(handler)
    line = json.loads(stream.getvalue())
    assert line["level"] == "ERROR" and line["logger"] == "test.logs.json"
    assert line["message"] == "lookup failed for [phone]" and line["status"] == 500
    assert line["error_type"] == "KeyError"
    assert "test_logs.py" in line["traceback"] and "message withheld" in line["traceback"]
    assert "王伟" not in stream.getvalue() and "3204041990" not in stream.getvalue()


def test_a_failing_resolver_is_logged_without_its_query_or_message() -> None:
    from graphql import GraphQLError

    from api.graphql.schema import schema

    name = "".join(["王", "伟"])
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("caseledger.graphql")
    logger.addHandler(handler)
    try:
        try:
            raise RuntimeError(f"no case for {name}")
        except RuntimeError as fault:
            error = GraphQLError(f"no case for {name}", original_error=fault)
        schema.process_errors([error, GraphQLError(f"Cannot query field '{name}'.")])
    finally:
        logger.removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(line["level"], line["error_type"]) for line in lines] == [
        ("ERROR", "RuntimeError"),
        ("WARNING", "GraphQLError"),
    ]
    assert name not in stream.getvalue()
