"""The only place settings are read from the environment (LEDGER_*)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.shared.personal_data import DEV_PUBLIC_MASTER_KEY
from domain.shared.pseudonyms import DEV_PERSON_KEY

DEV_SECRET = "dev-only-not-secret-change-me-0123456789"


class Settings(BaseSettings):
    # An error names the setting, never its value (a URL's password, a secret).
    model_config = SettingsConfigDict(
        env_prefix="LEDGER_", extra="ignore", hide_input_in_errors=True
    )

    environment: Literal["development", "production"] = "development"
    database_url: str = "sqlite:///var/ledger.sqlite3"
    #: A streaming replica of the PostgreSQL primary that GraphQL reads the views from (README
    #: "Past one machine"); None: the primary. Commands, streams and records stay on the primary.
    read_database_url: str | None = None
    jwt_secret: SecretStr = SecretStr(DEV_SECRET)
    jwt_ttl_hours: int = 12
    #: An identity provider's key (RS256/ES256): one PEM public key, or a JWKS file (by `kid`).
    #: With either set, HS256 tokens are refused (api/auth.py).
    jwt_public_key_file: Path | None = None
    jwks_file: Path | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    #: /docs, /openapi.json and the GraphiQL page; None: open in development, closed in production.
    public_docs: bool | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    cipher_key: SecretStr | None = None
    #: Keys the person ids (an HMAC of the ID number); public default in development only.
    person_key: SecretStr = SecretStr(DEV_PERSON_KEY)
    district: str = "320404"
    district_name: str = "钟楼区"
    run_projections: bool = True
    load_demo_when_empty: bool = True
    poll_interval: float = 1.0
    #: Record each business day as it begins (projections/reactions/clock.py); off in tests.
    clock: bool = True
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
    #: The verifiable log (README "The verifiable log"): the Ed25519 key that signs checkpoints,
    #: as a Go note signer key PRIVATE+KEY+<origin>+<hex id>+<base64>; `ledger signing-key`
    #: makes one. In development without it, one is created once in `signing_key_file`.
    signing_key: SecretStr | None = None
    #: None: `dev-signing-key` beside the SQLite database file (var/ for PostgreSQL).
    signing_key_file: Path | None = None
    #: The signer's memory of the last checkpoint it signed, kept outside the database (README
    #: "The verifiable log"); None: `last-signed-checkpoint` beside the signing key file.
    signer_memory: Path | None = None
    #: The checkpoints' origin line and key name; None: caseledger.local/<district>.
    log_origin: str | None = None
    checkpoint_every: int = Field(default=1000, ge=1)
    checkpoint_seconds: float = Field(default=60.0, ge=0)
    #: The integrator streams (README "Integrator streams"): events kept in memory for live
    #: subscribers (one further behind is disconnected and resumes from its position), the
    #: keep-alive interval, and how long one send to a stalled subscriber may take.
    stream_window: int = Field(default=10_000, ge=100)
    stream_keepalive_seconds: float = Field(default=15.0, gt=0)
    stream_send_timeout_seconds: float = Field(default=30.0, gt=0)
    stream_max_subscribers: int = Field(default=1000, ge=1)
    #: How many of those one user (a token's `sub`) may hold (api/streams/limits.py).
    stream_max_per_user: int = Field(default=20, ge=1)
    #: The largest websocket message the server reads (uvicorn's `ws_max_size`): a bigger one
    #: closes the socket with 1009 before it is held in memory whole.
    ws_max_bytes: int = Field(default=64 * 1024, ge=1024)
    #: How many websockets may await their connection_init (5 s at most each) at once; one
    #: more is closed with 1013 (try again later).
    ws_max_unauthenticated: int = Field(default=200, ge=1)

    @field_validator("log_level", mode="before")
    @classmethod
    def upper_case_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @property
    def identity_provider(self) -> bool:
        """Tokens come from an identity provider (a public key or JWKS), not our HS256 secret."""
        return self.jwt_public_key_file is not None or self.jwks_file is not None

    @property
    def docs_open(self) -> bool:
        return self.environment == "development" if self.public_docs is None else self.public_docs

    @model_validator(mode="after")
    def refuse_unsafe_defaults(self) -> Settings:
        if self.jwt_public_key_file is not None and self.jwks_file is not None:
            raise ValueError("set LEDGER_JWT_PUBLIC_KEY_FILE or LEDGER_JWKS_FILE, not both")
        for key_file in (self.jwt_public_key_file, self.jwks_file):
            if key_file is not None and not key_file.is_file():
                raise ValueError(f"the token key file {key_file} does not exist")
        if self.environment == "production":
            if self.jwt_secret.get_secret_value() == DEV_SECRET and not self.identity_provider:
                raise ValueError("set LEDGER_JWT_SECRET: the development secret is public")
            if self.cipher_key is None:
                raise ValueError("set LEDGER_CIPHER_KEY: production events must be encrypted")
            if self.person_key.get_secret_value() == DEV_PERSON_KEY:
                raise ValueError("set LEDGER_PERSON_KEY: the development person key is public")
            if self.signing_key is None:
                raise ValueError(
                    "set LEDGER_SIGNING_KEY: production checkpoints are signed with the "
                    "bureau's own key (`ledger signing-key` makes one)"
                )
        self._check_read_database()
        if len(self.jwt_secret.get_secret_value()) < 32:
            raise ValueError("LEDGER_JWT_SECRET must be at least 32 characters")
        if len(self.person_key.get_secret_value()) < 32:
            raise ValueError("LEDGER_PERSON_KEY must be at least 32 characters")
        return self

    def _check_read_database(self) -> None:
        """A replica is PostgreSQL's (a hot standby); SQLite has none, and views read from
        another engine than the one they are written to would be another database."""
        if self.read_database_url is None:
            return
        if not self.read_database_url.startswith(("postgresql://", "postgres://")):
            raise ValueError(
                "LEDGER_READ_DATABASE_URL must be a postgresql:// URL of a streaming replica of "
                "the primary (SQLite has no replicas: leave it unset)"
            )
        if not self.database_url.startswith(("postgresql://", "postgres://")):
            raise ValueError(
                "LEDGER_READ_DATABASE_URL is a PostgreSQL replica, but LEDGER_DATABASE_URL is "
                "not PostgreSQL: the replica must replicate the primary the ledger writes to"
            )

    @property
    def origin(self) -> str:
        """The verifiable log's name, on every checkpoint and as its key's name."""
        return self.log_origin or f"caseledger.local/{self.district}"

    def dev_signing_key_file(self) -> Path:
        """Where development keeps its signing key: the setting, or beside the database."""
        if self.signing_key_file is not None:
            return self.signing_key_file
        if self.database_url.startswith("sqlite:///"):
            return Path(self.database_url[len("sqlite:///") :]).parent / "dev-signing-key"
        return Path("var/dev-signing-key")

    def signer_memory_file(self, key_id: str = "") -> Path:
        """Where the signer remembers its last checkpoint: the setting, or beside its key,
        named by the key's id (so two keys sharing a folder never read each other's)."""
        if self.signer_memory is not None:
            return self.signer_memory
        name = f"last-signed-checkpoint-{key_id}" if key_id else "last-signed-checkpoint"
        return self.dev_signing_key_file().parent / name

    def master_key(self) -> str:
        """What wraps the per-person data keys: the cipher key, or in development a public one."""
        if self.cipher_key is None:
            return DEV_PUBLIC_MASTER_KEY
        return self.cipher_key.get_secret_value()
