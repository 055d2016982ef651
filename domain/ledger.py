"""The Ledger application: one event store, one global notification log, one method per command.

Commands are grouped by area in mixins; this class puts them together under one name, which
is also the name of the event table (`ledger_events`).
"""

from __future__ import annotations

from domain.assistance.benefits import BenefitCommands
from domain.assistance.decisions import CaseDecisions
from domain.audit.commands import FindingCommands
from domain.care.commands import InstitutionCommands
from domain.deaths.commands import DeathCommands
from domain.organizations.commands import OrganizationCommands
from domain.payroll.standards import StandardCommands
from domain.persons.erasure import ErasureCommands
from domain.shared.clock import ClockCommands
from domain.shared.command_guard import guard_commands
from domain.shared.ledger_base import CommandResult, IdempotencyRecord
from domain.shared.parameter_commands import ParameterCommands
from domain.temporary.commands import TemporaryCommands
from domain.topics import register_moved_modules
from domain.villages.commands import VillageCommands

register_moved_modules()  # events stored under the old module paths still load

__all__ = ["CommandResult", "IdempotencyRecord", "Ledger"]


@guard_commands
class Ledger(
    ErasureCommands,
    DeathCommands,
    StandardCommands,
    CaseDecisions,
    BenefitCommands,
    TemporaryCommands,
    InstitutionCommands,
    OrganizationCommands,
    VillageCommands,
    ClockCommands,
    FindingCommands,
    ParameterCommands,
):
    """Holds every aggregate so there is one notification log in commit order."""

    name = "Ledger"
