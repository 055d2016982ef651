"""REST commands on audit findings: acknowledge, rectify, dismiss (each with its reason)."""

# No `from __future__ import annotations`: FastAPI reads these annotations at import time.
from fastapi import APIRouter

from api.rest import routing
from api.rest.bodies import Command
from api.rest.routing import command_routes
from api.rest.text import Text
from domain.ledger import Ledger

router = APIRouter(prefix="/api/v1", tags=["audit findings"])


class Disposition(Command):
    reason: Text


command_routes(
    router,
    "/audit-findings",
    [
        routing.Command("acknowledge", Ledger.acknowledge_finding, Disposition,
                        "Acknowledge a raised finding (a caseworker or approver of its street)"),
        routing.Command("rectify", Ledger.rectify_finding, Disposition,
                        "Record an acknowledged finding as rectified, saying how (an approver)"),
        routing.Command("dismiss", Ledger.dismiss_finding, Disposition,
                        "Dismiss a finding raised by mistake (an auditor); it stays on file"),
    ],
)  # fmt: skip
