"""`ledger token`, and what `ledger serve` prints: tokens only in development, never a password."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import _free_port
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pydantic import SecretStr, ValidationError
from typer.testing import CliRunner

from api.auth import authenticate
from api.cli import cli
from api.credentials import DEMO_STREET, startup_banner
from api.settings import Settings
from domain.shared.values import Actor
from tests.helpers import SIGNING_KEY

ROOT = Path(__file__).resolve().parents[2]
SECRET = "a-production-secret-of-forty-characters!"
CIPHER_KEY = "Mx0Rkc1L9dXo2+FQjvAYqA=="  # a test key (AES-128)
PERSON_KEY = "a-production-person-key-of-forty-chars!!"
PASSWORD = "Never-Print-Me-7"
PRODUCTION = {"LEDGER_ENVIRONMENT": "production", "LEDGER_JWT_SECRET": SECRET,
              "LEDGER_CIPHER_KEY": CIPHER_KEY, "LEDGER_PERSON_KEY": PERSON_KEY,
              "LEDGER_SIGNING_KEY": SIGNING_KEY}  # fmt: skip


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("LEDGER_") and name != "LEDGER_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)


def run_token(*args: str, **env: str) -> Any:
    return CliRunner().invoke(cli, ["token", *args], env=env)


def tokens_in(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("eyJ")]


def test_token_with_no_options_prints_one_for_every_role_in_development() -> None:
    result = run_token()
    assert result.exit_code == 0, result.output
    actors = [authenticate(Settings(), t) for t in tokens_in(result.stdout)]
    assert [(a.role, a.unit, a.grants) for a in actors] == [
        ("caseworker", DEMO_STREET, frozenset()),
        ("approver", None, frozenset()),
        ("supervisor", None, frozenset()),
        ("auditor", None, frozenset()),
        ("auditor", None, frozenset({"pii"})),
        ("integrator", None, frozenset()),
        ("admin", None, frozenset()),
    ]
    labels = [line for line in result.stdout.splitlines() if line.startswith("# ")]
    assert len(labels) == 7 and "auditor with the pii grant" in labels[4]


def test_token_with_options_prints_that_one_token() -> None:
    result = run_token("--user", "li.na", "--role", "caseworker", "--street", "五星街道",
                       "--grant", "pii", "--grant", "type:CaseConfirmed")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert authenticate(Settings(), result.stdout.strip()) == Actor(
        "li.na", "caseworker", "五星街道", frozenset({"pii", "type:CaseConfirmed"})
    )
    assert run_token("--user", "li.na", "--role", "root").exit_code == 2
    assert run_token("--role", "admin").exit_code == 2


def test_production_mints_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in PRODUCTION.items():
        monkeypatch.setenv(name, value)
    unasked = run_token()
    assert unasked.exit_code == 2 and "eyJ" not in unasked.output
    assert "--user and --role" in unasked.output
    asked = run_token("--user", "admin-wang", "--role", "admin", "--ttl-hours", "1")
    assert asked.exit_code == 0, asked.output
    assert authenticate(Settings(), asked.stdout.strip()).role == "admin"


def test_no_token_is_minted_when_an_identity_provider_signs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pem = tmp_path / "idp.pem"
    pem.write_bytes(
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    monkeypatch.setenv("LEDGER_JWT_PUBLIC_KEY_FILE", str(pem))
    for args in ((), ("--user", "u", "--role", "admin")):
        result = run_token(*args)
        assert result.exit_code == 2 and "identity provider" in result.output
        assert "eyJ" not in result.output


def test_the_banner_masks_the_password_and_prints_tokens_only_in_development() -> None:
    url = f"postgresql://ledger:{PASSWORD}@db.bureau.internal:5432/ledger"
    development = startup_banner(Settings(database_url=url), "http://127.0.0.1:8000")
    assert PASSWORD not in development and "ledger:***@db.bureau.internal" in development
    assert len(tokens_in(development)) == 7 and "/docs" in development
    production = Settings(
        database_url=url, environment="production", jwt_secret=SecretStr(SECRET),
        cipher_key=SecretStr(CIPHER_KEY), person_key=SecretStr(PERSON_KEY),
        signing_key=SecretStr(SIGNING_KEY),
    )  # fmt: skip
    banner = startup_banner(production, "http://127.0.0.1:8000")
    assert PASSWORD not in banner and "eyJ" not in banner and "/docs" not in banner
    assert "No token is printed in production" in banner


def test_the_banner_names_the_dashboard_first_then_graphiql_and_the_docs() -> None:
    banner = startup_banner(Settings(database_url="sqlite:///var/x.sqlite3"), "http://h:8000")
    urls = [word for word in banner.split() if word.startswith("http://h:8000")]
    assert urls[:3] == ["http://h:8000/", "http://h:8000/graphql", "http://h:8000/docs"]
    assert banner.index("http://h:8000/") < banner.index("eyJ")


def test_a_settings_error_names_the_setting_not_its_value() -> None:
    url = f"postgresql://ledger:{PASSWORD}@db.bureau.internal:5432/ledger"
    with pytest.raises(ValidationError) as refused:
        Settings(
            database_url=url, environment="production", jwt_secret=SecretStr(SECRET),
            person_key=SecretStr(PERSON_KEY),
        )  # fmt: skip
    assert "LEDGER_CIPHER_KEY" in str(refused.value)
    assert PASSWORD not in str(refused.value) and SECRET not in str(refused.value)
    assert Settings(log_level="debug").log_level == "DEBUG"


def serve_output(env: dict[str, str], database_url: str, folder: Path) -> str:
    """Start `ledger serve` for real, ask /healthz once, stop it; everything it printed. The
    signer's memory goes in `folder` (beside the key would be the checkout's var/)."""
    port = _free_port()
    environment = {**os.environ, **env, "PYTHONPATH": str(ROOT),
                   "LEDGER_SIGNER_MEMORY": str(folder / "last-signed-checkpoint"),
                   "LEDGER_DATABASE_URL": database_url, "LEDGER_LOAD_DEMO_WHEN_EMPTY": "false",
                   "LEDGER_POLL_INTERVAL": "0.1"}  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-c", "from api.cli import main; main()", "serve", "--port", str(port)],
        cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.communicate()[0]
            assert time.monotonic() < deadline, "ledger serve did not start"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).is_success:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    return output


def test_a_production_start_prints_no_token_and_no_password(
    database_url: str, tmp_path: Path
) -> None:
    if database_url.startswith("postgresql://"):  # trust auth: the password is never checked
        database_url = database_url.replace("@", f":{PASSWORD}@", 1)
    output = serve_output(PRODUCTION, database_url, tmp_path)
    assert "No token is printed in production" in output, output
    assert "eyJ" not in output and PASSWORD not in output and SECRET not in output
    assert CIPHER_KEY not in output and SIGNING_KEY.split("+")[-1] not in output
    assert '"logger": "caseledger.access"' in output and "GET /healthz 200" in output
