"""REST commands on village conversions (撤村转居): POST /api/v1/village-conversions, steps."""

from fastapi import APIRouter

from api.rest import village_bodies as v
from api.rest.routing import Command, command_routes, create_route
from domain.ledger import Ledger

router = APIRouter(prefix="/api/v1", tags=["village conversions"])


create_route(
    router, "/village-conversions", v.InitiateConversion, Ledger.initiate_village_conversion,
    "Initiate a village conversion (撤村转居), one per village",
)  # fmt: skip

VILLAGE_COMMANDS = [
    Command("assets", Ledger.verify_village_assets, v.AssetsVerification,
            "Record the asset verification totals (清产核资)"),
    Command("membership", Ledger.confirm_village_membership, v.MembershipConfirmation,
            "Confirm the members of the collective (成员认定)"),
    Command("restructure", Ledger.restructure_collective, v.Restructuring,
            "Restructure the collective, after the assets and the membership"),
    Command("vote", Ledger.vote_village_abolition, v.AbolitionVote,
            "Record the abolition vote: quorum more than half of those eligible; passed when "
            "the votes for reach the fraction in force (village.pass_numerator/denominator) of "
            "those present, compared exactly"),
    Command("deregister", Ledger.deregister_village, v.VillageDeregistration,
            "Deregister the village, only after a passed vote"),
    Command("residents-committee", Ledger.establish_residents_committee, v.ResidentsCommittee,
            "Establish the residents' committee (社区居民委员会)"),
    Command("complete", Ledger.complete_village_conversion, v.Completion,
            "Complete the conversion"),
]  # fmt: skip
command_routes(router, "/village-conversions", VILLAGE_COMMANDS)
