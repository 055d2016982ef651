"""`ledger history` goes through the permissions module: masked unless a purpose and a reader."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
from builders import WORKER, application, walk_to_active
from typer.testing import CliRunner

from api.auth import issue_token
from api.cli import cli
from api.container import Container
from api.rest.bodies import CHINA
from api.settings import Settings
from domain.ledger import Ledger


@pytest.fixture
def case(ledger: Ledger) -> tuple[str, dict[str, Any]]:
    body = application()
    return str(ledger.submit_application(body, WORKER).id), body


def cli_env(settings: Settings) -> dict[str, str]:
    """The test's database and signing key (the key file is the test's, not var/'s)."""
    return {
        "LEDGER_DATABASE_URL": settings.database_url, "LEDGER_RUN_PROJECTIONS": "false",
        "LEDGER_SIGNING_KEY_FILE": str(settings.dev_signing_key_file()),
    }  # fmt: skip


def run(settings: Settings, *args: str) -> Any:
    return CliRunner().invoke(cli, ["history", *args], env=cli_env(settings))


def rows(container: Container) -> list[dict[str, Any]]:
    return container.db.query("SELECT * FROM personal_data_access ORDER BY seq")


def test_the_history_is_masked_by_default_and_records_nothing(
    settings: Settings, container: Container, case: tuple[str, dict[str, Any]]
) -> None:
    case_id, body = case
    member = body["members"][0]
    result = run(settings, case_id)
    assert result.exit_code == 0, result.output
    assert "ApplicationSubmitted" in result.output
    assert member["id_number"] not in result.output and member["name"] not in result.output
    assert "测**" in result.output and member["id_number"][:6] + "*" * 8 in result.output
    assert rows(container) == []


def test_an_operator_reads_in_full_for_a_purpose_and_is_recorded(
    settings: Settings, container: Container, case: tuple[str, dict[str, Any]]
) -> None:
    case_id, body = case
    result = run(settings, case_id, "--format", "json", "--purpose", "复核档案", "--user", "ops-1")
    assert result.exit_code == 0, result.output
    events = json.loads(result.output)["events"]
    assert (
        events[0]["data"]["members"][0]["personal"]["id_number"] == body["members"][0]["id_number"]
    )
    [row] = rows(container)
    assert (row["user_id"], row["role"], row["case_id"], row["via"]) == (
        "ops-1", "operator", case_id, "cli",
    )  # fmt: skip
    assert row["purpose"] == "复核档案" and "id_number" in json.loads(row["fields"])


def test_a_token_decides_as_over_http(
    settings: Settings, container: Container, case: tuple[str, dict[str, Any]]
) -> None:
    case_id, body = case
    secret = settings.jwt_secret.get_secret_value()
    supervisor = issue_token(secret, "sup-1", "supervisor", None, 1)
    masked = run(settings, case_id, "--format", "csv", "--purpose", "look", "--token", supervisor)
    assert masked.exit_code == 0, masked.output
    assert masked.output.startswith("position,aggregate_id,version,recorded_at,type")
    assert body["members"][0]["id_number"] not in masked.output and rows(container) == []
    worker = issue_token(secret, "worker-1", "caseworker", "新闸街道", 1)
    full = run(settings, case_id, "--purpose", "visit", "--token", worker)
    assert full.exit_code == 0, full.output
    assert body["members"][0]["id_number"] in full.output
    assert [(r["user_id"], r["role"]) for r in rows(container)] == [("worker-1", "caseworker")]


@pytest.mark.parametrize(
    "args, reason",
    [(["--purpose", "x"], "--user U or --token T"),
     (["--purpose", "x", "--user", "a", "--token", "t"], "--user U or --token T"),
     (["--purpose", " ", "--user", "a"], "--purpose is blank"),
     (["--purpose", "x" * 201, "--user", "a"], "at most 200"),
     (["--purpose", "a\x07b", "--user", "a"], "control characters"),
     (["--purpose", "x", "--token", "not-a-token"], "--token"),
     (["--format", "xml"], "--format")],
)  # fmt: skip
def test_a_purpose_without_a_reader_or_a_bad_one_is_refused(
    settings: Settings, container: Container, case: tuple[str, dict[str, Any]],
    args: list[str], reason: str,
) -> None:  # fmt: skip
    result = run(settings, case[0], *args)
    assert result.exit_code == 2
    assert reason in " ".join(result.output.split())
    assert rows(container) == []


