"""REST commands on death notifications (身后一件事): report, verify, retract."""

# No `from __future__ import annotations`: FastAPI reads these annotations at import time.
from fastapi import APIRouter

from api.rest import routing
from api.rest.bodies import BusinessDate, Command, IdNumber
from api.rest.routing import command_routes, create_route
from api.rest.text import ShortText, Text
from domain.ledger import Ledger
from domain.shared.vocabulary import DeathSource

router = APIRouter(prefix="/api/v1", tags=["death notifications"])


class DeathReport(Command):
    name: ShortText
    id_number: IdNumber
    date_of_death: BusinessDate
    source: DeathSource


class Verification(Command):
    evidence: Text


class Retraction(Command):
    reason: Text


create_route(
    router, "/death-notifications", DeathReport, Ledger.report_death,
    "Report a death (hospital, crematorium, police or family)",
)  # fmt: skip
command_routes(
    router,
    "/death-notifications",
    [
        routing.Command("verify", Ledger.verify_death, Verification,
                        "Verify a reported death: every active case counting the person is then "
                        "settled"),
        routing.Command("retract", Ledger.retract_death_report, Retraction,
                        "Retract a report that has not been verified"),
    ],
)  # fmt: skip
