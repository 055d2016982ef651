"""`ledger relay`: the NATS JetStream relay's command (api/streams/relay_command.py runs it;
README "The NATS JetStream relay"). Registered in api/cli.py; NATS is imported only here."""

from __future__ import annotations

import re
from typing import Annotated

import typer

from api.settings import Settings


def relay(
    nats_url: Annotated[str, typer.Option("--nats", help="the NATS server")] = (
        "nats://127.0.0.1:4222"
    ),
    stream: Annotated[
        str | None, typer.Option(help="JetStream stream; default CASELEDGER_<district>")
    ] = None,
    batch: Annotated[int, typer.Option(min=1, max=4000, help="events per pipelined batch")] = 500,
    from_start: Annotated[
        bool, typer.Option("--from-start", help="forget the stored position: trust the stream")
    ] = False,
    log_every: Annotated[int, typer.Option(min=1, help="a progress line per N events")] = 10_000,
    status: Annotated[bool, typer.Option("--status", help="print where the relay is")] = False,
) -> None:
    """Publish every event to NATS JetStream, in order, exactly once (README "The NATS
    JetStream relay"); --status prints its position, stream sequence, head and lag."""
    from api.cli import _container, console
    from api.logs import configure_logging
    from api.streams import relay_command as command
    from api.streams.relay_nats import RelayOptions

    if stream is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,200}", stream):
        raise typer.BadParameter("letters, digits, - and _ only", param_hint="--stream")
    settings = Settings()
    configure_logging(settings.log_level)
    options = RelayOptions(
        nats_url, settings.district, stream, batch, from_start, log_every, settings.poll_interval
    )
    container = _container()
    try:
        if status:
            print("\n".join(command.status(container, options)))
            return
        code = command.relay_command(container, options, lambda text: console.print(text))
    finally:
        container.close()
    raise typer.Exit(code)
