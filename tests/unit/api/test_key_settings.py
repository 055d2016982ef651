"""The person key and the master key: public defaults in development, refused in production."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from api.settings import Settings
from domain.shared.personal_data import DEV_PUBLIC_MASTER_KEY
from tests.helpers import SIGNING_KEY

SAFE = {
    "environment": "production",
    "jwt_secret": SecretStr("a-production-jwt-secret-of-32-characters"),
    "cipher_key": SecretStr("Mx0Rkc1L9dXo2+FQjvAYqA=="),
    "signing_key": SecretStr(SIGNING_KEY),
}


def test_production_refuses_the_public_person_key() -> None:
    with pytest.raises(ValidationError, match="LEDGER_PERSON_KEY"):
        Settings(**SAFE)  # type: ignore[arg-type]


def test_production_runs_with_its_own_person_key_and_wraps_with_the_cipher_key() -> None:
    settings = Settings(**SAFE, person_key=SecretStr("a-production-person-key-0123456789ab"))  # type: ignore[arg-type]
    assert settings.master_key() == "Mx0Rkc1L9dXo2+FQjvAYqA=="


def test_development_wraps_with_the_public_master_key_when_no_cipher_key_is_set() -> None:
    assert Settings().master_key() == DEV_PUBLIC_MASTER_KEY


def test_a_short_person_key_is_refused() -> None:
    with pytest.raises(ValidationError, match="at least 32"):
        Settings(person_key=SecretStr("short"))


def test_production_refuses_to_start_without_a_signing_key() -> None:
    unsigned = {k: v for k, v in SAFE.items() if k != "signing_key"}
    with pytest.raises(ValidationError, match="LEDGER_SIGNING_KEY"):
        Settings(**unsigned, person_key=SecretStr("a-production-person-key-0123456789ab"))  # type: ignore[arg-type]
