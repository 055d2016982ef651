"""REST commands on village conversions (撤村转居): POST /api/v1/village-conversions, steps."""

from fastapi import APIRouter

from api.rest import village_bodies as v
from api.rest.routing import Step, create_route, step_routes
from domain.ledger import Ledger

router = APIRouter(prefix="/api/v1", tags=["village conversions"])


create_route(
    router, "/village-conversions", v.InitiateConversion, Ledger.initiate_village_conversion,
    "Initiate a village conversion (撤村转居), one per village",
)  # fmt: skip

VILLAGE_COMMANDS: list[Step] = [
    ("assets", "verify_assets", v.AssetsVerification,
     "Record the asset verification totals (清产核资)"),
    ("membership", "confirm_membership", v.MembershipConfirmation,
     "Confirm the members of the collective (成员认定)"),
    ("restructure", "restructure_collective", v.Restructuring,
     "Restructure the collective, after the assets and the membership"),
    ("vote", "vote_abolition", v.AbolitionVote,
     "Record the abolition vote: quorum more than half of those eligible; passed when the "
     "votes for reach the fraction in force (village.pass_numerator/denominator) of those "
     "present, compared exactly"),
    ("deregister", "deregister_village", v.VillageDeregistration,
     "Deregister the village, only after a passed vote"),
    ("residents-committee", "establish_residents_committee", v.ResidentsCommittee,
     "Establish the residents' committee (社区居民委员会)"),
    ("complete", "complete", v.Completion, "Complete the conversion"),
]  # fmt: skip
step_routes(router, "/village-conversions", Ledger.change_village_conversion, VILLAGE_COMMANDS)
