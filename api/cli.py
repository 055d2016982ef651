"""The `ledger` command line: serve, migrate, project, rebuild, demo, token; history
(api/cli_history.py), relay (api/cli_relay.py), and verify, checkpoint and signing-key
(api/cli_log.py)."""

from __future__ import annotations

import signal
import threading
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from api.container import Container, build
from api.settings import Settings

cli = typer.Typer(
    help="caseledger: the district civil-affairs case ledger.", no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # a crash must not print settings, secrets or data
)  # fmt: skip
console = Console(stderr=True)


def _container() -> Container:
    from api.signing import SigningKeyRefused
    from projections.chain.checkpoints import CheckpointRefused
    from projections.person_keys import KeysRefused

    try:
        return build(Settings(), progress=lambda msg: console.print(f"[dim]migrate: {msg}[/]"))
    except (KeysRefused, CheckpointRefused, SigningKeyRefused) as e:
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
    workers: Annotated[
        int, typer.Option(min=1, help="API worker processes (PostgreSQL only above 1)")
    ] = 1,
) -> None:
    """Serve the API, GraphQL and the projections (loads the demo if empty).

    With --workers N, N processes serve the API (each its own Ledger) and this process runs
    the projections, reactions and sealer once, for all of them.
    """
    import uvicorn

    from api.app import create_app
    from api.credentials import startup_banner
    from api.logs import configure_logging, uvicorn_options
    from api.serve_workers import run_workers

    configure_logging(Settings().log_level)
    if workers > 1 and Settings().database_url.startswith("sqlite"):
        # One writer at a time on the file, and no NOTIFY to wake the projections: the group
        # commit of one process does better there than several processes on the file lock.
        console.print("[red]--workers above 1 needs PostgreSQL; SQLite serves with one[/]")
        raise typer.Exit(2)
    container = _container()
    settings = container.settings
    demo = settings.load_demo_when_empty and container.ledger.latest_position() == 0
    if demo:
        _load_demo(container, seed=2023, households=120)
    if settings.run_projections or demo:  # else `ledger project` keeps the views, elsewhere
        _catch_up(container, "building views")
    if demo:
        cli_log.verify_demo(container)
    # No secret in it: the URL's password is masked, and production prints no token.
    public_key = container.checkpointer.signer.verifier.text()
    print("\n" + startup_banner(settings, f"http://{host}:{port}", public_key), flush=True)
    # Our JSON logs (api/logs.py) replace uvicorn's, whose access log prints raw paths.
    # No per-message deflate on websockets: it cost a tenth of the server's CPU per event
    # sent (bench/streams.py), and a stalled client's compressed backlog hid ten times
    # more data before a send blocked and its deadline began.
    # An open dashboard holds an event stream that never ends by itself: Ctrl+C waits
    # this long for open connections, then closes them.
    options = dict(
        host=host, port=port, ws_max_size=settings.ws_max_bytes, ws_per_message_deflate=False,
        timeout_graceful_shutdown=3, **uvicorn_options(settings.log_level),
    )  # fmt: skip
    try:
        if workers == 1:
            uvicorn.run(create_app(container=container), **options)
        else:
            # The projections in one place only: here; the workers start none (worker_app).
            if settings.run_projections:
                container.runner.start()
            run_workers("api.app:worker_app", workers, **options)
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
    from api.logs import configure_logging

    configure_logging(Settings().log_level)
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
    batch_size: Annotated[int, typer.Option(help="events per transaction", min=1)] = 500,
) -> None:
    """Rebuild views from the log beside the live ones, then switch to them in one step."""
    from rich.markup import escape

    from api.logs import scrub
    from projections.rebuild import OnlineRebuild, RebuildFailed
    from projections.shadow import RebuildRunning, ShadowChanged

    container = _container()
    names = [p.name for p in container.runner.projections]
    if projection and projection not in names:
        console.print(f"[red]unknown projection {projection}; known: {', '.join(names)}[/]")
        container.close()
        raise typer.Exit(2)
    job = OnlineRebuild(
        container.ledger, container.db, container.runner.projections,
        [projection] if projection else None, batch_size=batch_size,
    )  # fmt: skip
    label = ", ".join(job.names) if projection else "all views"
    try:
        with _progress() as bar:
            task = bar.add_task(f"rebuilding {label} beside the live views", total=1)

            def show(stage: str, position: int, head: int) -> None:
                text = f"{stage} {label} (queries answer from the live views)"
                bar.update(task, completed=position, total=max(head, 1), description=text)

            switched = job.run(show)
    except RebuildFailed as failure:
        for name, error in failure.failed.items():
            console.print(f"[red]{name} stopped: {escape(scrub(error))}[/]")
        console.print("[red]nothing switched: the live views are as they were[/]")
        raise typer.Exit(1) from None
    except (RebuildRunning, ShadowChanged) as refused:
        console.print(f"[red]{refused}[/]")
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        console.print("[yellow]interrupted: nothing switched, the live views are as they were[/]")
        raise typer.Exit(130) from None
    finally:
        container.close()
    console.print(f"switched {len(switched)} views at position {max(switched.values(), default=0)}")


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
    cli_log.verify_demo(container)
    container.close()


@cli.command()
def token(
    user: Annotated[str | None, typer.Option(help="user id")] = None,
    role: Annotated[
        str | None, typer.Option(help="caseworker, approver, supervisor, auditor, ...")
    ] = None,
    street: Annotated[str | None, typer.Option(help="the caller's street, if any")] = None,
    grant: Annotated[
        list[str] | None, typer.Option(help="an extra right, e.g. pii (repeat for more)")
    ] = None,
    ttl_hours: Annotated[int | None, typer.Option(help="hours it is valid")] = None,
) -> None:
    """Print a signed HS256 token; with no options, in development, one for every role."""
    from api.credentials import CannotMint, dev_tokens, labelled, mint

    settings = Settings()
    try:
        if user is None and role is None and street is None and not grant:
            print(labelled(dev_tokens(settings), settings.jwt_ttl_hours))
            return
        if user is None or role is None:
            raise ValueError(
                "give both --user and --role (or nothing, for every role in development)"
            )
        print(mint(settings, user, role, street, tuple(grant or ()), ttl_hours))
    except (ValueError, CannotMint) as e:
        console.print(f"[red]{e}[/]")
        raise typer.Exit(2) from None


from api import cli_history, cli_log, cli_relay  # noqa: E402 - they use _container above

cli.command("history")(cli_history.history)
cli.command("checkpoint")(cli_log.checkpoint)
cli.command("signing-key")(cli_log.signing_key)
cli.command("verify")(cli_log.verify)
cli.command("relay")(cli_relay.relay)


def main() -> None:
    cli()
