"""The Ledger application: one event store, one global notification log, one method per command.

Commands are grouped by area in mixins; this class puts them together under one name, which
is also the name of the event table (`ledger_events`).
"""

from __future__ import annotations

from domain.case_commands import CaseCommands
from domain.death_commands import DeathCommands
from domain.institution_commands import InstitutionCommands
from domain.ledger_base import CommandResult, IdempotencyRecord
from domain.organization_commands import OrganizationCommands
from domain.payroll_commands import PayrollCommands
from domain.temporary_commands import TemporaryCommands
from domain.village_commands import VillageCommands

__all__ = ["CommandResult", "IdempotencyRecord", "Ledger"]


class Ledger(
    DeathCommands,
    PayrollCommands,
    CaseCommands,
    TemporaryCommands,
    InstitutionCommands,
    OrganizationCommands,
    VillageCommands,
):
    """Holds every aggregate so there is one notification log in commit order."""

    name = "Ledger"
