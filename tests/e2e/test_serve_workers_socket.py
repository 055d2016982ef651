"""The socket `ledger serve --workers N` shares: its accepted connections have Nagle off."""

from __future__ import annotations

import asyncio
import socket

import pytest
import uvicorn
from conftest import _free_port

from api.serve_workers import NoDelayConfig

pytestmark = [pytest.mark.e2e]


def nodelay_of_accepted(sock: socket.socket) -> int:
    """Serve on `sock` with asyncio, as a uvicorn worker does; TCP_NODELAY of one accepted."""

    async def main() -> int:
        seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        class Report(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                accepted = transport.get_extra_info("socket")
                seen.set_result(accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        server = await asyncio.get_running_loop().create_server(Report, sock=sock)
        _, writer = await asyncio.open_connection(*sock.getsockname()[:2])
        try:
            return await asyncio.wait_for(seen, 10)
        finally:
            writer.close()
            server.close()
            await server.wait_closed()

    return asyncio.run(main())


def test_the_workers_socket_is_tcp_and_its_connections_send_without_delay() -> None:
    config = NoDelayConfig("api.app:worker_app", host="127.0.0.1", port=_free_port())
    sock = config.bind_socket()
    assert sock.proto == socket.IPPROTO_TCP and sock.get_inheritable()
    assert nodelay_of_accepted(sock) != 0


def test_uvicorns_own_bound_socket_still_leaves_nagle_on() -> None:
    """Why NoDelayConfig exists (uvicorn issue #3149). When this fails, uvicorn has fixed it:
    api/serve_workers.py can go back to `uvicorn.run(..., workers=N)`."""
    sock = uvicorn.Config("api.app:worker_app", host="127.0.0.1", port=_free_port()).bind_socket()
    assert nodelay_of_accepted(sock) == 0
