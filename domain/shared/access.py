"""Who may do what: one table of the write commands and one of the read families, by role.

The write side checks a command here once its target is found (`LedgerBase.authorize`); the
GraphQL side checks each root field and narrows lists to the caller's street with the same
`area_of`. The README's "Who may do what" prints `render_markdown()`, and a test keeps it so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from domain.shared.errors import Forbidden
from domain.shared.values import Actor

#: The roles a token may carry, and the internal one it may not (reactions and the loader).
TOKEN_ROLES = ("caseworker", "approver", "supervisor", "auditor", "integrator", "admin")
SYSTEM = "system"
ROLES = (*TOKEN_ROLES, SYSTEM)

#: `street`: the target has a street, and a caller bound to a street may act only on its own.
#: `district`: the target has no street (parameters, payroll runs, deaths): any allowed role.
Area = Literal["street", "district"]


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]
    area: Area
    family: str

    def allows(self, role: str) -> bool:
        return role in self.roles


def _rules(family: str, area: Area, roles: Iterable[str], commands: str) -> dict[str, Rule]:
    rule = Rule(frozenset(roles), area, family)
    return {name: rule for name in commands.split()}


CASEWORK = ("caseworker",)
DECISION = ("approver",)
BOTH = ("caseworker", "approver")
ADMIN = ("admin",)

#: Every write command of the Ledger (its public method name) -> who may run it, and where.
WRITES: dict[str, Rule] = {
    **_rules("casework", "street", CASEWORK, """
        submit_application accept_application complete_case_economic_check
        record_case_home_visit assess_household post_public_notice close_public_notice
        report_change complete_review raise_warning resolve_warning change_payee"""),
    **_rules("decisions", "street", DECISION, """
        confirm_eligibility deny_eligibility extend_processing adjust_benefit suspend_benefit
        resume_benefit start_gradual_exit terminate_benefit"""),
    # The street decides within its delegated limit (the case's own rule checks the amount).
    **_rules("temporary casework", "street", CASEWORK, """
        request_help complete_temporary_economic_check record_temporary_home_visit
        complete_paperwork close_temporary_case"""),
    **_rules("temporary decisions", "street", BOTH, """
        grant_advance_aid approve_temporary_grant deny_temporary_aid"""),
    **_rules("payroll", "district", DECISION, """
        start_payroll_run approve_payroll_run record_settlement reissue_payout reverse_payout
        recover_overpayment"""),
    **_rules("bed conversions", "street", BOTH, "apply_bed_conversion"),
    **_rules("bed-conversion decisions", "street", DECISION, """
        inspect_bed_conversion approve_bed_conversion reject_bed_conversion
        complete_bed_conversion pay_conversion_subsidy"""),
    **_rules("institution register", "street", ADMIN, """
        file_institution award_institution_grade report_institution_staff certify_fire_safety
        record_medical_capability"""),
    **_rules("organisations", "street", DECISION, """
        register_organization conclude_organization_inspection confirm_organization_grade
        revoke_organization_grade start_liquidation deregister_organization
        revoke_registration"""),
    **_rules("village steps", "street", BOTH, """
        initiate_village_conversion verify_village_assets confirm_village_membership
        restructure_collective vote_village_abolition establish_residents_committee"""),
    **_rules("village decisions", "street", DECISION, """
        deregister_village complete_village_conversion"""),
    **_rules("death reports", "district", BOTH, "report_death retract_death_report"),
    **_rules("death verification", "district", DECISION, "verify_death"),
    **_rules("parameters and calendars", "district", ADMIN, "set_parameter record_holiday_notice"),
    **_rules("erasure", "district", ADMIN, "erase_personal_data"),
    **_rules("reactions", "district", (SYSTEM,), """
        apply_death_consequences apply_standard_change apply_standards_to_case
        apply_standards_to_cases"""),
    **_rules("time", "district", (SYSTEM,), "record_day"),
    **_rules("audit process", "district", (SYSTEM,), "raise_finding resolve_finding"),
    # A finding's street acts on it; the auditor alone judges one raised by mistake.
    **_rules("finding acknowledgement", "street", BOTH, "acknowledge_finding"),
    **_rules("finding rectification", "street", DECISION, "rectify_finding"),
    **_rules("finding dismissal", "street", ("auditor",), "dismiss_finding"),
}  # fmt: skip

READERS = ("caseworker", "approver", "supervisor", "auditor")
DISTRICT_READERS = ("approver", "supervisor", "auditor")

#: A GraphQL read family: its root fields, who may read them, and how the area applies.
#: `street`: a street-bound caller sees its street only (lists filtered, other objects refused);
#: `district`: district-wide figures, refused to a street-bound caller;
#: `none`: nothing in it belongs to an area (the projections' positions).


@dataclass(frozen=True)
class ReadRule:
    fields: tuple[str, ...]
    roles: frozenset[str]
    area: Literal["street", "district", "none"]


READS: dict[str, ReadRule] = {
    # Who the caller is and what it may read: every token role, integrator and admin included.
    "identity": ReadRule(("viewer",), frozenset(TOKEN_ROLES), "none"),
    "cases": ReadRule(
        ("case", "cases", "caseload", "overdueSummary"), frozenset(READERS), "street"
    ),
    "history": ReadRule(("caseHistory", "caseAsOf"), frozenset(READERS), "street"),
    "temporary": ReadRule(
        ("temporaryCase", "temporaryAssistanceStats"), frozenset(READERS), "street"
    ),
    "payroll": ReadRule(
        ("payouts", "payrollRun", "payoutTotals"), frozenset(DISTRICT_READERS), "district"
    ),
    "institutions": ReadRule(
        ("institutions", "bedStats", "bedConversions"), frozenset((*READERS, "admin")), "street"
    ),
    "organisations": ReadRule(
        ("organizations", "organizationStats", "villageConversions"),
        frozenset(DISTRICT_READERS),
        "district",
    ),
    "deaths": ReadRule(("deathNotifications",), frozenset(DISTRICT_READERS), "district"),
    "kpis": ReadRule(("supervisionKpis",), frozenset(READERS), "street"),
    "operations": ReadRule(("projectionStatus",), frozenset((*READERS, "admin")), "none"),
    "audit": ReadRule(("auditFindings", "auditSummary"), frozenset(READERS), "street"),
    "access record": ReadRule(("personalDataAccess",), frozenset({"auditor"}), "none"),
    "verifiable log": ReadRule(
        ("checkpoints", "ledgerIntegrity"), frozenset((*READERS, "admin")), "none"
    ),
    # The integrator streams: the feed, server-sent events and the `events` subscription. The
    # log is the district's; an integrator reads only the event types on its token.
    "streams": ReadRule(("events",), frozenset((*DISTRICT_READERS, "integrator")), "district"),
}

#: Roles bound to the street on their token: a caseworker always, a supervisor when it has one.
STREET_BOUND = frozenset({"caseworker"})


def area_of(actor: Actor) -> str | None:
    """The street a caller is bound to, or None for the district."""
    if actor.role in STREET_BOUND or (actor.role == "supervisor" and actor.unit):
        return actor.unit or ""
    return None


def check_write(command: str, actor: Actor, street: str | None) -> None:
    """Refuse, naming the rule, a command the actor's role or area does not allow."""
    rule = WRITES.get(command)
    if rule is None:
        raise Forbidden(f"rule `unlisted_command`: {command} is in no access rule",
                        code="unlisted_command")  # fmt: skip
    if not rule.allows(actor.role):
        who = " or ".join(sorted(rule.roles))
        raise Forbidden(
            f"rule `role_not_allowed`: {command} ({rule.family}) is for {who}, not {actor.role}",
            code="role_not_allowed",
        )
    bound = area_of(actor)
    if bound == "":
        raise Forbidden(
            f"rule `street_missing`: a {actor.role} token must name its street",
            code="street_missing",
        )
    if rule.area == "street" and bound is not None and street != bound:
        raise Forbidden(
            f"rule `street_scope`: a {actor.role} of {bound} may act only on that street's records",
            code="street_scope",
        )


