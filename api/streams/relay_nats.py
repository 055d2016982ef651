"""`ledger relay`: every event of the ledger into a NATS JetStream stream, once, in order
(README "The NATS JetStream relay").

It reads the log through the one reader (`LogReader`) after its own position. Each event goes
to `caseledger.<district>.<area>.<Aggregate>.<Event>` as its CloudEvent JSON, masked as for a
role without personal data (no token reads through the relay: every subscriber gets masks).

No gaps, no repeats, in order: each message carries `Nats-Msg-Id` (the event id: the broker
drops a repeat within its duplicate window), `Nats-Expected-Last-Sequence` (the broker
refuses a message that would not follow the stream's last), within a batch
`Nats-Expected-Last-Msg-Id` (the previous event: once one message of a batch is refused, so
is the rest, even if someone else's message reached the sequence they expect) and
`Ledger-Position`. A batch is pipelined (api/streams/jetstream_pipeline.py). An unexpected
acknowledgement (another relay, a repeat) makes it reconcile with the stream and go on from
its last message. Its position is written to `relay_positions` after the acknowledgements;
on start the stream's last message is the truth when it is ahead of that row (a crash in
between), and a stream behind the row (purged, deleted) is refused unless `--from-start`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass
from typing import Any

import nats
from nats.aio.client import Client
from nats.errors import MaxPayloadError
from nats.js import JetStreamContext
from nats.js.api import PubAck, StorageType, StreamConfig
from nats.js.errors import BadRequestError, NotFoundError

from api.permissions import operator
from api.streams import relay_position
from api.streams.access import StreamAccess
from api.streams.jetstream_pipeline import Pipeline, why
from api.streams.relay_position import RelayPosition
from projections.feed.reader import EVERYTHING, FeedEvent, LogReader
from projections.store import Database

log = logging.getLogger("caseledger.relay")

POSITION_HEADER = "Ledger-Position"


class RelayRefused(Exception):
    """The stream and the relay's position disagree in a way it must not repair alone."""


@dataclass(frozen=True)
class RelayOptions:
    nats_url: str
    district: str
    stream: str | None = None
    batch: int = 500
    from_start: bool = False
    log_every: int = 10_000
    poll_interval: float = 1.0
    ack_timeout: float = 30.0
    duplicate_window: float = 120.0

    @property
    def stream_name(self) -> str:
        return self.stream or f"CASELEDGER_{self.district}"

    @property
    def subjects(self) -> str:
        return f"caseledger.{self.district}.>"

    def subject_of(self, event: FeedEvent) -> str:
        """`caseledger.320404.assistance.AssistanceCase.EligibilityConfirmed`."""
        return f"caseledger.{self.district}.{event.type.area}.{event.type.name}"


@dataclass(frozen=True)
class StreamEnd:
    """The stream's last sequence and the ledger position of its last message (None: empty)."""

    sequence: int
    position: int | None


