"""Expected failures in GraphQL: each DomainError carries `extensions.code` (and `field`).

A client tells "no such case" (`not_found`) or bad input (`invalid_input`) from a fault by the
code, as REST clients do by the problem's `code`; expected failures are not logged as faults.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import DEFAULT_ALLOWED_OPERATION_TYPES
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from api.logs import operation_name
from domain.shared.errors import DomainError, Forbidden

log = logging.getLogger("caseledger.graphql")


def expected(error: GraphQLError) -> DomainError | None:
    """The domain error behind a GraphQL error, when it is one (a refusal, not a fault)."""
    original = error.original_error
    return original if isinstance(original, DomainError) else None


class DomainErrorCodes(SchemaExtension):
    """Add the domain error's `code` and `field` to the error's extensions."""

    def on_operation(self) -> Iterator[None]:
        yield
        add_codes(self.execution_context.result)

    def on_stream_result(self, result: Any) -> Iterator[None]:
        add_codes(result)  # each result of a subscription, before it is sent
        yield


def add_codes(result: Any) -> None:
    for error in getattr(result, "errors", None) or []:
        domain = expected(error)
        if domain is None:
            continue
        extensions = {**(error.extensions or {}), "code": domain.code}
        if isinstance(domain, Forbidden):  # the rule is named beside the class of failure
            extensions.update(code="FORBIDDEN", rule=domain.code)
        if domain.field:
            extensions["field"] = domain.field
        extensions.update(getattr(domain, "extra", None) or {})
        error.extensions = extensions


class Schema(strawberry.Schema):
    """Logs only unexpected errors: a refusal is an answer, not a fault to look into.
    Subscriptions run only over the websocket (`stream`), never as one HTTP answer."""

    async def execute(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        allowed = kwargs.get("allowed_operation_types") or DEFAULT_ALLOWED_OPERATION_TYPES
        kwargs["allowed_operation_types"] = set(allowed) - {OperationType.SUBSCRIPTION}
        return await super().execute(*args, **kwargs)

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Not strawberry's default, which logs the error with the query (names, ID numbers):
        # only the kind of error, its code and the operation name.
        operation = operation_name(execution_context.operation_name if execution_context else None)
        for error in errors:
            if expected(error) is not None:
                continue
            fault = error.original_error
            fields = {
                "operation": operation,
                "code": (error.extensions or {}).get("code"),
                "error_type": type(fault or error).__name__,
            }
            if fault is None:  # a document that does not parse or validate: the caller's
                log.warning("graphql query refused (%s)", fields["error_type"], extra=fields)
            else:
                log.error("graphql resolver failed", exc_info=fault, extra=fields)
