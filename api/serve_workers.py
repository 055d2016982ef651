"""`ledger serve --workers N`: uvicorn's process supervisor, with Nagle's algorithm off.

uvicorn (0.54) binds the socket its workers share with `proto` left at 0; accepted sockets
inherit it, and asyncio turns on TCP_NODELAY only for a socket that says IPPROTO_TCP. With
Nagle's algorithm on, a keep-alive answer written in two pieces (headers, then body) waits
for the client's delayed ACK: about 40 ms on Linux for every request after a connection's
first (uvicorn issue #3149). One worker is not affected: asyncio binds that socket itself.
Here the bound socket is rebuilt from its descriptor, which the kernel reports as TCP.
"""

from __future__ import annotations

import socket
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

INET = (socket.AF_INET, socket.AF_INET6)


class NoDelayConfig(uvicorn.Config):
    """uvicorn's Config whose bound TCP socket reports IPPROTO_TCP (so TCP_NODELAY is set)."""

    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family in INET and sock.proto != socket.IPPROTO_TCP:
            sock = socket.socket(fileno=sock.detach())  # family, type and proto from the kernel
            sock.set_inheritable(True)
        return sock


def run_workers(app: str, workers: int, **options: Any) -> None:
    """What `uvicorn.run(app, factory=True, workers=N, ...)` does, with `NoDelayConfig`."""
    config = NoDelayConfig(app, factory=True, workers=workers, **options)
    sock = config.bind_socket()
    try:
        Multiprocess(config, sockets=[sock]).run()
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