def read_rule(field: str) -> tuple[str, ReadRule] | None:
    for family, rule in READS.items():
        if field in rule.fields:
            return family, rule
    return None


def check_read(field: str, actor: Actor | None) -> ReadRule:
    """The rule of a GraphQL root field, or Forbidden naming why this caller may not read it."""
    found = read_rule(field)
    if found is None:
        raise Forbidden(f"rule `unlisted_field`: {field} is in no access rule",
                        code="unlisted_field")  # fmt: skip
    family, rule = found
    role = actor.role if actor else "anonymous"
    if actor is None or role not in rule.roles:
        raise Forbidden(f"rule `role_not_allowed`: {field} ({family}) is not for {role}",
                        code="role_not_allowed")  # fmt: skip
    bound = area_of(actor)
    if bound == "":
        raise Forbidden(f"rule `street_missing`: a {role} token must name its street",
                        code="street_missing")  # fmt: skip
    if rule.area == "district" and bound is not None:
        raise Forbidden(
            f"rule `district_only`: {field} ({family}) covers the district; a {role} of "
            f"{bound} reads its own street only",
            code="district_only",
        )
    return rule


def check_street(actor: Actor | None, street: str | None, what: str) -> None:
    """Refuse one object outside a street-bound caller's street (the rule names no data)."""
    bound = area_of(actor) if actor else None
    if bound is not None and street != bound:
        raise Forbidden(
            f"rule `street_scope`: this {what} is outside {bound}, the caller's street",
            code="street_scope",
        )


# -- the README's table ---------------------------------------------------------------------


def _who(roles: frozenset[str]) -> str:
    return ", ".join(r for r in ROLES if r in roles)


def render_markdown() -> str:
    """The two tables of the README's "Who may do what", rendered from the rules above."""
    lines = ["| write family | commands (Ledger methods) | roles | area |", "|---|---|---|---|"]
    families: dict[str, list[str]] = {}
    for command, rule in WRITES.items():
        families.setdefault(rule.family, []).append(command)
    for family, commands in families.items():
        rule = WRITES[commands[0]]
        names = ", ".join(f"`{c}`" for c in commands)
        lines.append(f"| {family} | {names} | {_who(rule.roles)} | {rule.area} |")
    lines += ["", "| read family | GraphQL fields | roles | area |", "|---|---|---|---|"]
    for family, read in READS.items():
        names = ", ".join(f"`{f}`" for f in read.fields)
        lines.append(f"| {family} | {names} | {_who(read.roles)} | {read.area} |")
    return "\n".join(lines) + "\n"
