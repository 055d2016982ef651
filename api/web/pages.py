"""The dashboard at `/` and the static files behind every page.

`/static/...` is this package's own `static/` folder (the dashboard's HTML, JS and CSS, in the
repository); `/vendor/<package>/...` holds the third-party files that `make install` fetched
from the npm registry by pinned version and checksum (`api/web/assets.py`).
"""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from api.web import docs
from api.web.assets import load_lock, missing
from api.web.headers import CSP, DASHBOARD_CSP, SecurityHeaders

STATIC = Path(__file__).parent / "static"
VENDOR = Path(__file__).parent / "vendor"

router = APIRouter()
log = logging.getLogger("caseledger.web")


@router.get("/", include_in_schema=False)
def dashboard() -> FileResponse:
    return FileResponse(
        STATIC / "index.html",
        media_type="text/html; charset=utf-8",
        headers={CSP: DASHBOARD_CSP},
    )


def install(app: FastAPI, docs_open: bool = False) -> None:
    """The dashboard route, the two static folders, /docs and /redoc when `docs_open`
    (LEDGER_PUBLIC_DOCS), and the security headers on every answer."""
    app.include_router(router)
    if docs_open:
        docs.install(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    VENDOR.mkdir(exist_ok=True)
    app.mount("/vendor", StaticFiles(directory=VENDOR), name="vendor")
    app.add_middleware(SecurityHeaders)
    if absent := missing(load_lock(), VENDOR):
        log.warning(
            "the pages' third-party files are not fetched (%s): run `make install` or "
            "`python -m api.web.assets fetch`; until then the dashboard, GraphiQL and the docs "
            "are blank",
            ", ".join(absent),
        )