class Relay:
    def __init__(self, options: RelayOptions, reader: LogReader, db: Database, source: str):
        self.options = options
        self.reader = reader
        self.db = db
        #: Masks for everyone: an operator without a purpose (api/streams/access.py decides).
        self.access = StreamAccess(operator("relay"), EVERYTHING, source, via="relay")
        self.at = RelayPosition()
        self.published = 0
        #: Acknowledgements that were not the expected ones (another relay, a repeat).
        self.conflicts = 0
        self.nc: Client | None = None
        self.js: JetStreamContext | None = None
        self.pipeline: Pipeline | None = None
        self._from_start = options.from_start
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._logged_at = 0

    # -- connecting and reconciling -----------------------------------------------------------

    async def connect(self) -> None:
        self.nc = await nats.connect(
            self.options.nats_url, name="caseledger-relay", max_reconnect_attempts=-1,
            error_cb=_one_line,  # it retries for good; a line each time, not a traceback
        )  # fmt: skip
        self.js = self.nc.jetstream(timeout=self.options.ack_timeout)
        self.pipeline = Pipeline(self.nc)
        await self.ensure_stream()

    async def close(self) -> None:
        if self.pipeline is not None:
            await self.pipeline.close()
        if self.nc is not None and not self.nc.is_closed:
            await self.nc.drain()

    def _jetstream(self) -> JetStreamContext:
        if self.js is None:
            raise RuntimeError("connect() first")
        return self.js

    async def ensure_stream(self) -> None:
        """Create the stream (file storage, a duplicate window) unless it exists; refuse one
        that does not take the district's subjects."""
        js, name = self._jetstream(), self.options.stream_name
        try:
            info = await js.stream_info(name)
        except NotFoundError:
            config = StreamConfig(
                name=name, subjects=[self.options.subjects], storage=StorageType.FILE,
                duplicate_window=self.options.duplicate_window,
                description="caseledger events, published by `ledger relay`",
            )  # fmt: skip
            try:
                await js.add_stream(config)
            except BadRequestError as refused:  # e.g. another stream takes these subjects
                raise RelayRefused(
                    f"NATS refused to create stream {name} on {self.options.subjects}: "
                    f"{refused.description}"
                ) from None
            log.info("relay: created stream %s for %s", name, self.options.subjects)
            return
        if self.options.subjects not in (info.config.subjects or []):
            raise RelayRefused(
                f"stream {name} exists but does not take {self.options.subjects} (it takes "
                f"{', '.join(info.config.subjects or []) or 'nothing'}): choose another --stream"
            )

    async def stream_end(self) -> StreamEnd:
        js, name = self._jetstream(), self.options.stream_name
        state = (await js.stream_info(name)).state
        if state.messages == 0:
            return StreamEnd(state.last_seq, None)
        try:
            last = await js.get_last_msg(name, self.options.subjects)
        except NotFoundError:
            last = None
        header = (last.headers or {}).get(POSITION_HEADER) if last is not None else None
        if last is None or last.seq != state.last_seq or header is None or not header.isdigit():
            raise RelayRefused(
                f"the last message of stream {name} (sequence {state.last_seq}) is not one the "
                "relay published (deleted, or published by someone else): the relay cannot "
                "tell where it stands; give it a stream of its own"
            )
        return StreamEnd(state.last_seq, int(header))

    async def reconcile(self) -> RelayPosition:
        """Where to go on from: the stream's last message, checked against the stored row."""
        name = self.options.stream_name
        stored = await asyncio.to_thread(relay_position.load, self.db, name)
        # --from-start: the stored row is ignored (and replaced once the stream is accepted)
        row = RelayPosition() if self._from_start or stored is None else stored
        end = await self.stream_end()
        head = await asyncio.to_thread(self.reader.head)
        if end.position is None:
            if row.position > 0:
                raise RelayRefused(
                    f"stream {name} holds no message, but the relay published up to position "
                    f"{row.position} (stream sequence {row.sequence}): it was purged or "
                    "deleted. To publish every event again, delete the stream and run "
                    "`ledger relay --from-start` (a purge keeps the broker's duplicate window, "
                    "which drops the ids published again)"
                )
            at = RelayPosition(0, end.sequence)
        elif end.position < row.position or end.sequence < row.sequence:
            raise RelayRefused(
                f"stream {name} ends at position {end.position} (sequence {end.sequence}), "
                f"behind the relay's own position {row.position} (sequence {row.sequence}): "
                "messages were removed. `ledger relay --from-start` goes on after the "
                "stream's last message instead"
            )
        elif end.position > head:
            raise RelayRefused(
                f"stream {name} ends at position {end.position}, beyond this ledger's head "
                f"{head}: it was filled from another ledger; choose another --stream"
            )
        else:
            at = RelayPosition(end.position, end.sequence)
        if at != stored and not self._from_start:  # --from-start: once it has published
            if stored is not None and at.position > stored.position:
                log.info("relay: the stream is ahead of the stored position %s: resuming at "
                         "%s", stored.position, at.position)  # fmt: skip
            await asyncio.to_thread(relay_position.save, self.db, name, at)
        self.at = at
        return at

    # -- publishing ----------------------------------------------------------------------------

    def payload(self, event: FeedEvent) -> bytes:
        envelope = self.access.envelope(event)
        return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()

    async def publish(self, events: list[FeedEvent]) -> bool:
        """Publish a batch, pipelined; True when every acknowledgement was the expected one
        (then `at` is past the batch). False: reconcile before going on."""
        pipeline, base = self.pipeline, self.at.sequence
        if pipeline is None:
            raise RuntimeError("connect() first")
        futures: list[asyncio.Future[PubAck]] = []
        for index, event in enumerate(events):
            headers = {
                "Nats-Msg-Id": event.id,
                "Nats-Expected-Last-Sequence": str(base + index),
                POSITION_HEADER: str(event.position),
            }
            if index:  # and after the batch's previous event, not merely some message
                headers["Nats-Expected-Last-Msg-Id"] = events[index - 1].id
            subject = self.options.subject_of(event)
            payload = self.payload(event)
            try:
                futures.append(await pipeline.publish(subject, payload, headers))
            except MaxPayloadError:
                raise RelayRefused(
                    f"the event at position {event.position} is {len(payload)} bytes as JSON, "
                    f"more than the NATS server's max_payload ({pipeline.nc.max_payload}): "
                    "raise max_payload in the server's configuration"
                ) from None
        acks: list[Any] = await asyncio.wait_for(
            asyncio.gather(*futures, return_exceptions=True), self.options.ack_timeout
        )
        for index, (event, ack) in enumerate(zip(events, acks, strict=True)):
            if isinstance(ack, PubAck) and not ack.duplicate and ack.seq == base + index + 1:
                continue
            if isinstance(ack, PubAck) and ack.duplicate and ack.seq <= base:
                raise RelayRefused(
                    f"the broker holds event {event.id} as a repeat of sequence {ack.seq}, "
                    f"before the stream's end {base}: the stream was purged within its "
                    "duplicate window. Delete the stream, then `ledger relay --from-start`"
                )
            self.conflicts += 1
            log.warning("relay: position %s not accepted as sequence %s (%s): reconciling",
                        event.position, base + index + 1, why(ack))  # fmt: skip
            return False
        self.at = RelayPosition(events[-1].position, base + len(events))
        self.published += len(events)
        return True

    async def step(self) -> int:
        """Read one batch after `at` and publish it; how many events went out."""
        page = await asyncio.to_thread(
            self.reader.read, self.at.position, self.options.batch, EVERYTHING
        )
        if not page.events:
            return 0
        if not await self.publish(page.events):
            await self.reconcile()
            return 0
        await asyncio.to_thread(relay_position.save, self.db, self.options.stream_name, self.at)
        self._from_start = False
        if self.published - self._logged_at >= self.options.log_every:
            self._logged_at = self.published
            log.info("relay: %s events published; at position %s, stream sequence %s, head %s",
                     self.published, self.at.position, self.at.sequence, page.head)  # fmt: skip
        return len(page.events)

    # -- waking and closing ---------------------------------------------------------------

    def woken(self) -> asyncio.Event:
        """An event set by `wake`, bound to the running loop."""
        self._loop, self._wake = asyncio.get_running_loop(), asyncio.Event()
        return self._wake

    def wake(self) -> None:
        """Something was committed (any thread may call it)."""
        if self._loop is not None and self._wake is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake.set)

    async def close_quietly(self) -> None:
        with contextlib.suppress(Exception):  # closing a connection that is already gone
            await asyncio.wait_for(self.close(), 5)
        self.nc, self.js, self.pipeline = None, None, None


async def _one_line(error: Exception) -> None:
    log.warning("relay: NATS: %s", why(error))
