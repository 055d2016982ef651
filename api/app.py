"""The FastAPI application factory: REST commands, GraphQL, health and metrics."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse, RedirectResponse

from api import problems
from api.container import Container, build
from api.deps import ContainerDep
from api.graphql.cases import projection_states
from api.graphql.schema import graphql_router
from api.rest.calendars import router as calendars_router
from api.rest.cases import router as cases_router
from api.rest.deaths import router as deaths_router
from api.rest.institutions import router as institutions_router
from api.rest.organizations import router as organizations_router
from api.rest.payroll import router as payroll_router
from api.rest.temporary import router as temporary_router
from api.rest.villages import router as villages_router
from api.settings import Settings


def create_app(settings: Settings | None = None, container: Container | None = None) -> FastAPI:
    """Build the app; the container (ledger, views, runner) is made in the lifespan."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = container is None
        app.state.container = container or build(settings or Settings())
        if app.state.container.settings.run_projections:
            app.state.container.runner.start()
        try:
            yield
        finally:
            if own:
                app.state.container.close()
            else:
                app.state.container.runner.stop()

    app = FastAPI(
        title="caseledger",
        version="0.1.0",
        description="Event-sourced case ledger of a district civil-affairs bureau (民政局).",
        lifespan=lifespan,
    )
    problems.install(app)
    app.include_router(cases_router)
    app.include_router(temporary_router)
    app.include_router(payroll_router)
    app.include_router(deaths_router)
    app.include_router(institutions_router)
    app.include_router(organizations_router)
    app.include_router(villages_router)
    app.include_router(calendars_router)
    app.include_router(graphql_router(), prefix="/graphql", include_in_schema=False)

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/graphql")

    @app.get("/healthz", tags=["operations"])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"])
    def readyz(c: ContainerDep) -> dict[str, object]:
        states = projection_states(c)
        failed = [s.name for s in states if s.error]
        if failed:
            raise problems.NotReady(f"projections stopped on an error: {', '.join(failed)}")
        retrying = [s.name for s in states if s.retrying]
        if retrying:
            raise problems.NotReady(
                f"projections retrying after a database error: {', '.join(retrying)}"
            )
        return {"status": "ready", "head_position": states[0].head_position if states else 0}

    @app.get("/metrics", tags=["operations"], response_class=PlainTextResponse)
    def metrics(c: ContainerDep) -> str:
        lines = [
            "# HELP ledger_head_position Position of the newest event in the ledger.",
            "# TYPE ledger_head_position gauge",
        ]
        states = projection_states(c)
        lines.append(f"ledger_head_position {states[0].head_position if states else 0}")
        for metric, help_, attr in [
            ("ledger_projection_position", "Last position applied by a projection.", "position"),
            ("ledger_projection_lag", "Events a projection is behind the ledger.", "lag"),
            ("ledger_projection_failed", "1 when a projection stopped on an error.", "error"),
            ("ledger_projection_retrying", "1 while it retries a database error.", "retrying"),
        ]:
            lines += [f"# HELP {metric} {help_}", f"# TYPE {metric} gauge"]
            for s in states:
                flag = attr in ("error", "retrying")
                value = int(bool(getattr(s, attr))) if flag else getattr(s, attr)
                lines.append(f'{metric}{{projection="{s.name}"}} {value}')
        return "\n".join(lines) + "\n"

    return app
