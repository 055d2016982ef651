"""`GET /dev/tokens`: the development identities `make run` prints, for the dashboard's
"pick a demo role". Development only, and only while the ledger mints its own tokens: in
production or with an identity provider it is 404, as if it did not exist. Never cached.

Left out of the OpenAPI document: it is no public operation, only a developer's convenience.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api import problems
from api.credentials import CannotMint, dev_tokens
from api.deps import ContainerDep

router = APIRouter()

NO_STORE = {"Cache-Control": "no-store"}


@router.get("/dev/tokens", include_in_schema=False)
def tokens(c: ContainerDep) -> JSONResponse:
    try:
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
