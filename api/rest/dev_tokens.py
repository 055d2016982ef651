"""`GET /dev/tokens`: the development identities `make run` prints, for the dashboard's
"pick a demo role". Development only, and only while the ledger mints its own tokens: in
production or with an identity provider it is 404, as if it did not exist. Never cached.
Only to a client on this machine (loopback) that asked for this machine by name or address
(Host `localhost`, `127.0.0.1`, `[::1]`): a development server bound to another address by
mistake hands no admin token to the network, and a hostile page whose own name re-resolves to
127.0.0.1 (DNS rebinding) sends its own name as Host and gets 404.

Left out of the OpenAPI document: it is no public operation, only a developer's convenience.
"""

from __future__ import annotations

from ipaddress import ip_address

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api import problems
from api.credentials import CannotMint, dev_tokens
from api.deps import ContainerDep

router = APIRouter()

NO_STORE = {"Cache-Control": "no-store"}


@router.get("/dev/tokens", include_in_schema=False)
def tokens(c: ContainerDep, request: Request) -> JSONResponse:
    try:
        client = request.client.host if request.client else None
        if not (_loopback(client) and _loopback_name(request.url.hostname)):
            raise CannotMint("only to a client on this machine")
        made = dev_tokens(c.settings)  # refuses production, and a ledger with a provider
    except CannotMint:
        answer = problems.problem(404, "no such page", code="not_found")
        answer.headers.update(NO_STORE)
        return answer
    body = [
        {
            "label": i.label, "user": i.user, "role": i.role, "street": i.street,
            "grants": list(i.grants), "token": token,
        }
        for i, token in made
    ]  # fmt: skip
    return JSONResponse(body, headers=NO_STORE)


def _loopback(host: str | None) -> bool:
    try:
        return host is not None and ip_address(host).is_loopback
    except ValueError:  # a name, e.g. Starlette's TestClient's "testclient"
        return False


def _loopback_name(host: str | None) -> bool:
    """The Host the browser asked for names this machine (not a rebound outside name)."""
    if host is None:
        return False
    return host.lower() == "localhost" or _loopback(host.strip("[]"))
