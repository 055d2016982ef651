"""REST commands on social organisations (社会组织): POST /api/v1/organizations and its steps."""

from fastapi import APIRouter

from api.rest import organization_bodies as o
from api.rest.routing import Command, command_routes, create_route
from domain.ledger import Ledger

router = APIRouter(prefix="/api/v1", tags=["social organisations"])


create_route(
    router, "/organizations", o.RegisterOrganization, Ledger.register_organization,
    "Register a social organisation (社会组织成立登记)",
)  # fmt: skip

ORGANIZATION_COMMANDS = [
    Command("inspections", Ledger.conclude_organization_inspection, o.Inspection,
            "Record the annual inspection (年检) of a past year: pass, basic_pass or fail"),
    Command("grade", Ledger.confirm_organization_grade, o.Grade,
            "Confirm a grade 1A-5A, valid 5 years: after 2 full years and a passed inspection"),
    Command("grade/revoke", Ledger.revoke_organization_grade, o.Reasoned,
            "Revoke the grade in force, with a reason"),
    Command("liquidation", Ledger.start_liquidation, o.Reasoned, "Start the liquidation (清算)"),
    Command("deregister", Ledger.deregister_organization, o.Reasoned,
            "Deregister the organisation (注销登记), only after its liquidation"),
    Command("revoke", Ledger.revoke_registration, o.Reasoned,
            "Revoke the registration (撤销登记): two consecutive years missed or failed"),
]  # fmt: skip
command_routes(router, "/organizations", ORGANIZATION_COMMANDS)
