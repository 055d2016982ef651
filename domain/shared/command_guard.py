"""What every Ledger command passes before its save: its access rule, and storable text.

`guard_commands` marks each command of the access table (domain.shared.access) on the Ledger
class, so that the save knows which rule applies and refuses a command whose rule was never
checked; `refuse_unstorable_text` is the safety net behind the API's text types.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from eventsourcing.domain import Aggregate

from domain.shared import access
from domain.shared.values import refuse_control_characters

L = TypeVar("L", bound=type)


@dataclass
class _Running:
    """The command a call is running (its Ledger method name), and whether it was checked."""

    command: str
    checked: bool = field(default=False)


_running: ContextVar[_Running | None] = ContextVar("ledger_command", default=None)


@contextmanager
def running(command: str) -> Iterator[None]:
    """Run the code inside as the Ledger command `command` (its rule in domain.shared.access)."""
    token = _running.set(_Running(command))
    try:
        yield
    finally:
        _running.reset(token)


def current_command() -> _Running | None:
    """The Ledger command this call is running, if any."""
    return _running.get()


def guard_commands(cls: L) -> L:
    """Mark every command of the access table on the Ledger class, so that `execute` and
    `change` know which rule applies (and refuse to save a command no rule was checked for)."""
    for name in access.WRITES:
        owner = next(k for k in cls.__mro__ if name in vars(k))  # still defined in one place
        method = vars(owner)[name]
        if not getattr(method, "access_rule", None):
            setattr(owner, name, _marked(name, method))
    return cls


def _marked(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def run(self: Any, *args: Any, **kwargs: Any) -> Any:
        with running(name):
            return method(self, *args, **kwargs)

    run.access_rule = name  # type: ignore[attr-defined]
    return run


def refuse_unstorable_text(objs: list[Aggregate]) -> None:
    """Refuse, naming the field, any new event value holding a control character.

    The safety net behind the API's text types: such a value would stop a view at that event.
    """
    for obj in objs:
        for pending in obj.pending_events:
            values = {
                k: v for k, v in vars(pending).items()
                if k not in ("originator_id", "originator_version", "timestamp")
            }  # fmt: skip
            refuse_control_characters(values)
