"""Personal data in GraphQL: the purpose asked for up front, the record written at the end.

`AccessRecord` (a schema extension) refuses, before anything is resolved, an operation that
asks a personal field in full without a purpose (HTTP 400, PURPOSE_REQUIRED, no data); after
execution it writes the request's reads in full in one transaction, and if that fails the
answer is replaced by RECORD_FAILED (HTTP 503, no data). `personalDataAccess` reads the record.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import strawberry
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
    get_named_type,
    get_operation_ast,
)
from graphql import GraphQLInterfaceType as Interface
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult

from api import access_record
from api.graphql.context import Info
from api.graphql.permissions import Masked, Redacted
from api.graphql.relay import DEFAULT_PAGE, Connection, connection, page_size, uncursor
from api.permissions import Disclosure, PurposeRequired, RecordFailed, require_purpose
from domain.shared.errors import DomainError, InvalidInput

log = logging.getLogger(__name__)
BACKREF = "strawberry-definition"  # where strawberry keeps a field's definition


def _personal(field: Any) -> bool:
    definition = (field.extensions or {}).get(BACKREF)
    extensions = getattr(definition, "extensions", None) or []
    return any(isinstance(e, Masked | Redacted) for e in extensions)


def asks_personal(schema: GraphQLSchema, document: DocumentNode, operation: str | None) -> bool:
    """True when the operation selects a personal field, through fragments too."""
    op = get_operation_ast(document, operation)
    if op is None:
        return False
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    root = schema.get_root_type(op.operation)
    return root is not None and _selects(schema, op.selection_set, root, fragments, set())


def _selects(
    schema: GraphQLSchema,
    selections: SelectionSetNode,
    parent: GraphQLNamedType,
    fragments: dict[str, FragmentDefinitionNode],
    seen: set[str],
) -> bool:
    for node in selections.selections:
        if isinstance(node, FieldNode):
            fields = parent.fields if isinstance(parent, GraphQLObjectType | Interface) else {}
            field = fields.get(node.name.value)
            if field is None:  # __typename and the like
                continue
            if _personal(field):
                return True
            inner = get_named_type(field.type)
            if node.selection_set and _selects(schema, node.selection_set, inner, fragments, seen):
                return True
        elif isinstance(node, InlineFragmentNode):
            cond = node.type_condition
            on = schema.get_type(cond.name.value) if cond else parent
            if on is not None and _selects(schema, node.selection_set, on, fragments, seen):
                return True
        elif isinstance(node, FragmentSpreadNode) and node.name.value not in seen:
            seen.add(node.name.value)
            fragment = fragments.get(node.name.value)
            on = schema.get_type(fragment.type_condition.name.value) if fragment else None
            if fragment and on and _selects(schema, fragment.selection_set, on, fragments, seen):
                return True
    return False


def _refusal(error: DomainError, status: int, response: Any) -> ExecutionResult:
    if response is not None:
        response.status_code = status
    extensions: dict[str, Any] = {"code": error.code}
    if error.field:
        extensions["field"] = error.field
    return ExecutionResult(data=None, errors=[GraphQLError(error.message, extensions=extensions)])


class AccessRecord(SchemaExtension):
    """The purpose checked before execution; the reads in full recorded after it."""

    async def on_execute(self) -> AsyncIterator[None]:
        ctx = self.execution_context
        found = getattr(ctx.context, "disclosure", None)
        response = getattr(ctx.context, "response", None)
        if isinstance(found, Disclosure) and found.in_full and found.purpose is None:
            document = ctx.graphql_document
            if document is not None and asks_personal(
                ctx.schema._schema, document, ctx.operation_name
            ):
                ctx.result = _refusal(require_purpose(found.purpose_field), 400, response)
        yield
        result = ctx.result
        if result is None or (isinstance(result, ExecutionResult) and result.data is None):
            return
        errors = list(getattr(result, "errors", None) or [])
        if any(isinstance(e.original_error, PurposeRequired) for e in errors):
            # A field found no purpose that the document check missed: refuse all the same.
            refused = next(e.original_error for e in errors if e.original_error)
            assert isinstance(refused, DomainError)
            _replace(result, _refusal(refused, 400, response))
            return
        if not isinstance(found, Disclosure) or not found.reads:
            return
        container = getattr(ctx.context, "container", None)
        try:
            await asyncio.to_thread(access_record.write, container.db, found)  # type: ignore[union-attr]
        except RecordFailed as e:
            log.error("personal-data access record not written (%s)", type(e.__cause__).__name__)
            _replace(result, _refusal(e, 503, response))


def _replace(result: Any, refusal: ExecutionResult) -> None:
    """Empty the answer in place (the executor returns the object it made)."""
    result.data = None
    result.errors = refusal.errors


# -- the record, for auditors ----------------------------------------------------------------


@strawberry.type(description="One read of personal data in full: whose, which fields, why, who.")
class PersonalDataAccess:
    id: strawberry.ID
    recorded_at: str
    user: str
    role: str
    person_id: str | None = strawberry.field(description="the person whose data was read")
    case_id: str | None = strawberry.field(description="the case whose data was read")
    fields: list[str] = strawberry.field(description="the kinds shown: name, id_number, ...")
    purpose: str
    request_id: str | None
    via: str = strawberry.field(description="graphql, rest or cli")


@strawberry.input
class PersonalDataAccessFilter:
    user: str | None = None
    role: str | None = None
    subject: str | None = strawberry.field(default=None, description="a person id or a case id")
    from_: datetime | None = strawberry.field(default=None, name="from", description="inclusive")
    to: datetime | None = strawberry.field(default=None, description="exclusive")


def _row(row: dict[str, Any]) -> PersonalDataAccess:
    return PersonalDataAccess(
        id=strawberry.ID(str(row["seq"])),
        recorded_at=row["recorded_at"],
        user=row["user_id"],
        role=row["role"],
        person_id=row["person_id"],
        case_id=row["case_id"],
        fields=list(row["fields"]),
        purpose=row["purpose"],
        request_id=row["request_id"],
        via=row["via"],
    )


def _naive_is_utc(at: datetime | None) -> datetime | None:
    return at if at is None or at.tzinfo else at.replace(tzinfo=UTC)


async def personal_data_access(
    info: Info,
    filter: PersonalDataAccessFilter | None = None,
    first: int = DEFAULT_PAGE,
    after: str | None = None,
) -> Connection[PersonalDataAccess]:
    # Who may read it (the auditor) is the access table's `access record` rule (ReadAccess).
    first, key = page_size(first), uncursor(after)
    if key is not None and not key.isdigit():
        raise InvalidInput("the cursor is not one this API gave out", field="after")
    f = filter or PersonalDataAccessFilter()
    found = access_record.AccessFilter(
        user=f.user, role=f.role, subject=f.subject,
        since=_naive_is_utc(f.from_), until=_naive_is_utc(f.to),
    )  # fmt: skip
    db = info.context.container.read_db
    rows = await asyncio.to_thread(
        access_record.page, db, found, int(key) if key else None, first + 1
    )
    return connection(
        rows, first, key=lambda r: str(r["seq"]), node=_row,
        count=lambda: asyncio.to_thread(access_record.count, db, found),
    )  # fmt: skip
