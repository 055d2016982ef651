"""GraphQL limits: document size, depth, aliases, cost and page size, refused before resolving.

One query used to stall the server: 5,000 aliases of `cases(first: 100)` ran for up to 75 s
and a 20 MB document was parsed for seconds. Each limit here is checked on the document alone
(before validation and before any resolver or SQL), and a refusal names the limit and its
value in `extensions` (`code`, `limit`, `found`). The values are settings
(`LEDGER_GRAPHQL_*`, api/settings.py); `LEDGER_GRAPHQL_LIMITS=false` turns them all off, for
measuring only.

The cost is what the query will really fetch (api/graphql/cost.py): every field counts once
per row it is fetched for, so a field under `cases(first: 100) { edges { node { ... } } }`
counts 100 times, and one under a plain list (a case's `timeline`, `caseHistory`) counts the
default page size (50) times per parent row.

Parsing and validating a document was half the server's time for a case by id (issue 12): a
document is parsed once and validated once per text (LRU caches, `CACHED_DOCUMENTS` texts),
and every request still has its own limits walk (a variable may change `first`), its own
refusals and its own personal-data checks. A document that fails to parse or validate is
never cached: its errors are made afresh for each request.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    parse,
)
from graphql.validation import ASTValidationRule
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from api.graphql.cost import measure
from api.graphql.relay import DEFAULT_PAGE, MAX_PAGE
from api.settings import Settings
from domain.shared.errors import DomainError


class LimitExceeded(DomainError):
    """A query over one of the server's limits: refused whole, nothing resolved."""

    status = 400

    def __init__(self, code: str, message: str, limit: int, found: int | None, field: str | None):
        super().__init__(message, code=code, field=field)
        self.limit = limit
        self.found = found


@dataclass(frozen=True)
class Limits:
    """The limits one request is held to (from the settings; defaults for a bare schema)."""

    on: bool = True
    max_chars: int = 50_000
    max_tokens: int = 5_000
    max_depth: int = 10
    max_aliases: int = 30
    max_cost: int = 100_000
    max_page: int = MAX_PAGE
    #: The rows a plain list (no `first`) is counted for, per parent row.
    list_size: int = DEFAULT_PAGE

    @classmethod
    def from_settings(cls, s: Settings) -> Limits:
        return cls(
            on=s.graphql_limits, max_chars=s.graphql_max_chars, max_tokens=s.graphql_max_tokens,
            max_depth=s.graphql_max_depth, max_aliases=s.graphql_max_aliases,
            max_cost=s.graphql_max_cost, max_page=s.graphql_max_page,
        )  # fmt: skip


def refusal(
    code: str, message: str, limit: int, found: int | None, field: str | None = None
) -> GraphQLError:
    """A GraphQL error carrying the limit (and what the query needs, unless the caller said it)."""
    original = LimitExceeded(code, message, limit, found, field)
    extensions: dict[str, Any] = {"code": code, "limit": limit}
    if found is not None:
        extensions["found"] = found
    if field:
        extensions["field"] = field
    return GraphQLError(message, original_error=original, extensions=extensions)


def check_size(query: str, limits: Limits) -> DocumentNode:
    """Parse the document, refusing one over the character or the token limit first."""
    if len(query) > limits.max_chars:
        raise refusal(
            "QUERY_TOO_LONG",
            f"the GraphQL document has {len(query):,} characters; the limit is "
            f"{limits.max_chars:,}",
            limits.max_chars, len(query),
        )  # fmt: skip
    try:
        return parse(query, max_tokens=limits.max_tokens)
    except GraphQLError as e:
        if f"more than {limits.max_tokens} tokens" not in e.message:
            raise
        raise refusal(
            "QUERY_TOO_LONG",
            f"the GraphQL document has more than {limits.max_tokens:,} tokens; the limit is "
            f"{limits.max_tokens:,}",
            limits.max_tokens, limits.max_tokens + 1,
        ) from None  # fmt: skip


#: Distinct document texts whose parse and validation are kept (a client sends a few).
CACHED_DOCUMENTS = 512


