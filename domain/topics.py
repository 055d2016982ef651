"""Stored topics are module paths: the modules that moved keep their old paths as aliases.

Events stored before the move (e.g. `domain.assistance_case:AssistanceCase.ApplicationSubmitted`)
resolve through the library's `register_topic`, and readers that filter the log by topic ask
`topics_of` so they match both spellings.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from eventsourcing.utils import get_topic, register_topic

#: Old module path (as stored up to commit a663afe) -> the module's path now.
MOVED_MODULES: dict[str, str] = {
    "domain.assistance_case": "domain.assistance.case",
    "domain.temporary_case": "domain.temporary.case",
    "domain.care_institution": "domain.care.institution",
    "domain.bed_conversion": "domain.care.bed_conversion",
    "domain.social_organization": "domain.organizations.organization",
    "domain.village_conversion": "domain.villages.conversion",
    "domain.payout": "domain.payroll.payout",
    "domain.payroll_run": "domain.payroll.run",
    "domain.death_notification": "domain.deaths.notification",
    "domain.parameters": "domain.shared.parameters",
    "domain.ledger_base": "domain.shared.ledger_base",
}


def register_moved_modules() -> None:
    """Make every old module path resolve to the module that now holds its classes."""
    for old, new in MOVED_MODULES.items():
        module: ModuleType = importlib.import_module(new)
        register_topic(old, module)  # registering the same module again is a no-op


def topics_of(cls: type) -> list[str]:
    """The topic a class is stored under now, and the one it was stored under before moving."""
    topic = get_topic(cls)
    module, _, qualname = topic.partition(":")
    return [topic] + [f"{old}:{qualname}" for old, new in MOVED_MODULES.items() if new == module]
