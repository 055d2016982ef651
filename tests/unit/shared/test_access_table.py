"""The access table covers every command and query, and the README prints it as it is."""

from __future__ import annotations

import inspect
from pathlib import Path

from api.auth import ROLES
from api.graphql.schema import schema
from domain.ledger import Ledger
from domain.shared import access
from domain.shared.ledger_base import LedgerBase

README = Path(__file__).resolve().parents[3] / "README.md"
#: Public Ledger methods that read or help a command; everything else public is a command.
NOT_COMMANDS = {
    "case_as_of", "case_events", "death_notification_of", "death_on_file", "end_if_terminated",
    "enrol_on_confirmation", "enrolment_of", "refuse_deceased_or_enrolled", "verified_death",
    "working_day_calendar", "authorize", "change", "execute", "fingerprint", "latest_position",
    "load", "parameters_in_force", "saved", "finish_erasure",
}  # fmt: skip


def test_the_readme_prints_the_table_in_the_code() -> None:
    section = README.read_text().split("## Who may do what", 1)[1].split("\n## ", 1)[0]
    assert access.render_markdown() in section


def test_every_public_ledger_command_has_exactly_one_rule() -> None:
    base = set(dir(LedgerBase.__mro__[1]))  # the library's Application
    public = {
        name for name, member in inspect.getmembers(Ledger, inspect.isfunction)
        if not name.startswith("_") and name not in base and not name.startswith("get_")
    }  # fmt: skip
    assert public - NOT_COMMANDS == set(access.WRITES)


def test_every_graphql_root_field_has_a_read_rule() -> None:
    query = schema._schema.query_type
    assert query is not None
    fields = set(query.fields)
    subscription = schema._schema.subscription_type
    assert subscription is not None
    fields |= set(subscription.fields)
    assert {f for rule in access.READS.values() for f in rule.fields} == fields


def test_tokens_carry_the_roles_of_the_table_and_never_system() -> None:
    assert set(ROLES) == set(access.TOKEN_ROLES)
    assert access.SYSTEM not in ROLES
