"""GraphQL errors never echo a value the caller sent: it may be a name or an ID number.

graphql-core's own refusals quote the offending value (`Int cannot represent non-integer
value: "11010519491231002X"`, `found: {'street': 5, ...}`). Every value the caller supplied
(the document's literals and the variables, keys included) is replaced by `…` where it
appears quoted, or as a number, in an error's message; the message still names the argument,
the variable or the type and what it expects.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    EnumValueNode,
    FloatValueNode,
    IntValueNode,
    Node,
    StringValueNode,
)
from strawberry.extensions import SchemaExtension

from domain.shared.errors import DomainError

PLACEHOLDER = "…"
NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")
#: Numbers shorter than this are left alone (`first: 0`, `version: -1`): they identify no one.
SHORTEST_NUMBER = 4


def supplied(
    document: DocumentNode | None, variables: Mapping[str, Any] | None
) -> tuple[set[str], set[str]]:
    """Every scalar the caller sent, as text (literals and variable values), and the enum
    literals apart: graphql-core prints those bare."""
    found: set[str] = set()
    bare: set[str] = set()
    if document is not None:
        for node in _nodes(document):
            if isinstance(node, StringValueNode | IntValueNode | FloatValueNode):
                found.add(str(node.value))
            elif isinstance(node, EnumValueNode):
                bare.add(node.value)
    _values(variables or {}, found)
    return {v for v in found if v}, bare


def _nodes(root: Node) -> Iterator[Node]:
    """Every node of the document, walked with a stack (a deep document cannot recurse)."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        for key in node.keys:
            child = getattr(node, key, None)
            if isinstance(child, Node):
                stack.append(child)
            elif isinstance(child, tuple | list):
                stack.extend(item for item in child if isinstance(item, Node))


def _values(value: Any, found: set[str]) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not NAME.fullmatch(str(key)):  # an input field's name is the schema's, not theirs
                found.add(str(key))
            _values(item, found)
    elif isinstance(value, list | tuple):
        for item in value:
            _values(item, found)
    elif value is not None and not isinstance(value, bool):
        found.add(str(value))


def scrub(message: str, values: set[str], bare: frozenset[str] | set[str] = frozenset()) -> str:
    """The message with each supplied value, quoted or as a number, and each enum literal
    (`bare`), replaced by `…`."""
    for name in sorted(bare, key=len, reverse=True):
        message = re.sub(rf"(?<![\w'\"]){re.escape(name)}(?![\w'\"])", PLACEHOLDER, message)
    for value in sorted(values, key=len, reverse=True):
        if re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", value):
            if len(value.lstrip("-")) >= SHORTEST_NUMBER:
                message = re.sub(rf"(?<![\w.]){re.escape(value)}(?!\w|\.\d)", PLACEHOLDER, message)
            continue
        for quoted in {f'"{value}"', f"'{value}'", repr(value)}:
            message = message.replace(quoted, f"'{PLACEHOLDER}'")
    return message


class NoEcho(SchemaExtension):
    """Scrubs the caller's values from every error message of the answer."""

    def on_operation(self) -> Iterator[None]:
        yield
        context = self.execution_context
        errors = getattr(context.result, "errors", None) or []
        if not errors:
            return
        values, bare = supplied(context.graphql_document, context.variables)
        for error in errors:
            if isinstance(error.original_error, DomainError):
                continue  # our own messages name the field and the rule, never the value
            error.message = scrub(error.message, values, bare)
