"""REST commands on care institutions and bed conversions (四床融合).

POST /api/v1/institutions and its steps; POST /api/v1/bed-conversions and its steps.
"""

from fastapi import APIRouter

from api.rest import institution_bodies as i
from api.rest.routing import Command, command_routes, create_route
from domain.ledger import Ledger

router = APIRouter(prefix="/api/v1", tags=["care institutions"])


create_route(
    router, "/institutions", i.FileInstitution, Ledger.file_institution,
    "File (备案) a care institution with its beds by type",
)  # fmt: skip
create_route(
    router, "/bed-conversions", i.ApplyConversion, Ledger.apply_bed_conversion,
    "Apply to convert beds of an institution from one type to another (四床融合)",
)  # fmt: skip

INSTITUTION_COMMANDS = [
    Command("grade", Ledger.award_institution_grade, i.Grade,
            "Award a grade 1-5 (养老机构等级评定), valid until a date"),
    Command("staff", Ledger.report_institution_staff, i.Staff,
            "Report caregivers and certified caregivers"),
    Command("fire-safety", Ledger.certify_fire_safety, i.FireSafety,
            "Record a fire-safety certificate"),
    Command("medical-capability", Ledger.record_medical_capability, i.MedicalCapability,
            "Record whether the institution has medical capability (医养结合)"),
]  # fmt: skip
CONVERSION_COMMANDS = [
    Command("inspection", Ledger.inspect_bed_conversion, i.Inspection,
            "Record a site inspection (at least two inspectors); a failed one may be repeated"),
    Command("approve", Ledger.approve_bed_conversion, i.Approval,
            "Approve (district): the institution's beds are reserved until completion"),
    Command("reject", Ledger.reject_bed_conversion, i.Rejection,
            "Reject (district), with reasons; an approved conversion's beds are released"),
    Command("complete", Ledger.complete_bed_conversion, i.Completion,
            "Complete: the institution's beds are reclassified (BedsReclassified)"),
    Command("subsidy", Ledger.pay_conversion_subsidy, i.Subsidy,
            "Record a subsidy paid for converted beds, at most once per bed"),
]  # fmt: skip
command_routes(router, "/institutions", INSTITUTION_COMMANDS)
command_routes(router, "/bed-conversions", CONVERSION_COMMANDS)
