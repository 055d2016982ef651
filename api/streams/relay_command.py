"""`ledger relay` (run until SIGINT/SIGTERM) and `ledger relay --status` (api/cli.py).

The loop: read a batch after the relay's position, publish it, write the position; when
nothing is left, wait for a wake-up (PostgreSQL NOTIFY, an in-process commit) or the poll
interval (`LEDGER_POLL_INTERVAL`). NATS or the database unreachable is retried with a
growing pause (at most 30 s), reconnecting and reconciling first; a refusal (RelayRefused)
ends the command with exit status 2 and says why.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

import nats
from nats.js.errors import NotFoundError

from api.container import Container
from api.streams import relay_position
from api.streams.jetstream_pipeline import why
from api.streams.relay_nats import Relay, RelayOptions, RelayRefused
from projections.feed.envelope import source_of
from projections.feed.notify import NotifyListener
from projections.feed.reader import LogReader

log = logging.getLogger("caseledger.relay")


async def run(relay: Relay, stop: asyncio.Event, listener: NotifyListener | None = None) -> None:
    """Publish until `stop` is set; transient failures are retried, RelayRefused ends it."""
    woken = relay.woken()
    if listener is not None:
        listener.callbacks.append(relay.wake)
        listener.start()
    failures, connected = 0, False
    try:
        while not stop.is_set():
            woken.clear()
            try:
                if not connected:
                    await relay.connect()
                    await relay.reconcile()
                    connected = True
                    log.info("relay: publishing to %s after position %s (sequence %s)",
                             relay.options.stream_name, relay.at.position,
                             relay.at.sequence)  # fmt: skip
                if await relay.step():
                    failures = 0
                    continue
            except RelayRefused:
                raise
            except Exception as error:  # NATS or the database unreachable, a timeout
                failures += 1
                log.warning("relay: %s; retrying", why(error))
                await relay.close_quietly()
                connected = False
                await _wait(stop, min(relay.options.poll_interval * 2**failures, 30.0))
                continue
            await _wait(woken, relay.options.poll_interval, stop)
    finally:
        if listener is not None and relay.wake in listener.callbacks:
            listener.callbacks.remove(relay.wake)
        await relay.close_quietly()


async def _wait(event: asyncio.Event, timeout: float, also: asyncio.Event | None = None) -> None:
    """Until `event` (or `also`) is set, or `timeout` passed."""
    waits = [asyncio.ensure_future(event.wait())]
    if also is not None:
        waits.append(asyncio.ensure_future(also.wait()))
    _, pending = await asyncio.wait(waits, timeout=timeout, return_when="FIRST_COMPLETED")
    for task in pending:
        task.cancel()


def relay_command(container: Container, options: RelayOptions, say: Callable[[str], None]) -> int:
    """Run the relay in the foreground; the exit status (2: refused)."""
    relay = Relay(
        options, LogReader(container.ledger), container.db, source_of(container.settings.origin)
    )
    container.ledger.listeners.append(relay.wake)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run(relay, stop, container.runner.listener)

    try:
        asyncio.run(main())
    except RelayRefused as refused:
        say(f"refused: {refused}")
        return 2
    say(f"relay stopped at position {relay.at.position} (stream sequence {relay.at.sequence})")
    return 0


def status(container: Container, options: RelayOptions) -> list[str]:
    """The stored position, the head and the lag; the stream's own end when NATS answers."""
    name = options.stream_name
    head = container.ledger.latest_position()
    rows = {r.stream: r for r in relay_position.rows(container.db)}
    row = rows.get(name)
    if row is None:
        lines = [f"stream {name}: the relay has not published yet; head {head}, lag {head}"]
    else:
        lines = [
            f"stream {name}: position {row.at.position}, stream sequence {row.at.sequence}, "
            f"head {head}, lag {max(0, head - row.at.position)} positions "
            f"(written {row.updated_at})"
        ]
    lines += [f"other stream {r.stream}: position {r.at.position}" for r in rows.values()
              if r.stream != name]  # fmt: skip
    lines.append(asyncio.run(_broker_line(options)))
    return lines


async def _quiet(error: Exception) -> None:
    """The answer says it in one line; no traceback per attempt."""


async def _broker_line(options: RelayOptions) -> str:
    name = options.stream_name
    try:
        nc = await nats.connect(
            options.nats_url, connect_timeout=2, allow_reconnect=False,
            max_reconnect_attempts=1, reconnect_time_wait=0.2, error_cb=_quiet,
        )  # fmt: skip
    except Exception as error:
        return f"NATS at {without_password(options.nats_url)}: not reachable ({why(error)})"
    try:
        state = (await nc.jetstream(timeout=5).stream_info(name)).state
        return f"NATS: stream {name} last sequence {state.last_seq}, {state.messages} messages"
    except NotFoundError:
        return f"NATS: stream {name} does not exist (yet)"
    except Exception as error:
        return f"NATS: stream {name}: {why(error)}"
    finally:
        await nc.close()


def without_password(url: str) -> str:
    """A NATS URL fit to print: its user and password left out."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))
