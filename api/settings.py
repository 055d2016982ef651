"""The only place settings are read from the environment (LEDGER_*)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-only-not-secret-change-me-0123456789"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LEDGER_", extra="ignore")

    environment: Literal["development", "production"] = "development"
    database_url: str = "sqlite:///var/ledger.sqlite3"
    jwt_secret: SecretStr = SecretStr(DEV_SECRET)
    jwt_ttl_hours: int = 12
    cipher_key: SecretStr | None = None
    district: str = "320404"
    district_name: str = "钟楼区"
    run_projections: bool = True
    load_demo_when_empty: bool = True
    poll_interval: float = 1.0
    min_position_timeout: float = 5.0
    #: Request and GraphQL limits (api/body_limit.py, api/graphql/limits.py; README
    #: "GraphQL limits"). `graphql_limits=False` and `max_request_bytes=0` are for measuring.
    max_request_bytes: int = Field(default=1024 * 1024, ge=0)
    max_settlement_bytes: int = Field(default=16 * 1024 * 1024, ge=0)
    graphql_limits: bool = True
    graphql_max_chars: int = Field(default=50_000, ge=1)
    graphql_max_tokens: int = Field(default=5_000, ge=1)
    graphql_max_depth: int = Field(default=10, ge=1)
    graphql_max_aliases: int = Field(default=30, ge=0)
    graphql_max_cost: int = Field(default=100_000, ge=1)
    graphql_max_page: int = Field(default=500, ge=1, le=500)

    @model_validator(mode="after")
    def refuse_unsafe_defaults(self) -> Settings:
        if self.environment == "production":
            if self.jwt_secret.get_secret_value() == DEV_SECRET:
                raise ValueError("set LEDGER_JWT_SECRET: the development secret is public")
            if self.cipher_key is None:
                raise ValueError("set LEDGER_CIPHER_KEY: production events must be encrypted")
        if len(self.jwt_secret.get_secret_value()) < 32:
            raise ValueError("LEDGER_JWT_SECRET must be at least 32 characters")
        return self
