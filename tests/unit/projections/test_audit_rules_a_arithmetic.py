"""The pure parts of rules A03, A04 and A06: what counts as paid twice, overlapping, visited."""

from __future__ import annotations

from projections.audit.a03_duplicate_payment import excess_fen, paid_fen
from projections.audit.a04_double_enrolment import overlap
from projections.audit.a06_favouritism_risk import visit_problem


def payout(paid_times: int, amount: int = 100_000, recovered: int = 0) -> dict[str, int]:
    return {"paid_times": paid_times, "amount_fen": amount, "recovered_fen": recovered}


def test_a_month_paid_twice_is_paid_beyond_one_payment_until_it_is_recovered() -> None:
    assert excess_fen([payout(2)]) == 100_000
    assert excess_fen([payout(1), payout(1, 90_000)]) == 90_000
    assert excess_fen([payout(2, recovered=100_000)]) == 0
    assert excess_fen([payout(1), payout(0)]) == 0
    assert paid_fen([payout(1, recovered=100_000)]) == 0


def place(first: str, until: str | None) -> dict[str, str | None]:
    return {"first_month": first, "until_month": until}


def test_places_overlap_when_they_share_a_month_an_end_month_is_not_held() -> None:
    assert overlap(place("2024-04", None), place("2024-06", None))
    assert overlap(place("2024-04", "2024-07"), place("2024-06", None))
    assert not overlap(place("2024-04", "2024-06"), place("2024-06", None))
    assert not overlap(place("2024-04", "2024-04"), place("2024-04", None))  # never held


def facts(kin: bool = False, visits: tuple[str, ...] = (), objections: str | None = None) -> dict:
    return {"kin_of_staff": kin, "district_visits": list(visits), "objections_on": objections}


def test_the_district_visit_is_needed_for_staff_relatives_and_after_objections() -> None:
    assert visit_problem(facts()) is None
    assert visit_problem(facts(kin=True)) is not None
    assert visit_problem(facts(kin=True, visits=("2024-03-05",))) is None
    assert visit_problem(facts(visits=("2024-03-05",), objections="2024-03-13")) is not None
    assert visit_problem(facts(visits=("2024-03-13",), objections="2024-03-13")) is None
