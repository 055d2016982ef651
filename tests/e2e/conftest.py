"""A real server on a free port (uvicorn in a thread) and an HTTP client per role."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
import uvicorn

from api.app import create_app
from api.auth import issue_token
from api.container import Container
from api.settings import Settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(settings: Settings, ledger: object, container: Container) -> Iterator[str]:
    with serving(container) as base:
        yield base


@contextmanager
def serving(container: Container, send_buffer: int | None = None) -> Iterator[str]:
    """Serve the container's app with uvicorn on a free port, in a thread. `send_buffer`:
    each connection's kernel send buffer in bytes (SO_SNDBUF, inherited from the listening
    socket), so that a client that stops reading makes the server's sends wait sooner."""
    port = _free_port()
    app = create_app(container=container)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning",
        ws_max_size=container.settings.ws_max_bytes, ws_per_message_deflate=False,  # as serve
    )  # fmt: skip
    srv = uvicorn.Server(config)
    sockets = []
    if send_buffer is not None:
        listening = socket.socket()
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, send_buffer)
        listening.bind(("127.0.0.1", port))
        sockets.append(listening)
    thread = threading.Thread(target=srv.run, kwargs={"sockets": sockets or None}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)
    for listening in sockets:
        listening.close()


def client_for(
    base: str,
    settings: Settings,
    role: str,
    user: str,
    *,
    grants: tuple[str, ...] = (),
    street: str | None = None,
) -> httpx.Client:
    """A client with a token of that role: a caseworker's is of 新闸街道 unless told otherwise,
    every other role's of the district (no street) unless a street is given; `grants` go in
    the token's `grants` claim (e.g. "pii" for an auditor)."""
    area = street or ("新闸街道" if role == "caseworker" else None)
    secret = settings.jwt_secret.get_secret_value()
    token = issue_token(secret, user, role, area, 1, grants=grants)
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30)


@pytest.fixture
def worker(server: str, settings: Settings) -> Iterator[httpx.Client]:
    with client_for(server, settings, "caseworker", "worker-1") as c:
        yield c


@pytest.fixture
def approver(server: str, settings: Settings) -> Iterator[httpx.Client]:
    with client_for(server, settings, "approver", "approver-1") as c:
        yield c


@pytest.fixture
def supervisor(server: str, settings: Settings) -> Iterator[httpx.Client]:
    with client_for(server, settings, "supervisor", "supervisor-1") as c:
        yield c


@pytest.fixture
def admin(server: str, settings: Settings) -> Iterator[httpx.Client]:
    with client_for(server, settings, "admin", "admin-1") as c:
        yield c


@pytest.fixture
def anonymous(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=30) as c:
        yield c
