"""What bounds a temporary grant (DOMAIN.md 3.2): the cap, the street's limit, who decides.

Read by the case's commands (case_steps.py) and by the Ledger, which looks the parameters up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from domain.shared.parameters import InForce

#: Who decides at which level: a street caseworker, or the district's approver.
APPROVER_LEVELS = {"caseworker": "street", "approver": "district"}
CAP_PARAMETERS = ["temporary.cap_multiple", "dibao.standard", "temporary.street_limit_fen"]
PAPERWORK_PARAMETER = "temporary.paperwork_days"
#: Grants to one household within this many days count together against the cap (A13).
REPEAT_WINDOW_PARAMETER = "temporary.repeat_window_days"
REPEAT_WINDOW_DEFAULT_DAYS = 90


def yuan(fen: int) -> str:
    return f"{fen / 100:,.2f} yuan"


@dataclass(frozen=True)
class Limits:
    """The cap and the street's delegated limit in force on a date, with their versions."""

    cap_fen: int
    street_limit_fen: int
    cap_multiple: int
    standard_fen: int
    paperwork_days: int | None
    parameters: dict[str, str]

    @classmethod
    def from_parameters(cls, found: Mapping[str, InForce]) -> Limits:
        multiple, standard = found["temporary.cap_multiple"], found["dibao.standard"]
        paperwork = found.get(PAPERWORK_PARAMETER)
        return cls(
            cap_fen=multiple.value * standard.value,
            street_limit_fen=found["temporary.street_limit_fen"].value,
            cap_multiple=multiple.value,
            standard_fen=standard.value,
            paperwork_days=paperwork.value if paperwork else None,
            parameters={name: p.reference for name, p in sorted(found.items())},
        )


LimitsOn = Callable[[date], Limits]
