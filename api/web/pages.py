"""The dashboard at `/` and the static files behind every page.

`/static/...` is this package's own `static/` folder (the dashboard's HTML, JS and CSS, in the
repository); `/vendor/<package>/...` holds the third-party files that `make install` fetched
from the npm registry by pinned version and checksum (`api/web/assets.py`).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"
VENDOR = Path(__file__).parent / "vendor"

router = APIRouter()


@router.get("/", include_in_schema=False)
def dashboard() -> FileResponse:
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")


def install(app: FastAPI) -> None:
    """The dashboard route and the two static folders."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    VENDOR.mkdir(exist_ok=True)
    app.mount("/vendor", StaticFiles(directory=VENDOR), name="vendor")
