"""REST commands on temporary assistance (临时救助): POST /api/v1/temporary-cases and its steps."""

from fastapi import APIRouter

from api.rest import bodies as m
from api.rest import temporary_bodies as t
from api.rest.routing import Step, create_route, step_routes
from domain.ledger import Ledger

router = APIRouter(prefix="/api/v1", tags=["temporary assistance"])


create_route(
    router, "/temporary-cases", t.RequestHelp, Ledger.request_help,
    "Request temporary assistance (临时救助): EMERGENCY or EXPENDITURE",
)  # fmt: skip

TEMPORARY_COMMANDS: list[Step] = [
    ("advance-aid", "grant_advance_aid", t.AdvanceAid,
     "Grant advance aid to an EMERGENCY case, paid at once (先行救助)"),
    ("paperwork", "complete_paperwork", t.Paperwork,
     "Complete the paperwork after advance aid (late is allowed, and recorded)"),
    ("economic-check", "complete_economic_check", m.EconomicCheck,
     "Record the economic check of an EXPENDITURE case"),
    ("home-visits", "conduct_home_visit", m.HomeVisit,
     "Record a home visit of an EXPENDITURE case (at least two investigators)"),
    ("grant", "approve_grant", t.Grant,
     "Approve a grant: above the street's limit the district, above the cap a case conference"),
    ("deny", "deny", m.Denial, "Deny the request, with reasons"),
    ("close", "close", t.Closing, "Close the case after a grant, a denial or the paperwork"),
]  # fmt: skip
step_routes(router, "/temporary-cases", Ledger.change_temporary_case, TEMPORARY_COMMANDS)
