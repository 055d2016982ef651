"""The FastAPI application factory: REST commands, GraphQL, and the operations routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import logs, problems
from api.body_limit import BodyLimit
from api.container import Container, build
from api.graphql.router import graphql_router
from api.ops import router as ops_router
from api.rest.audit import router as audit_router
from api.rest.calendars import router as calendars_router
from api.rest.case_file import router as case_file_router
from api.rest.cases import router as cases_router
from api.rest.deaths import router as deaths_router
from api.rest.dev_tokens import router as dev_tokens_router
from api.rest.institutions import router as institutions_router
from api.rest.ledger_log import router as ledger_log_router
from api.rest.organizations import router as organizations_router
from api.rest.payroll import router as payroll_router
from api.rest.persons import router as persons_router
from api.rest.temporary import router as temporary_router
from api.rest.villages import router as villages_router
from api.settings import Settings
from api.streams.feed import router as feed_router
from api.streams.sse import router as sse_router
from api.web import pages


def create_app(settings: Settings | None = None, container: Container | None = None) -> FastAPI:
    """Build the app; the container (ledger, views, runner) is made in the lifespan."""
    docs_open = (settings or (container.settings if container else Settings())).docs_open

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = container is None
        app.state.container = container or build(settings or Settings())
        if app.state.container.settings.run_projections:
            app.state.container.runner.start()
        app.state.container.hub.start()  # the streams' follower of the head
        try:
            yield
        finally:
            if own:
                app.state.container.close()
            else:
                app.state.container.hub.stop()
                app.state.container.runner.stop()

    app = FastAPI(
        title="caseledger",
        version="0.1.0",
        description="Event-sourced case ledger of a district civil-affairs bureau (民政局).",
        lifespan=lifespan,
        openapi_url="/openapi.json" if docs_open else None,  # LEDGER_PUBLIC_DOCS
        docs_url=None,  # /docs and /redoc: api/web/docs.py, from the ledger's own assets
        redoc_url=None,
    )
    problems.install(app)
    app.add_middleware(BodyLimit)  # 413 for a body over LEDGER_MAX_REQUEST_BYTES
    app.add_middleware(logs.AccessLog)  # added last, so outermost: a 413 is logged too
    app.include_router(cases_router)
    app.include_router(temporary_router)
    app.include_router(payroll_router)
    app.include_router(deaths_router)
    app.include_router(institutions_router)
    app.include_router(organizations_router)
    app.include_router(villages_router)
    app.include_router(calendars_router)
    app.include_router(persons_router)
    app.include_router(ledger_log_router)
    app.include_router(case_file_router)
    app.include_router(audit_router)
    app.include_router(dev_tokens_router)  # 404 unless development without a provider
    app.include_router(sse_router)
    app.include_router(feed_router)
    app.include_router(graphql_router(ide=docs_open), prefix="/graphql", include_in_schema=False)
    app.include_router(ops_router)
    pages.install(app, docs_open)  # the dashboard at /, /static, /vendor, /docs and /redoc

    return app


def worker_app() -> FastAPI:
    """One API process of `ledger serve --workers N`: its own Ledger, no projections.

    Its commands wake the projection process by the store's NOTIFY; it reads the views and
    waits for X-Min-Position through the tracking table, and follows the log for its streams.
    """
    settings = Settings(run_projections=False)
    logs.configure_logging(settings.log_level)
    return create_app(settings)
