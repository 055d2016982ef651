"""The pass threshold of a village's abolition vote (DOMAIN.md 3.6), exact in integers.

Read by VillageConversion.vote_abolition and by the Ledger, which looks the parameters up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from domain.shared.errors import DomainError
from domain.shared.parameters import InForce

#: The pass threshold, an exact fraction of the voters present (2 and 3: 三分之二以上).
NUMERATOR_PARAMETER = "village.pass_numerator"
DENOMINATOR_PARAMETER = "village.pass_denominator"
#: The threshold as it was first set, in permille: retired, its stored events still load.
PERMILLE_PARAMETER = "village.pass_threshold_permille"


@dataclass(frozen=True)
class PassThreshold:
    """Passed when votes_for / present >= numerator / denominator, compared in integers.

    以上 includes the number itself: at two thirds, 4 of 6 present pass and 1,333 of 2,000
    do not (66.65 %), which no permille can say: 667 refuses 4 of 6, 666 passes 1,333.
    """

    numerator: int
    denominator: int
    parameters: dict[str, str]  # parameter name -> the version in force (recorded on the vote)

    @classmethod
    def of(cls, numerator: InForce, denominator: InForce) -> PassThreshold:
        refs = {p.name: p.reference for p in (numerator, denominator)}
        found = cls(numerator.value, denominator.value, refs)
        if not (found.denominator > 0 and found.denominator < 2 * found.numerator
                and found.numerator <= found.denominator):  # fmt: skip
            raise DomainError(
                f"the pass threshold in force is {found.numerator}/{found.denominator}: it must "
                "be more than one half and at most one; fix the parameters before the vote",
                field=NUMERATOR_PARAMETER,
                code="parameter_invalid",
            )
        return found

    def passes(self, votes_for: int, present: int) -> bool:
        return votes_for * self.denominator >= self.numerator * present

    @property
    def permille(self) -> int:
        """For display only, rounded half up (2/3 shows as 667); `passes` decides."""
        return (self.numerator * 2000 + self.denominator) // (2 * self.denominator)


ThresholdOn = Callable[[date], PassThreshold]


def share_permille(votes_for: int, present: int) -> int:
    """The share of votes for among those present, in permille, rounded half up: for display.

    Rounded as a person reads a share: 200 of 300 is 666.7 ‰, so 667. Never compared: 1,333
    of 2,000 also shows 667 and fails at two thirds (PassThreshold.passes).
    """
    return (votes_for * 2000 + present) // (2 * present)
