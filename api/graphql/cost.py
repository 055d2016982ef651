"""What a GraphQL document will fetch: its depth, aliases, largest page and cost.

The cost counts every field once per row it is fetched for: a field under `cases(first: 100)
{ edges { node { ... } } }` counts 100 times, one under a plain list (a case's `timeline`)
the default page size times per parent row. The walk stops as soon as the cost passes the
limit, so a document of 5,000 aliases costs no more to refuse than one over by one field.
api/graphql/limits.py turns a measure into refusals.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)
from graphql.type.definition import GraphQLNamedType, GraphQLOutputType, get_named_type

from api.graphql.relay import DEFAULT_PAGE, MAX_PAGE

if TYPE_CHECKING:
    from api.graphql.limits import Limits


class _OverBudget(Exception):
    """Stops the walk as soon as the running cost is over the limit."""


@dataclass
class Measure:
    """What a document asks for: its depth, aliases, cost, and pages over the limit."""

    depth: int = 0
    aliases: int = 0
    cost: int = 0
    steps: int = 0
    page: int = 0  # the largest `first` asked for
    over_budget: bool = False  # the walk stopped at the cost limit: the cost is more


class _Walker:
    def __init__(
        self, schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any],
        limits: Limits,
    ) -> None:  # fmt: skip
        self.schema, self.variables, self.limits = schema, variables, limits
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.measure = Measure()

    def operation(self, op: OperationDefinitionNode, defaults: Mapping[str, Any]) -> None:
        root = self.schema.get_root_type(op.operation)
        self.defaults = defaults
        self.selections(op.selection_set, root, 1, 1, None, frozenset())

    def _step(self, cost: int) -> None:
        m = self.measure
        m.cost += cost
        m.steps += 1
        if m.cost > self.limits.max_cost or m.steps > self.limits.max_cost:
            raise _OverBudget

    def selections(
        self, node: SelectionSetNode, parent: GraphQLNamedType | None, depth: int | None,
        rows: int, first: int | None, seen: frozenset[str],
    ) -> None:  # fmt: skip
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                self.field(selection, parent, depth, rows, first, seen)
            elif isinstance(selection, InlineFragmentNode):
                self._step(0)
                kind = parent
                if selection.type_condition is not None:
                    kind = self.schema.get_type(selection.type_condition.name.value)
                self.selections(selection.selection_set, kind, depth, rows, first, seen)
            elif isinstance(selection, FragmentSpreadNode):
                self._step(0)
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:
                    continue  # validation names the unknown or cyclic fragment
                kind = self.schema.get_type(fragment.type_condition.name.value)
                self.selections(fragment.selection_set, kind, depth, rows, first, seen | {name})

    def field(
        self, node: FieldNode, parent: GraphQLNamedType | None, depth: int | None, rows: int,
        first: int | None, seen: frozenset[str],
    ) -> None:  # fmt: skip
        m = self.measure
        if node.alias is not None:
            m.aliases += 1
        self._step(rows)
        name = node.name.value
        if name.startswith("__"):
            depth = None  # introspection (GraphiQL's own query): bounded by the schema itself
        if depth is not None:
            m.depth = max(m.depth, depth)
            if depth > self.limits.max_depth:
                return  # too deep already: no need to walk further
        if node.selection_set is None:
            return
        definition = None
        if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            definition = parent.fields.get(name)
        if definition is None:  # introspection or an unknown field: count it, one row each
            below = None if depth is None else depth + 1
            self.selections(node.selection_set, None, below, rows, None, seen)
            return
        child_rows = rows
        if _is_list(definition.type):
            child_rows = rows * (first if first is not None else self.limits.list_size)
        own_first = self._first(node, definition.args)
        kind = get_named_type(definition.type)
        below = None if depth is None else depth + 1
        self.selections(node.selection_set, kind, below, child_rows, own_first, seen)

    def _first(self, node: FieldNode, args: Mapping[str, Any]) -> int | None:
        """The page a `first` argument asks for (its default when left out), clamped as fetched."""
        if "first" not in args:
            return None
        asked: Any = args["first"].default_value
        for argument in node.arguments or ():
            if argument.name.value != "first":
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                asked = int(value.value)
            elif isinstance(value, VariableNode):
                name = value.name.value
                asked = self.variables.get(name, self.defaults.get(name, asked))
        page = asked if isinstance(asked, int) and not isinstance(asked, bool) else DEFAULT_PAGE
        self.measure.page = max(self.measure.page, page)  # not an Int: coercion refuses it
        return max(1, min(page, self.limits.max_page, MAX_PAGE))


def _is_list(kind: GraphQLOutputType) -> bool:
    if isinstance(kind, GraphQLNonNull):
        kind = kind.of_type
    return isinstance(kind, GraphQLList)


def _variable_defaults(op: OperationDefinitionNode) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for definition in op.variable_definitions or ():
        if isinstance(definition.default_value, IntValueNode):
            found[definition.variable.name.value] = int(definition.default_value.value)
    return found


def measure(
    schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any] | None,
    limits: Limits,
) -> Measure:  # fmt: skip
    """Walk every operation, stopping as soon as the cost passes the limit."""
    walker = _Walker(schema, document, variables or {}, limits)
    try:
        for op in _operations(document):
            walker.operation(op, _variable_defaults(op))
    except _OverBudget:
        walker.measure.over_budget = True
    return walker.measure


def _operations(document: DocumentNode) -> Iterator[OperationDefinitionNode]:
    return (d for d in document.definitions if isinstance(d, OperationDefinitionNode))
