"""The Ledger application: one event store, one global notification log, one method per command.

Commands are grouped by area in mixins; this class puts them together under one name, which
is also the name of the event table (`ledger_events`).
"""

from __future__ import annotations

from domain.case_commands import CaseCommands
from domain.ledger_base import CommandResult, Enrolment, EnrolmentRegistry, IdempotencyRecord
from domain.payroll_commands import PayrollCommands
from domain.temporary_commands import TemporaryCommands

__all__ = ["CommandResult", "Enrolment", "EnrolmentRegistry", "IdempotencyRecord", "Ledger"]


class Ledger(PayrollCommands, CaseCommands, TemporaryCommands):
    """Holds every aggregate so there is one notification log in commit order."""

    name = "Ledger"
