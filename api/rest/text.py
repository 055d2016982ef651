"""The text types of every request body: bounded, and free of control characters.

The bounds are the domain's (domain/values.py), defined once. Single-line fields refuse every
control character; free text may keep line feeds and tabs, nothing else.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from domain.shared.values import (
    FREE_TEXT_MAX,
    MULTILINE_ALLOWED,
    NAME_MAX,
    REFERENCE_MAX,
    SHORT_TEXT_MAX,
    USER_ID_MAX,
    control_character,
)


def _single_line(value: str) -> str:
    found = control_character(value)
    if found:
        raise ValueError(f"contains a control character ({found}): one line of plain text")
    return value


def _multi_line(value: str) -> str:
    found = control_character(value, MULTILINE_ALLOWED)
    if found:
        raise ValueError(
            f"contains a control character ({found}): only line feeds and tabs are allowed"
        )
    return value


#: One line of text, possibly empty, of at most NAME_MAX characters (an optional reference).
Line = Annotated[str, Field(max_length=NAME_MAX), AfterValidator(_single_line)]
#: A person's name, a street, a community, a relation, a kind.
ShortText = Annotated[
    str, Field(min_length=1, max_length=SHORT_TEXT_MAX), AfterValidator(_single_line)
]
#: The name of an institution, organisation, village or entity; a decision reference.
Name = Annotated[str, Field(min_length=1, max_length=NAME_MAX), AfterValidator(_single_line)]
#: A document's or payment's reference.
Reference = Annotated[
    str, Field(min_length=1, max_length=REFERENCE_MAX), AfterValidator(_single_line)
]
#: A user id (an investigator, an inspector).
UserId = Annotated[str, Field(min_length=1, max_length=USER_ID_MAX), AfterValidator(_single_line)]
#: Free text (findings, reasons, descriptions): required, several lines allowed.
Text = Annotated[str, Field(min_length=1, max_length=FREE_TEXT_MAX), AfterValidator(_multi_line)]
#: Free text that may be left empty.
OptionalText = Annotated[str, Field(max_length=FREE_TEXT_MAX), AfterValidator(_multi_line)]
