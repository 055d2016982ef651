"""REST commands on temporary assistance (临时救助): POST /api/v1/temporary-cases and its steps."""

from fastapi import APIRouter

from api.rest import bodies as m
from api.rest import temporary_bodies as t
from api.rest.routing import Command, command_routes, create_route
from domain.ledger import Ledger

router = APIRouter(prefix="/api/v1", tags=["temporary assistance"])


create_route(
    router, "/temporary-cases", t.RequestHelp, Ledger.request_help,
    "Request temporary assistance (临时救助): EMERGENCY or EXPENDITURE",
)  # fmt: skip

TEMPORARY_COMMANDS = [
    Command("advance-aid", Ledger.grant_advance_aid, t.AdvanceAid,
            "Grant advance aid to an EMERGENCY case, paid at once (先行救助)"),
    Command("paperwork", Ledger.complete_paperwork, t.Paperwork,
            "Complete the paperwork after advance aid (late is allowed, and recorded)"),
    Command("economic-check", Ledger.complete_temporary_economic_check, m.EconomicCheck,
            "Record the economic check of an EXPENDITURE case"),
    Command("home-visits", Ledger.record_temporary_home_visit, m.HomeVisit,
            "Record a home visit of an EXPENDITURE case (at least two investigators)"),
    Command("grant", Ledger.approve_temporary_grant, t.Grant,
            "Approve a grant: above the street's limit the district, above the cap a case "
            "conference"),
    Command("deny", Ledger.deny_temporary_aid, m.Denial, "Deny the request, with reasons"),
    Command("close", Ledger.close_temporary_case, t.Closing,
            "Close the case after a grant, a denial or the paperwork"),
]  # fmt: skip
command_routes(router, "/temporary-cases", TEMPORARY_COMMANDS)
