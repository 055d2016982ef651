"""`ledger history`: a case's file (every event, its leaf hash and inclusion proof) or its
state as recorded at a time; personal data masked unless a purpose and a reader are given.
Registered in api/cli.py."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import typer

from api.permissions import Disclosure
from api.settings import Settings


def history(
    case_id: UUID,
    as_of: Annotated[
        datetime | None,
        typer.Option("--as-of", help="the state as recorded at this time (China time if no zone)"),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="text, json or csv")] = "text",
    purpose: Annotated[
        str | None, typer.Option(help="why personal data is read in full (recorded)")
    ] = None,
    user: Annotated[
        str | None, typer.Option(help="who reads in full, recorded with role `operator`")
    ] = None,
    bearer: Annotated[
        str | None, typer.Option("--token", help="read as this token's role (and record it)")
    ] = None,
) -> None:
    """Print a case's file: every event with its position, leaf hash and inclusion proof
    (personal data masked unless --purpose with --user or --token); or, with --as-of, the
    case's state as recorded at a time. `--format json` is the case file that
    `ledger verify --case-file` checks offline."""
    from api.case_file import case_file
    from api.case_history import FORMATS, case_state, render_history, render_state
    from api.cli import _container, console
    from api.permissions import OPERATOR
    from domain.shared.access import check_read
    from domain.shared.errors import DomainError

    if fmt not in FORMATS:
        console.print(f"[red]--format must be one of {', '.join(FORMATS)}[/]")
        raise typer.Exit(2)
    settings = Settings()
    try:
        shows = _cli_disclosure(settings, purpose, user, bearer)
    except (DomainError, ValueError) as e:
        console.print(f"[red]{getattr(e, 'message', e)}[/]")
        raise typer.Exit(2) from None
    container = _container()
    try:
        if shows.actor is not None and shows.actor.role != OPERATOR:  # a token: its role's rule
            check_read("caseHistory", shows.actor)
        if as_of is not None:
            print(render_state(case_state(container.ledger, case_id, as_of), fmt))
        else:
            print(render_history(case_file(container, case_id, shows), fmt))
    except DomainError as e:
        console.print(f"[red]{e.message}[/]")
        raise typer.Exit(1) from None
    finally:
        container.close()


def _cli_disclosure(
    settings: Settings, purpose: str | None, user: str | None, bearer: str | None
) -> Disclosure:
    """Masks unless a purpose and a reader are given: `--user` (an operator at the console,
    recorded as role `operator`) or `--token` (its role decides, as over HTTP)."""
    from api.auth import AuthError, authenticate
    from api.permissions import operator, purpose_from

    if purpose is None:
        return Disclosure(None, via="cli")
    reason = purpose_from(purpose, "--purpose")
    if (user is None) == (bearer is None):
        raise ValueError("with --purpose, say who reads: --user U or --token T (one of them)")
    if bearer is not None:
        try:
            actor = authenticate(settings, bearer)
        except AuthError as e:
            raise ValueError(f"--token: {e}") from None
    else:
        assert user is not None
        actor = operator(user)
    return Disclosure(actor, reason, via="cli", purpose_field="--purpose")