@lru_cache(maxsize=CACHED_DOCUMENTS)
def parsed(query: str, limits: Limits) -> DocumentNode:
    """`check_size`, once per text and limits (a refusal or syntax error is raised each time)."""
    return check_size(query, limits)


class _Invalid(Exception):
    def __init__(self, errors: list[GraphQLError]):
        self.errors = errors


@lru_cache(maxsize=CACHED_DOCUMENTS)
def _validated(
    schema: GraphQLSchema, query: str, limits: Limits, rules: tuple[type[ASTValidationRule], ...]
) -> None:
    errors = validate_document(schema, parsed(query, limits), rules)
    if errors:
        raise _Invalid(errors)  # not cached: the errors are this request's own objects


def validation_errors(
    schema: GraphQLSchema, query: str, limits: Limits, rules: Sequence[type[ASTValidationRule]]
) -> list[GraphQLError]:
    """The document's validation errors; a text that validated once is not validated again."""
    try:
        _validated(schema, query, limits, tuple(rules))
    except _Invalid as invalid:
        return invalid.errors
    return []


def check_document(
    schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any] | None,
    limits: Limits,
) -> list[GraphQLError]:  # fmt: skip
    """The limits a parsed document is over (none when it may run), before validating it."""
    m = measure(schema, document, variables, limits)
    too_costly = m.over_budget
    if m.aliases > limits.max_aliases:
        return [refusal(
            "TOO_MANY_ALIASES",
            f"the query uses {m.aliases:,} aliases{' or more' if too_costly else ''}; the limit "
            f"is {limits.max_aliases:,}",
            limits.max_aliases, m.aliases,
        )]  # fmt: skip
    if m.depth > limits.max_depth:
        return [refusal(
            "QUERY_TOO_DEEP",
            f"the query is nested {m.depth} fields deep or more; the limit is {limits.max_depth}",
            limits.max_depth, m.depth,
        )]  # fmt: skip
    if m.page > limits.max_page:
        return [refusal(
            "PAGE_TOO_LARGE",
            f"first asks for more rows than one page holds; the limit is {limits.max_page:,}",
            limits.max_page, None, field="first",
        )]  # fmt: skip
    if too_costly or m.cost > limits.max_cost:
        return [refusal(
            "QUERY_TOO_COSTLY",
            f"the query would fetch {m.cost:,} fields{' or more' if too_costly else ''} (each "
            f"field counted once per row it is fetched for); the limit is {limits.max_cost:,}",
            limits.max_cost, m.cost,
        )]  # fmt: skip
    return []


class GraphQLLimits(SchemaExtension):
    """Refuses a document over a limit before it is validated or resolved."""

    def _limits(self) -> Limits:
        container = getattr(self.execution_context.context, "container", None)
        settings = getattr(container, "settings", None)
        return Limits.from_settings(settings) if isinstance(settings, Settings) else Limits()

    def on_parse(self) -> Iterator[None]:
        limits = self._limits()
        query = self.execution_context.query
        self._cached: str | None = None  # the text whose document came from the cache
        if query and self.execution_context.graphql_document is None:
            try:
                self.execution_context.graphql_document = (
                    parsed(query, limits) if limits.on else parse(query)
                )
                self._cached = query if limits.on else None
            except GraphQLError as e:
                if isinstance(e.original_error, LimitExceeded):
                    raise
                # a syntax error: strawberry parses again and reports it as it always has
        yield

    def on_validate(self) -> Iterator[None]:
        limits = self._limits()
        context = self.execution_context
        if limits.on and context.graphql_document is not None:
            errors = check_document(
                context.schema._schema, context.graphql_document, context.variables, limits
            )
            if errors:
                context.pre_execution_errors = errors  # strawberry then skips validation
            elif (cached := getattr(self, "_cached", None)) and context.validation_rules:
                context.pre_execution_errors = validation_errors(
                    context.schema._schema, cached, limits, context.validation_rules
                )  # strawberry skips its own validation once this is set
        yield
