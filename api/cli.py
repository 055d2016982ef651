"""The `ledger` command line: serve, migrate, project, rebuild, demo, token, history."""

from __future__ import annotations

import json
import signal
import threading
from datetime import datetime
from typing import Annotated
from uuid import UUID

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from api.container import Container, build
from api.settings import Settings

cli = typer.Typer(help="caseledger: the district civil-affairs case ledger.", no_args_is_help=True)
console = Console(stderr=True)


def _container() -> Container:
    from projections.person_keys import KeysRefused

    try:
        return build(Settings(), progress=lambda msg: console.print(f"[dim]migrate: {msg}[/]"))
    except KeysRefused as e:
        console.print(f"[red]refused to start: {e}[/]")
        raise typer.Exit(2) from None


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console,
    )  # fmt: skip


def _load_demo(container: Container, seed: int, households: int) -> None:
    from api.demo.district import DemoDistrict

    container.runner.start()  # payroll runs and the death process read views, so keep them current
    with _progress() as bar:
        task = bar.add_task("loading demo district", total=households)
        DemoDistrict(container.ledger, seed).load(
            households, lambda done, total: bar.update(task, completed=done, total=total)
        )


def _catch_up(container: Container, label: str) -> None:
    head = container.ledger.latest_position()
    with _progress() as bar:
        task = bar.add_task(label, total=max(head, 1))
        container.runner.run_once(
            lambda _, pos, total: bar.update(task, completed=pos, total=total)
        )
        bar.update(task, completed=max(head, 1))


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
) -> None:
    """Serve the API, GraphQL and the projections in one process (loads the demo if empty)."""
    import uvicorn

    from api.app import create_app
    from api.auth import issue_token

    container = _container()
    settings = container.settings
    if settings.load_demo_when_empty and container.ledger.latest_position() == 0:
        _load_demo(container, seed=2023, households=120)
    _catch_up(container, "building views")
    token = issue_token(
        settings.jwt_secret.get_secret_value(), "dev", "admin", None, settings.jwt_ttl_hours
    )
    base = f"http://{host}:{port}"
    console.print(
        f"\n[bold]caseledger[/] for {settings.district_name} on {settings.database_url}\n"
        f"  GraphQL (GraphiQL): {base}/graphql\n  REST docs:          {base}/docs\n"
        f"  Health:             {base}/healthz  {base}/readyz  {base}/metrics\n"
        f"  Dev token (admin, {settings.jwt_ttl_hours} h), on the next line:",
        soft_wrap=True,
    )
    print(token, flush=True)  # unwrapped, so it can be copied whole
    try:
        uvicorn.run(create_app(container=container), host=host, port=port, log_level="info")
    finally:
        container.close()


@cli.command()
def migrate() -> None:
    """Apply pending migrations (also done by every other command at start-up)."""
    container = _container()
    container.close()
    console.print("migrations are up to date")


@cli.command()
def project() -> None:
    """Run the projections alone, as a worker, until interrupted."""
    container = _container()
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    container.runner.start()
    console.print("projecting; Ctrl-C to stop")
    stop.wait()
    container.close()


@cli.command()
def rebuild(
    projection: Annotated[str | None, typer.Option(help="only this view")] = None,
) -> None:
    """Drop and rebuild views from the log, with progress."""
    container = _container()
    names = [p.name for p in container.runner.projections]
    if projection and projection not in names:
        console.print(f"[red]unknown projection {projection}; known: {', '.join(names)}[/]")
        raise typer.Exit(2)
    container.runner.reset([projection] if projection else None)
    _catch_up(container, f"rebuilding {projection or 'all views'}")
    failed = container.runner.failed
    container.close()
    if failed:
        for name, error in failed.items():
            console.print(f"[red]{name} stopped: {error}[/]")
        raise typer.Exit(1)


@cli.command()
def demo(
    seed: Annotated[int, typer.Option(help="random seed")] = 2023,
    households: Annotated[int, typer.Option(help="how many households")] = 120,
) -> None:
    """Load the synthetic demo district into an empty database."""
    container = _container()
    if container.ledger.latest_position() != 0:
        console.print("[red]the ledger is not empty: the demo loads only into an empty one[/]")
        container.close()
        raise typer.Exit(1)
    _load_demo(container, seed, households)
    _catch_up(container, "building views")
    container.close()


@cli.command()
def token(
    user: Annotated[str, typer.Option(help="user id")],
    role: Annotated[str, typer.Option(help="caseworker, approver, supervisor, auditor, ...")],
    street: Annotated[str | None, typer.Option(help="the caller's street, if any")] = None,
) -> None:
    """Print a signed bearer token."""
    from api.auth import issue_token

    settings = Settings()
    try:
        print(
            issue_token(
                settings.jwt_secret.get_secret_value(), user, role, street, settings.jwt_ttl_hours
            )
        )
    except ValueError as e:
        console.print(f"[red]{e}[/]")
        raise typer.Exit(2) from None


@cli.command()
def history(
    case_id: UUID,
    as_of: Annotated[datetime | None, typer.Option("--as-of", help="recorded time")] = None,
    data: Annotated[
        bool, typer.Option("--data", help="each event's data too, personal data masked")
    ] = False,
) -> None:
    """Print a case's history, or its state as recorded at a time."""
    from api.permissions import redacted
    from domain.shared.errors import DomainError

    container = _container()
    try:
        if as_of is not None:
            case = container.ledger.case_as_of(case_id, at=as_of.astimezone())
            state = {
                "id": str(case.id),
                "version": case.version,
                "status": case.status,
                "programme": case.programme,
                "monthly_amount_fen": case.monthly_amount_fen,
            }
            print(json.dumps(state, indent=2))
        else:
            for e in container.ledger.case_events(case_id):
                when = e.timestamp.isoformat(timespec="seconds")
                print(
                    f"v{e.originator_version:<3} {when} {type(e).__name__:<24} "
                    f"on {e.occurred_on} by {e.actor['user']}"
                )
                if data:  # the CLI has no token: masked, and [erased] once erased
                    skip = {"originator_id", "originator_version", "timestamp", "actor"}
                    shown = {k: v for k, v in vars(e).items() if k not in skip}
                    print("     " + json.dumps(redacted(shown, None), ensure_ascii=False))
    except DomainError as e:
        console.print(f"[red]{e.message}[/]")
        raise typer.Exit(1) from None
    finally:
        container.close()


def main() -> None:
    cli()
