"""NATS for the relay's tests.

NATS (`nats_url`, a session fixture: import it into a test module): the server at
LEDGER_TEST_NATS_URL or nats://127.0.0.1:4222 when it answers with JetStream, else a throwaway
`nats-server -js` on a free port in a temporary directory, else a loud skip (a failure with
LEDGER_TEST_REQUIRE_NATS=1, as in CI).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.stream_support import free_port

DEFAULT_NATS_URL = "nats://127.0.0.1:4222"
NATS_SERVER_PATHS = ("/usr/sbin/nats-server", "/usr/local/bin/nats-server")


def nats_has_jetstream(url: str, timeout: float = 2.0) -> bool:
    """The server's INFO line says JetStream is on (no client needed)."""
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 4222), timeout) as s:
            s.settimeout(timeout)
            line = s.makefile("rb").readline()
    except OSError:
        return False
    if not line.startswith(b"INFO "):
        return False
    return bool(json.loads(line[5:]).get("jetstream"))


@contextmanager
def throwaway_nats(
    binary: str, max_payload: int | None = None, port: int | None = None,
    store: Path | None = None,
) -> Iterator[str]:  # fmt: skip
    """`nats-server -js` on a free port (or `port`) with its store in a temporary directory
    (or `store`, to start it again with what it held); its URL."""
    with tempfile.TemporaryDirectory(prefix="caseledger-nats-") as scratch:
        port = port or free_port()
        store = store or Path(scratch)
        command = [binary, "-js", "-a", "127.0.0.1", "-p", str(port), "-sd", str(store)]
        if max_payload is not None:
            config = Path(scratch) / "nats.conf"
            config.write_text(f"max_payload: {max_payload}\n", encoding="utf-8")
            command += ["-c", str(config)]
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"nats://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 15
            while not nats_has_jetstream(url, 0.5):
                assert server.poll() is None, f"{binary} -js exited with {server.returncode}"
                assert time.monotonic() < deadline, f"{binary} -js did not answer within 15 s"
                time.sleep(0.1)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=10)


def nats_server_binary(why: str = "NATS with JetStream is needed") -> str:
    """The nats-server to start (a skip, or a failure with LEDGER_TEST_REQUIRE_NATS=1)."""
    binary = shutil.which("nats-server")
    binary = binary or next((p for p in NATS_SERVER_PATHS if os.access(p, os.X_OK)), None)
    if binary is None:
        message = f"{why}, and there is no nats-server to start"
        if os.environ.get("LEDGER_TEST_REQUIRE_NATS") == "1":
            pytest.fail(message + " (LEDGER_TEST_REQUIRE_NATS=1)")
        pytest.skip(message)
    return binary


@pytest.fixture(scope="session")
def nats_url() -> Iterator[str]:
    url = os.environ.get("LEDGER_TEST_NATS_URL") or DEFAULT_NATS_URL
    if nats_has_jetstream(url):
        yield url
        return
    with throwaway_nats(
        nats_server_binary(f"NATS with JetStream not reachable at {url}")
    ) as started:
        yield started


@dataclass(frozen=True)
class StreamMessage:
    sequence: int
    subject: str
    headers: dict[str, str]
    data: dict[str, Any]


async def _stream_messages(url: str, stream: str) -> list[StreamMessage]:
    import nats

    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        state = (await js.stream_info(stream)).state
        found: list[StreamMessage] = []
        for sequence in range(state.first_seq, state.last_seq + 1):
            if state.messages == 0:
                break
            raw = await js.get_msg(stream, sequence)
            found.append(
                StreamMessage(
                    raw.seq or sequence, raw.subject or "", dict(raw.headers or {}),
                    json.loads(raw.data or b"{}"),
                )
            )  # fmt: skip
        return found
    finally:
        await nc.close()


def stream_messages(url: str, stream: str) -> list[StreamMessage]:
    """Every message of a JetStream stream, in sequence order."""
    return asyncio.run(_stream_messages(url, stream))


async def _stream_call(url: str, method: str, stream: str) -> Any:
    import nats

    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        if method == "last_seq":
            return (await js.stream_info(stream)).state.last_seq
        return await getattr(js, method)(stream)
    finally:
        await nc.close()


def stream_last_sequence(url: str, stream: str) -> int:
    try:
        return int(asyncio.run(_stream_call(url, "last_seq", stream)))
    except Exception:  # not created yet
        return 0


async def _add_stream(url: str, stream: str, subjects: list[str]) -> None:
    import nats

    nc = await nats.connect(url)
    try:
        await nc.jetstream().add_stream(name=stream, subjects=subjects)
    finally:
        await nc.close()


def add_stream(url: str, stream: str, subjects: list[str]) -> None:
    asyncio.run(_add_stream(url, stream, subjects))


def purge_stream(url: str, stream: str) -> None:
    asyncio.run(_stream_call(url, "purge_stream", stream))


def delete_stream(url: str, stream: str) -> None:
    """Delete it if it exists (tests clean up after themselves)."""
    try:
        asyncio.run(_stream_call(url, "delete_stream", stream))
    except Exception as error:
        if "not found" not in str(error).lower():
            raise
