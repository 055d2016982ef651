"""REST commands on death notifications (身后一件事): report, verify, retract."""

# No `from __future__ import annotations`: FastAPI reads these annotations at import time.
from fastapi import APIRouter

from api.rest.bodies import BusinessDate, Command, IdNumber
from api.rest.routing import create_route, step_routes
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
step_routes(
    router,
    "/death-notifications",
    Ledger.change_death,
    [
        ("verify", "verify", Verification,
         "Verify a reported death: every active case counting the person is then settled"),
        ("retract", "retract", Retraction, "Retract a report that has not been verified"),
    ],
)  # fmt: skip
