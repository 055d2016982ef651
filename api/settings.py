"""The only place settings are read from the environment (LEDGER_*)."""

from __future__ import annotations

from typing import Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.shared.personal_data import DEV_PUBLIC_MASTER_KEY
from domain.shared.pseudonyms import DEV_PERSON_KEY

DEV_SECRET = "dev-only-not-secret-change-me-0123456789"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LEDGER_", extra="ignore")

    environment: Literal["development", "production"] = "development"
    database_url: str = "sqlite:///var/ledger.sqlite3"
    jwt_secret: SecretStr = SecretStr(DEV_SECRET)
    jwt_ttl_hours: int = 12
    cipher_key: SecretStr | None = None
    #: Keys the person ids (an HMAC of the ID number); public default in development only.
    person_key: SecretStr = SecretStr(DEV_PERSON_KEY)
    district: str = "320404"
    district_name: str = "钟楼区"
    run_projections: bool = True
    load_demo_when_empty: bool = True
    poll_interval: float = 1.0
    min_position_timeout: float = 5.0

    @model_validator(mode="after")
    def refuse_unsafe_defaults(self) -> Settings:
        if self.environment == "production":
            if self.jwt_secret.get_secret_value() == DEV_SECRET:
                raise ValueError("set LEDGER_JWT_SECRET: the development secret is public")
            if self.cipher_key is None:
                raise ValueError("set LEDGER_CIPHER_KEY: production events must be encrypted")
            if self.person_key.get_secret_value() == DEV_PERSON_KEY:
                raise ValueError("set LEDGER_PERSON_KEY: the development person key is public")
        if len(self.jwt_secret.get_secret_value()) < 32:
            raise ValueError("LEDGER_JWT_SECRET must be at least 32 characters")
        if len(self.person_key.get_secret_value()) < 32:
            raise ValueError("LEDGER_PERSON_KEY must be at least 32 characters")
        return self

    def master_key(self) -> str:
        """What wraps the per-person data keys: the cipher key, or in development a public one."""
        if self.cipher_key is None:
            return DEV_PUBLIC_MASTER_KEY
        return self.cipher_key.get_secret_value()
