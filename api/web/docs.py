"""/docs (Swagger UI) and /redoc from the ledger's own copies of their scripts and styles, with
no call to validator.swagger.io, Google Fonts or a CDN; FastAPI's own pages name jsdelivr."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse

from api.web.assets import load_lock
from api.web.headers import html_page

FAVICON = "/static/favicon.svg"
OAUTH2_REDIRECT = "/docs/oauth2-redirect"


def install(app: FastAPI) -> None:
    """The three pages FastAPI would add for `docs_url` and `redoc_url`, served locally."""
    lock = {p.name: p for p in load_lock()}
    swagger, redoc = lock["swagger-ui-dist"], lock["redoc"]
    assert app.openapi_url, "the docs pages need /openapi.json"
    parameters = {**(app.swagger_ui_parameters or {}), "validatorUrl": None}

    def prefix(request: Request) -> str:  # behind a proxy's path prefix, as FastAPI does
        return str(request.scope.get("root_path", "")).rstrip("/")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui(request: Request) -> HTMLResponse:
        root = prefix(request)
        page = get_swagger_ui_html(
            openapi_url=root + str(app.openapi_url),
            title=f"{app.title} - Swagger UI",
            swagger_js_url=root + swagger.url("swagger-ui-bundle.js"),
            swagger_css_url=root + swagger.url("swagger-ui.css"),
            swagger_favicon_url=root + FAVICON,
            oauth2_redirect_url=root + OAUTH2_REDIRECT,
            init_oauth=app.swagger_ui_init_oauth,
            swagger_ui_parameters=parameters,
        )
        return html_page(bytes(page.body).decode())

    @app.get(OAUTH2_REDIRECT, include_in_schema=False)
    def swagger_ui_redirect() -> HTMLResponse:
        return html_page(bytes(get_swagger_ui_oauth2_redirect_html().body).decode())

    @app.get("/redoc", include_in_schema=False)
    def redoc_page(request: Request) -> HTMLResponse:
        root = prefix(request)
        page = get_redoc_html(
            openapi_url=root + str(app.openapi_url),
            title=f"{app.title} - ReDoc",
            redoc_js_url=root + redoc.url("bundles/redoc.standalone.js"),
            redoc_favicon_url=root + FAVICON,
            with_google_fonts=False,
        )
        return html_page(bytes(page.body).decode(), workers=True)
