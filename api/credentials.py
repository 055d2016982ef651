"""What the CLI may print: development tokens for every role, and a start banner with no secret.

Production prints no token unasked (an admin mints one with `ledger token --user --role`), and
no URL is printed with its password.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.auth import issue_token
from api.demo.names import STREETS
from api.logs import redact_url
from api.settings import Settings

#: The demo street the development caseworker works in.
DEMO_STREET = "新闸街道" if "新闸街道" in STREETS else next(iter(STREETS))


@dataclass(frozen=True)
class DevIdentity:
    label: str
    user: str
    role: str
    street: str | None = None
    grants: tuple[str, ...] = ()


#: One ready identity per role (and the auditor with the `pii` grant), for development.
DEV_IDENTITIES = (
    DevIdentity(f"caseworker of {DEMO_STREET}", "dev-caseworker", "caseworker", DEMO_STREET),
    DevIdentity("approver (district)", "dev-approver", "approver"),
    DevIdentity("supervisor (district)", "dev-supervisor", "supervisor"),
    DevIdentity("auditor (personal data masked)", "dev-auditor", "auditor"),
    DevIdentity("auditor with the pii grant", "dev-auditor-pii", "auditor", grants=("pii",)),
    DevIdentity("integrator", "dev-integrator", "integrator"),
    DevIdentity("admin", "dev-admin", "admin"),
)


class CannotMint(Exception):
    """`ledger token` may not make this token here; the message says why and what to do."""


def mint(
    settings: Settings, user: str, role: str, street: str | None, grants: tuple[str, ...] = (),
    ttl_hours: int | None = None,
) -> str:  # fmt: skip
    """One HS256 token, refused when the ledger checks tokens against an identity provider."""
    if settings.identity_provider:
        raise CannotMint(
            "this ledger checks tokens against an identity provider (LEDGER_JWT_PUBLIC_KEY_FILE "
            "or LEDGER_JWKS_FILE) and refuses HS256: get tokens from the provider"
        )
    if ttl_hours is not None and not 1 <= ttl_hours <= 24 * 31:
        raise ValueError("--ttl-hours must be between 1 and 744 (31 days)")
    secret = settings.jwt_secret.get_secret_value()
    return issue_token(secret, user, role, street, ttl_hours or settings.jwt_ttl_hours, grants)


def dev_tokens(settings: Settings) -> list[tuple[DevIdentity, str]]:
    """A token for every development identity; never in production, nor with a provider."""
    if settings.environment == "production":
        raise CannotMint(
            "production prints no token unasked: give --user and --role "
            "(e.g. `ledger token --user li.na --role caseworker --street 新闸街道`)"
        )
    return [(i, mint(settings, i.user, i.role, i.street, i.grants)) for i in DEV_IDENTITIES]


def labelled(tokens: list[tuple[DevIdentity, str]], ttl_hours: int) -> str:
    """Each token on its own line (so it copies whole), under a `#` line naming it."""
    return "\n".join(f"# {i.label} (user {i.user}, {ttl_hours} h)\n{token}" for i, token in tokens)


def startup_banner(settings: Settings, base: str, public_key: str | None = None) -> str:
    """What `ledger serve` prints at start: the dashboard first (what a new user opens), the
    other addresses, and tokens only in development; the checkpoint's address and the
    verifier key (public) that checks it."""
    lines = [
        f"caseledger for {settings.district_name} on {redact_url(settings.database_url)}",
        f"  Dashboard: {base}/  (paste a token below, or pick a demo role)"
        if settings.environment != "production" and not settings.identity_provider
        else f"  Dashboard: {base}/",
        f"  GraphQL:  {base}/graphql" + ("  (GraphiQL in a browser)" if settings.docs_open else ""),
    ]
    if settings.read_database_url:
        lines.insert(1, f"  GraphQL reads the views from {redact_url(settings.read_database_url)}")
    if settings.docs_open:
        lines.append(f"  REST docs: {base}/docs")
    lines.append(f"  Health:   {base}/healthz  {base}/readyz  {base}/metrics")
    lines.append(f"  Checkpoint: {base}/api/v1/ledger/checkpoint  (ledger checkpoint --note)")
    if public_key is not None:
        lines.append(f"  Verifier key: {public_key}")
    if settings.identity_provider:
        lines.append("  Tokens come from your identity provider (RS256/ES256); none is printed.")
    elif settings.environment == "production":
        lines.append(
            "  No token is printed in production: an admin mints one with "
            "`ledger token --user U --role R [--street S] [--grant G]`."
        )
    else:
        lines.append("  Development tokens, one per role (again at any time: `ledger token`):")
        lines.append(labelled(dev_tokens(settings), settings.jwt_ttl_hours))
    return "\n".join(lines)
