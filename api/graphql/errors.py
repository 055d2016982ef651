"""Expected failures in GraphQL: each DomainError carries `extensions.code` (and `field`).

A client tells "no such case" (`not_found`) or bad input (`invalid_input`) from a fault by the
code, as REST clients do by the problem's `code`; expected failures are not logged as faults.
"""

from __future__ import annotations

from collections.abc import Iterator

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from domain.shared.errors import DomainError, Forbidden


def expected(error: GraphQLError) -> DomainError | None:
    """The domain error behind a GraphQL error, when it is one (a refusal, not a fault)."""
    original = error.original_error
    return original if isinstance(original, DomainError) else None


class DomainErrorCodes(SchemaExtension):
    """Add the domain error's `code` and `field` to the error's extensions."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        for error in getattr(result, "errors", None) or []:
            domain = expected(error)
            if domain is None:
                continue
            extensions = {**(error.extensions or {}), "code": domain.code}
            if isinstance(domain, Forbidden):  # the rule is named beside the class of failure
                extensions.update(code="FORBIDDEN", rule=domain.code)
            if domain.field:
                extensions["field"] = domain.field
            error.extensions = extensions


class Schema(strawberry.Schema):
    """Logs only unexpected errors: a refusal is an answer, not a fault to look into."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        super().process_errors([e for e in errors if expected(e) is None], execution_context)
