"""One way to declare REST commands: a create route and the typed steps of a resource.

Every command answers {id, version, position} with an ETag; steps take If-Match and
Idempotency-Key; errors are problem+json (api/problems.py).
"""

# No `from __future__ import annotations`: the factories' closures need real annotations.
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import BaseModel

from api.deps import ActorDep, ContainerDep, IdempotencyKeyDep, IfMatchDep
from api.rest.bodies import CommandAnswer
from domain.ledger import CommandResult, Ledger
from domain.shared.values import Actor, Json

#: A create command: (ledger, the request body as the domain takes it, actor, Idempotency-Key).
Create = Callable[[Ledger, Json, Actor, str | None], CommandResult]

PROBLEMS: dict[int | str, dict[str, Any]] = {
    s: {"description": d, "content": {"application/problem+json": {}}}
    for s, d in [
        (401, "no or bad bearer token"),
        (403, "the caller's role or street may not run this command: `code` names the rule"),
        (404, "unknown resource"),
        (409, "a rule is broken or someone changed the resource first"),
        (412, "If-Match names a stale version"),
        (422, "bad input: the problem names the field and the reason"),
    ]
}


def answer(result: CommandResult, response: Response) -> CommandAnswer:
    response.headers["ETag"] = f'"{result.version}"'
    return CommandAnswer(id=result.id, version=result.version, position=result.position)


def create_route(
    router: APIRouter, path: str, model: type[BaseModel], create: Create, summary: str
) -> None:
    """POST <path>: 201 with a Location header naming the new resource."""

    def endpoint(
        body: model,  # type: ignore[valid-type]
        c: ContainerDep,
        actor: ActorDep,
        key: IdempotencyKeyDep,
        response: Response,
    ) -> CommandAnswer:
        result = create(c.ledger, body.to_domain(), actor, key)  # type: ignore[attr-defined]
        response.headers["Location"] = f"{router.prefix}{path}/{result.id}"
        return answer(result, response)

    endpoint.__name__ = "create_" + path.strip("/").replace("-", "_")
    router.add_api_route(
        path, endpoint, methods=["POST"], status_code=201, summary=summary,
        responses=PROBLEMS, response_model=CommandAnswer,
    )  # fmt: skip


@dataclass(frozen=True)
class Command:
    """POST <base>/{id}/<path>: the body's fields are the keyword arguments of a Ledger method.

    `run` is the Ledger's own typed method (e.g. `Ledger.accept_application`), called as
    `run(ledger, id, actor, **body, expected_version=..., idempotency_key=...)`.
    """

    path: str
    run: Callable[..., CommandResult]
    body: type[BaseModel]
    summary: str


def command_routes(router: APIRouter, base: str, commands: list[Command]) -> None:
    """One route per typed command of a resource, each with If-Match and Idempotency-Key."""
    for command in commands:
        _command_route(router, base, command)


def _command_route(router: APIRouter, base: str, command: Command) -> None:
    model = command.body

    def endpoint(
        id: UUID,
        body: model,  # type: ignore[valid-type]
        c: ContainerDep,
        actor: ActorDep,
        expected: IfMatchDep,
        key: IdempotencyKeyDep,
        response: Response,
    ) -> CommandAnswer:
        kwargs = body.to_domain()  # type: ignore[attr-defined]
        result = command.run(
            c.ledger, id, actor, **kwargs, expected_version=expected, idempotency_key=key
        )
        return answer(result, response)

    endpoint.__name__ = command.run.__name__
    router.add_api_route(
        f"{base}/{{id}}/{command.path}",
        endpoint,
        methods=["POST"],
        summary=command.summary,
        responses=PROBLEMS,
        response_model=CommandAnswer,
    )
