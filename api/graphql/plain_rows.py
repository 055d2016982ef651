"""Lists of plain rows completed in one pass, not field by field (issue 12).

graphql-core completes every field of every list item on its own: it builds the field's path
and resolve info, calls its resolver (strawberry's `getattr`), and coerces the value, about
5 microseconds a field. `caseload` by programme, street and status at province size returns
7,464 rows of four fields: 150-200 ms of a request's CPU went to that alone, against 2 ms for
building the same rows in Python.

`PlainRowsExecutionContext` completes a list of objects at once when every field selected
under it is *plain*: a strawberry field with no resolver, no field extension (so nothing that
masks, redacts or records a read) and no arguments, whose type is a scalar, an enum, or a
plain object (recursively); `__typename` too. Each row is then `{key: coerce(getattr(row,
attribute))}` in the selection's order, with the same aliases, fragments, `@skip` and
`@include` as graphql-core would apply (its own `collect_subfields` groups the fields).

Anything else takes graphql-core's own path, for the whole list: a field with a resolver or
an extension, `@defer`/`@stream`, an abstract type, a type check that fails, a null in a
non-null field, a value the scalar refuses. The answer and its errors are then exactly
graphql-core's, because nothing was kept from the attempt. Schema extensions' `resolve`
hooks are not called for a plain row's fields: this schema's only one (`ReadAccess`) acts on
root fields, and a root field is never a row's.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import AwaitableOrValue, Path, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

BACKREF = "strawberry-definition"  # where strawberry keeps a field's definition

#: A compiled row: (response key, attribute or None for __typename, leaf coercion or a
#: nested row's plan, non-null).
Plan = tuple[tuple[str, str | None, Any, bool], ...]


class NotPlain(Exception):
    """This list takes graphql-core's own path (never seen by a caller)."""


class PlainRowsExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: (object type, id of the field group) -> its plan, or None when not plain; the
        #: group is kept alive beside it so that its id is not reused during the execution.
        self._plans: dict[tuple[GraphQLObjectType, int], tuple[Any, Plan | None]] = {}

    def complete_iterable_value(
        self,
        item_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        items: Iterable[Any],
        position_context: Any,
    ) -> AwaitableOrValue[list[Any]]:
        plan = None
        row_type = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
        if (
            isinstance(row_type, GraphQLObjectType)
            and isinstance(items, list | tuple)
            and self.get_stream_usage(field_details_list, path) is None
        ):
            plan = self._plan(row_type, field_details_list)
        if plan is not None:
            non_null = isinstance(item_type, GraphQLNonNull)
            try:
                return [_row(plan, item, non_null) for item in items]
            except NotPlain:
                pass  # graphql-core's own path gives the answer, and its errors, as ever
        return super().complete_iterable_value(
            item_type, field_details_list, info, path, items, position_context
        )

    def _plan(self, row_type: GraphQLObjectType, group: FieldDetailsList) -> Plan | None:
        key = (row_type, id(group))
        cached = self._plans.get(key)
        if cached is not None:
            return cached[1]
        try:
            plan = self._compile(row_type, group)
        except NotPlain:
            plan = None
        self._plans[key] = (group, plan)
        return plan

    def _compile(self, row_type: GraphQLObjectType, group: FieldDetailsList) -> Plan:
        if row_type.is_type_of is not None:
            raise NotPlain
        grouped, defers, _forbidden = self.collect_subfields(row_type, group)
        if defers:
            raise NotPlain
        plan = []
        for response_key, details in grouped.items():
            name = details[0].node.name.value
            if name == "__typename":
                plan.append((response_key, None, row_type.name, True))
                continue
            field = row_type.fields[name]
            definition = (field.extensions or {}).get(BACKREF)
            if (
                definition is None
                or field.args
                or getattr(definition, "base_resolver", None) is not None
                or getattr(definition, "extensions", None)
                or getattr(definition, "permission_classes", None)
            ):
                raise NotPlain
            kind, non_null = field.type, False
            if isinstance(kind, GraphQLNonNull):
                kind, non_null = kind.of_type, True
            if isinstance(kind, GraphQLScalarType | GraphQLEnumType):
                finish: Any = kind.coerce_output_value
            elif isinstance(kind, GraphQLObjectType):
                nested = self._plan(kind, details)
                if nested is None:
                    raise NotPlain
                finish = Nested(nested)
            else:  # a list, an interface or a union
                raise NotPlain
            plan.append((response_key, definition.python_name, finish, non_null))
        return tuple(plan)


class Nested:
    """A plain object's field: its own row's plan."""

    __slots__ = ("plan",)

    def __init__(self, plan: Plan):
        self.plan = plan


def _row(plan: Plan, item: Any, non_null: bool) -> Any:
    if item is None:
        if non_null:
            raise NotPlain
        return None
    row: dict[str, Any] = {}
    for key, attribute, finish, required in plan:
        if attribute is None:
            row[key] = finish
            continue
        value = getattr(item, attribute, Undefined)
        if value is Undefined:
            raise NotPlain
        if value is None:
            if required:
                raise NotPlain
            row[key] = None
        elif type(finish) is Nested:
            row[key] = _row(finish.plan, value, required)
        else:
            try:
                value = finish(value)
            except Exception as refused:  # graphql-core says how, with the field's path
                raise NotPlain from refused
            if value is None or value is Undefined:
                raise NotPlain
            row[key] = value
    return row