def test_a_read_that_cannot_be_recorded_prints_nothing(
    settings: Settings, container: Container, case: tuple[str, dict[str, Any]]
) -> None:
    case_id, body = case
    with container.db.transaction() as tx:
        tx.execute("DROP TABLE personal_data_access")
    result = run(settings, case_id, "--purpose", "visit", "--user", "ops-1")
    assert result.exit_code == 1
    assert "could not be recorded" in " ".join(result.output.split())
    assert body["members"][0]["id_number"] not in result.output


def test_as_of_a_time_prints_the_case_as_the_ledger_knew_it_then(
    settings: Settings, ledger: Ledger, case: tuple[str, dict[str, Any]]
) -> None:
    case_id = case[0]
    submitted = datetime.now(UTC)
    walk_to_active(ledger, UUID(case_id))

    def state(at: str) -> Any:
        return json.loads(run(settings, case_id, "--as-of", at, "--format", "json").output)

    then, now = state(submitted.isoformat()), state(datetime.now(UTC).isoformat())
    assert (then["version"], then["status"], then["accepted_on"]) == (1, "submitted", None)
    assert now["version"] > 1 and now["status"] == "active" and now["monthly_amount_fen"] > 0
    china = submitted.astimezone(CHINA).replace(tzinfo=None).isoformat()  # no zone: China time
    assert state(china)["version"] == 1
    assert "status: submitted" in run(settings, case_id, "--as-of", china).output
    table = run(settings, case_id, "--as-of", submitted.isoformat(), "--format", "csv").output
    header, row = table.strip().splitlines()
    assert header.startswith("id,version,recorded_at,status") and ",1," in row


def test_as_of_a_time_before_the_case_existed_is_refused(
    settings: Settings, case: tuple[str, dict[str, Any]]
) -> None:
    result = run(settings, case[0], "--as-of", "2000-01-01T00:00:00+08:00")
    assert result.exit_code == 1
    assert "did not exist yet" in result.output


def test_the_json_history_is_the_case_file_and_verifies_offline(
    settings: Settings, container: Container, case: tuple[str, dict[str, Any]], tmp_path: Any
) -> None:
    case_id, body = case
    result = run(settings, case_id, "--format", "json")
    assert result.exit_code == 0, result.output
    file = json.loads(result.output)
    assert file["format"] == "caseledger/case-file@v1" and file["case_id"] == case_id
    [event] = file["events"]
    assert event["type"] == "ApplicationSubmitted" and event["proof"] is not None
    assert body["members"][0]["id_number"] not in result.output  # masked: no purpose given
    path = tmp_path / "case.json"
    path.write_text(result.output)
    key = container.checkpointer.signer.verifier.text()
    env = cli_env(settings)
    checked = CliRunner().invoke(
        cli, ["verify", "--case-file", str(path), "--public-key", key], env=env
    )
    assert checked.exit_code == 0, checked.output
    file["events"][0]["state_b64"] = file["events"][0]["state_b64"][:-4] + "AAA="
    path.write_text(json.dumps(file))
    forged = CliRunner().invoke(
        cli, ["verify", "--case-file", str(path), "--public-key", key], env=env
    )
    assert forged.exit_code == 1, forged.output


def test_a_token_reads_only_what_its_role_and_street_may(
    settings: Settings, container: Container, case: tuple[str, dict[str, Any]]
) -> None:
    case_id, _ = case
    secret = settings.jwt_secret.get_secret_value()
    elsewhere = issue_token(secret, "worker-2", "caseworker", "西林街道", 1)
    result = run(settings, case_id, "--purpose", "visit", "--token", elsewhere)
    assert result.exit_code == 1 and "street_scope" in result.output
    integrator = issue_token(secret, "bank-1", "integrator", None, 1)
    result = run(settings, case_id, "--purpose", "visit", "--token", integrator)
    assert result.exit_code == 1 and "role_not_allowed" in result.output
    assert rows(container) == []
