"""The /graphql route: the context of each request or websocket, and the router serving
queries over HTTP and the `events` subscription over graphql-transport-ws."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

from cross_web import HTTPException as StrawberryHTTPException
from fastapi import Depends, Header, HTTPException, Request
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import HTTPConnection
from strawberry.fastapi import GraphQLRouter
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UNSET

from api.auth import actor_from_header
from api.container import Container
from api.deps import get_container
from api.graphql.context import Context
from api.graphql.schema import schema
from api.graphql.sockets import SubscriptionSockets
from api.permissions import PURPOSE_HEADER, Disclosure, purpose_from
from api.web.graphiql import graphiql_html
from api.web.headers import html_page
from projections.tracking import wait_for_position

#: How long a websocket may stay open before its connection_init (graphql-transport-ws 4408).
CONNECTION_INIT_SECONDS = 5


async def context(
    request: HTTPConnection,
    container: Container = Depends(get_container),
    authorization: str | None = Header(None),
    x_min_position: int | None = Header(None),
    x_purpose: str | None = Header(None, alias=PURPOSE_HEADER),
    x_request_id: str | None = Header(None, alias="X-Request-ID"),
) -> Context:
    if request.scope["type"] == "websocket":  # the token comes in connection_init
        return Context(container=container, actor=None)
    assert isinstance(request, Request)
    ide_page = request.method == "GET" and "query" not in request.query_params
    actor = None
    if not ide_page:
        actor = actor_from_header(container.settings, authorization)
    if x_min_position is not None:
        names = [p.name for p in container.runner.projections]
        timeout = container.settings.min_position_timeout
        ok = await asyncio.to_thread(
            wait_for_position, container.read_db, names, x_min_position, timeout
        )
        if not ok:
            raise HTTPException(
                503,
                f"the views have not reached the X-Min-Position asked for within {timeout:g} s; "
                "retry shortly (projectionStatus shows the lag)",
            )
    purpose = purpose_from(x_purpose)  # a bad one is refused whatever the query asks
    shows = Disclosure(
        actor,
        purpose,
        request_id=_request_id(request, x_request_id),
        personal=container.ledger.personal,
    )
    return Context(container=container, actor=actor, request=request, disclosure=shows)


def _request_id(request: Request, header: str | None) -> str | None:
    """The request id the logging middleware gave, else a sane X-Request-ID, else none."""
    given = getattr(request.state, "request_id", None) or header
    if isinstance(given, str) and 0 < len(given) <= 200 and given.isprintable():
        return given
    return None


class ProblemGraphQLRouter(SubscriptionSockets, GraphQLRouter[Any, Any]):
    """Answers a request it cannot read with problem+json 400, never a 500 or plain text;
    serves the `events` subscription over graphql-transport-ws (api/graphql/sockets.py);
    its GraphiQL page loads every script and style from the ledger (api/web/graphiql.py)."""

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return html_page(graphiql_html(), fonts=True)

    def decode_json(self, data: str | bytes) -> object:
        try:
            return json.loads(data)
        except UnicodeDecodeError:
            raise StarletteHTTPException(400, "the request body is not UTF-8 text") from None
        except RecursionError:
            raise StarletteHTTPException(400, "the JSON body is nested too deeply") from None
        except json.JSONDecodeError as e:
            raise StarletteHTTPException(400, f"the request body is not JSON ({e})") from None
        except ValueError:  # Python reads no integer of more than 4,300 digits
            raise StarletteHTTPException(400, "a number has more than 4,300 digits") from None

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        try:
            return await super().run(request, context=context, root_value=root_value)
        except StrawberryHTTPException as e:
            if not isinstance(request, Request):
                raise
            raise StarletteHTTPException(e.status_code, e.reason) from None


def graphql_router(ide: bool = True) -> GraphQLRouter[Any, Any]:
    """The GraphQL route; its GraphiQL page only when `ide` (LEDGER_PUBLIC_DOCS), checked here
    against the asset lock so that a page naming a file the lock lacks fails at start."""
    if ide:
        graphiql_html()
    return ProblemGraphQLRouter(
        schema, context_getter=context, graphql_ide="graphiql" if ide else None,
        subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
        connection_init_wait_timeout=timedelta(seconds=CONNECTION_INIT_SECONDS),
    )  # fmt: skip
