"""Serving the ledger for a benchmark, and measuring what it costs: `ledger serve` in a
subprocess (as in production) or uvicorn in a thread, and the CPU of a process tree and of
this machine's PostgreSQL, from Linux /proc. Shared by bench/commands.py, graphql.py and the
streams' benchmarks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from pydantic import SecretStr

from api.settings import Settings

# -- CPU ------------------------------------------------------------------------------------


def process_cpu(pid: int | None = None) -> float:
    """CPU seconds (user + system) used so far by this process, or by `pid` and its children
    (the workers of `ledger serve --workers N`), from Linux /proc."""
    if pid is None:
        t = os.times()
        return t.user + t.system
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{pid}/task/{pid}/children")
    kids = children.read_text().split() if children.exists() else []
    return own + sum(process_cpu(int(kid)) for kid in kids)


def _stat(pid: str) -> tuple[str, list[str]] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    head, _, tail = text.rpartition(")")
    return head.split("(", 1)[1], tail.split()


def postgres_cpu() -> float | None:
    """CPU seconds used so far by this machine's PostgreSQL: every live `postgres` process,
    plus what the postmaster's ended children used (its cutime + cstime), from Linux /proc.
    None where there is no /proc or no local PostgreSQL (a remote server is not counted)."""
    if not Path("/proc").is_dir():
        return None
    stats = {pid: s for pid in os.listdir("/proc") if pid.isdigit() and (s := _stat(pid))}
    ticks, found = 0, False
    for name, fields in stats.values():
        if name != "postgres":
            continue
        found = True
        ticks += int(fields[11]) + int(fields[12])
        parent = stats.get(fields[1])
        if parent is None or parent[0] != "postgres":  # the postmaster
            ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK") if found else None


# -- serving --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(base: str, alive: Callable[[], bool], timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive():
            raise RuntimeError("the server stopped while starting")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer {base}/readyz within {timeout:.0f} s")


def ledger_command() -> list[str]:
    """The `ledger` command of this Python (its script beside it, else through the module)."""
    ledger_bin = Path(sys.executable).with_name("ledger")
    if ledger_bin.exists():
        return [str(ledger_bin)]
    return [sys.executable, "-c", "from api.cli import main; main()"]


@contextmanager
def serve_subprocess(
    url: str, secret: str, log: Path, workers: int = 1, projections: bool = True,
    startup_timeout: float = 300.0,
) -> Iterator[tuple[str, int | None]]:  # fmt: skip
    """`ledger serve`, as in production (its uvicorn logs at info, access log included);
    `projections=False` serves as an API worker does beside a projection worker."""
    port = free_port()
    env = {
        **os.environ,
        "LEDGER_DATABASE_URL": url,
        "LEDGER_LOAD_DEMO_WHEN_EMPTY": "false",
        "LEDGER_RUN_PROJECTIONS": "true" if projections else "false",
        "LEDGER_JWT_SECRET": secret,
    }
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [*ledger_command(), "serve", "--host", "127.0.0.1", "--port", str(port),
             "--workers", str(workers)],
            env=env, stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base, lambda: proc.poll() is None, timeout=startup_timeout)
            yield base, proc.pid
        finally:
            terminate(proc)


def terminate(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM, 20 s to exit cleanly, then SIGKILL."""
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextmanager
def serve_thread(url: str, secret: str) -> Iterator[tuple[str, int | None]]:
    """uvicorn in a thread of this process (shares the GIL with the client threads)."""
    import uvicorn

    from api.app import create_app

    settings = Settings(database_url=url, run_projections=True, jwt_secret=SecretStr(secret))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, thread.is_alive)
        yield base, None
    finally:
        server.should_exit = True
        thread.join(timeout=20)
