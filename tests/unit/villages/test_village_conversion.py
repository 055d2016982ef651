"""VillageConversion rules of DOMAIN.md 3.6 (撤村转居), through the in-memory Ledger.

Every refusal also checks that nothing was recorded: the conversion's version and the
ledger's last position stay where they were.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from typing import Any
from uuid import UUID

import pytest
from helpers import ADMIN, events, last_event, names, refused

from domain.ledger import CommandResult, Ledger
from domain.shared.errors import InvalidInput, NotFound, StaleVersion
from domain.shared.ledger_base import IdempotencyRecord
from domain.shared.parameters import ParameterSchedule
from domain.shared.values import Actor
from domain.villages.conversion import VillageConversion, conversion_id, share_permille

OFFICE = Actor("xinzha-office", "caseworker", "新闸街道")
DISTRICT = Actor("district-civil-affairs", "approver", "钟楼区民政局")
NUMERATOR, DENOMINATOR = "village.pass_numerator", "village.pass_denominator"
RETIRED = "village.pass_threshold_permille"
TASKS = ["清产核资", "成员身份界定", "集体经济组织股份制改革", "村民会议表决撤村"]
QUORATE = {"eligible": 300, "present": 240, "votes_for": 200, "votes_against": 30}


# -- helpers ----------------------------------------------------------------------------------


def initiation(**overrides: Any) -> dict[str, Any]:
    return {
        "village": "庆丰村",
        "street": "新闸街道",
        "tasks": TASKS,
        "occurred_on": "2024-03-15",
        **overrides,
    }


def do(
    ledger: Ledger,
    conversion: UUID,
    command: str,
    *,
    expected_version: int | None = None,
    idempotency_key: str | None = None,
    **payload: Any,
) -> CommandResult:
    run = {
        "verify_assets": Ledger.verify_village_assets,
        "confirm_membership": Ledger.confirm_village_membership,
        "restructure_collective": Ledger.restructure_collective,
        "vote_abolition": Ledger.vote_village_abolition,
        "deregister_village": Ledger.deregister_village,
        "establish_residents_committee": Ledger.establish_residents_committee,
        "complete": Ledger.complete_village_conversion,
    }[command]
    actor = DISTRICT if command in ("deregister_village", "complete") else OFFICE
    return run(
        ledger, conversion, actor, **payload,
        expected_version=expected_version, idempotency_key=idempotency_key,
    )  # fmt: skip


def verify_assets(ledger: Ledger, conversion: UUID, on: str = "2024-06-20", **amounts: Any) -> None:
    body = {"assets_fen": 18_000_000_000, "liabilities_fen": 2_000_000_000,
            "net_assets_fen": 16_000_000_000, **amounts}  # fmt: skip
    do(ledger, conversion, "verify_assets", occurred_on=on, **body)


def confirm_membership(
    ledger: Ledger, conversion: UUID, on: str = "2024-07-10", members: Any = 1486
) -> None:
    do(ledger, conversion, "confirm_membership", occurred_on=on, members=members)


def restructure(
    ledger: Ledger, conversion: UUID, on: str = "2024-09-26", shareholders: int = 1486
) -> None:
    do(ledger, conversion, "restructure_collective", occurred_on=on,
       entity_name="庆丰股份经济合作社", shareholders=shareholders)  # fmt: skip


def vote(ledger: Ledger, conversion: UUID, on: str = "2024-11-18", **counts: Any) -> CommandResult:
    return do(ledger, conversion, "vote_abolition", occurred_on=on, **{**QUORATE, **counts})


# -- fixtures, named after the state they build -------------------------------------------------


@pytest.fixture
def ledger(ledger: Ledger) -> Ledger:
    """The shared test district, deciding by two thirds from 2024 and three quarters from 2026
    (a later local decision)."""
    set_threshold(ledger, 2, 3, "2024-01-01")
    set_threshold(ledger, 3, 4, "2026-01-01")
    return ledger


def set_threshold(ledger: Ledger, numerator: int, denominator: int, start: str) -> None:
    for name, value in ((NUMERATOR, numerator), (DENOMINATOR, denominator)):
        reason = f"村民会议 {numerator}/{denominator}"
        ledger.set_parameter(name, value, start, reason, ADMIN, start)


@pytest.fixture
def initiated(ledger: Ledger) -> UUID:
    return ledger.initiate_village_conversion(initiation(), OFFICE).id


@pytest.fixture
def surveyed(ledger: Ledger, initiated: UUID) -> UUID:
    """Assets verified and membership confirmed."""
    verify_assets(ledger, initiated)
    confirm_membership(ledger, initiated)
    return initiated


@pytest.fixture
def restructured(ledger: Ledger, surveyed: UUID) -> UUID:
    restructure(ledger, surveyed)
    return surveyed


@pytest.fixture
def voted(ledger: Ledger, restructured: UUID) -> UUID:
    """The abolition passed."""
    vote(ledger, restructured)
    return restructured


@pytest.fixture
def deregistered(ledger: Ledger, voted: UUID) -> UUID:
    do(
        ledger,
        voted,
        "deregister_village",
        occurred_on="2025-01-10",
        decision_ref="钟政复〔2025〕3号",
    )
    return voted


@pytest.fixture
def committee(ledger: Ledger, deregistered: UUID) -> UUID:
    do(ledger, deregistered, "establish_residents_committee", occurred_on="2025-03-01",
       committee_name="庆丰社区居民委员会")  # fmt: skip
    return deregistered


@pytest.fixture
def completed(ledger: Ledger, committee: UUID) -> UUID:
    do(ledger, committee, "complete", occurred_on="2025-06-30", summary="全部完成")
    return committee


# -- the whole conversion -----------------------------------------------------------------------


def test_a_village_becomes_a_residents_community_step_by_step(
    ledger: Ledger, completed: UUID
) -> None:
    assert ledger.get_village_conversion(completed).status == "completed"
    assert names(ledger, completed) == [
        "ConversionInitiated", "AssetsVerified", "MembershipConfirmed", "CollectiveRestructured",
        "AbolitionVoted", "VillageDeregistered", "ResidentsCommitteeEstablished",
        "ConversionCompleted",
    ]  # fmt: skip


def test_the_initiation_records_village_street_and_tasks(ledger: Ledger, initiated: UUID) -> None:
    done = last_event(ledger, initiated, "ConversionInitiated")

    assert (done.village, done.street, done.tasks) == ("庆丰村", "新闸街道", TASKS)
    assert done.actor == OFFICE.as_dict()
    assert initiated == conversion_id("320404", "新闸街道", "庆丰村")


def test_a_village_is_converted_once(ledger: Ledger, initiated: UUID) -> None:
    with refused(ledger, "already_initiated", aggregate_id=initiated):
        ledger.initiate_village_conversion(initiation(occurred_on="2024-05-01"), OFFICE)


@pytest.mark.parametrize(
    ("change", "field"),
    [({"tasks": []}, "tasks"), ({"tasks": ["清产核资", "清产核资"]}, "tasks"),
     ({"tasks": ["清产核资", " "]}, "tasks.1"), ({"village": ""}, "village"),
     ({"street": " "}, "street"), ({"occurred_on": "2024-13-01"}, "occurred_on")],
)  # fmt: skip
def test_a_bad_initiation_is_refused_naming_the_field(
    ledger: Ledger, change: dict[str, Any], field: str
) -> None:
    with refused(ledger, "invalid_input", InvalidInput) as caught:  # the district may
        ledger.initiate_village_conversion(initiation(**change), DISTRICT)

    assert caught.value.field == field


# -- the surveys: assets (清产核资) and membership (成员认定) ------------------------------------


def test_the_assets_record_the_totals(ledger: Ledger, initiated: UUID) -> None:
    verify_assets(ledger, initiated)

    done = last_event(ledger, initiated, "AssetsVerified")
    assert (done.assets_fen, done.liabilities_fen, done.net_assets_fen) == (
        18_000_000_000, 2_000_000_000, 16_000_000_000,
    )  # fmt: skip


def test_net_assets_are_assets_minus_liabilities(ledger: Ledger, initiated: UUID) -> None:
    with refused(ledger, "invalid_input", InvalidInput, aggregate_id=initiated) as caught:
        verify_assets(ledger, initiated, net_assets_fen=16_000_000_001)

    assert caught.value.field == "net_assets_fen"


def test_net_assets_may_be_negative(ledger: Ledger, initiated: UUID) -> None:
    verify_assets(ledger, initiated, assets_fen=100, liabilities_fen=300, net_assets_fen=-200)

    assert last_event(ledger, initiated, "AssetsVerified").net_assets_fen == -200


@pytest.mark.parametrize("field", ["assets_fen", "liabilities_fen"])
def test_asset_totals_are_whole_fen_not_negative(
    ledger: Ledger, initiated: UUID, field: str
) -> None:
    with refused(ledger, "invalid_input", InvalidInput, aggregate_id=initiated) as caught:
        verify_assets(ledger, initiated, **{field: -1})

    assert caught.value.field == field


def test_assets_and_membership_are_recorded_once(ledger: Ledger, surveyed: UUID) -> None:
    with refused(ledger, "already_recorded", aggregate_id=surveyed):
        verify_assets(ledger, surveyed, on="2024-08-01")
    with refused(ledger, "already_recorded", aggregate_id=surveyed):
        confirm_membership(ledger, surveyed, on="2024-08-01")


@pytest.mark.parametrize("members", [0, -3, 1.5, True])
def test_the_membership_counts_at_least_one_member(
    ledger: Ledger, initiated: UUID, members: Any
) -> None:
    with refused(ledger, "invalid_input", InvalidInput, aggregate_id=initiated) as caught:
        confirm_membership(ledger, initiated, members=members)

    assert caught.value.field == "members"


def test_membership_may_come_before_the_assets(ledger: Ledger, initiated: UUID) -> None:
    confirm_membership(ledger, initiated, on="2024-05-01")
    verify_assets(ledger, initiated, on="2024-06-01")
    restructure(ledger, initiated)

    assert ledger.get_village_conversion(initiated).status == "restructured"


# -- restructuring ------------------------------------------------------------------------------


def test_restructuring_needs_both_surveys(ledger: Ledger, initiated: UUID) -> None:
    verify_assets(ledger, initiated)

    with refused(ledger, "procedure_incomplete", aggregate_id=initiated) as caught:
        restructure(ledger, initiated)

    assert "membership" in caught.value.message and "assets" not in caught.value.message


def test_shareholders_cannot_outnumber_the_members(ledger: Ledger, surveyed: UUID) -> None:
    with refused(ledger, "invalid_input", InvalidInput, aggregate_id=surveyed) as caught:
        restructure(ledger, surveyed, shareholders=1487)

    assert caught.value.field == "shareholders"


# -- the abolition vote -------------------------------------------------------------------------


def test_no_vote_before_the_assets_and_the_membership(ledger: Ledger, initiated: UUID) -> None:
    with refused(ledger, "procedure_incomplete", aggregate_id=initiated) as caught:
        vote(ledger, initiated)

    assert "assets" in caught.value.message and "membership" in caught.value.message


def test_no_vote_before_the_restructuring(ledger: Ledger, surveyed: UUID) -> None:
    with refused(ledger, "procedure_incomplete", aggregate_id=surveyed) as caught:
        vote(ledger, surveyed)

    assert "restructured" in caught.value.message


def test_a_passed_vote_records_counts_threshold_and_parameter_version(
    ledger: Ledger, voted: UUID
) -> None:
    done = last_event(ledger, voted, "AbolitionVoted")

    assert (done.eligible, done.present, done.votes_for, done.votes_against) == (300, 240, 200, 30)
    assert done.share_permille == 833
    assert (done.pass_numerator, done.pass_denominator, done.passed) == (2, 3, True)
    assert done.threshold_permille == 667  # for display only
    assert done.parameters == {NUMERATOR: f"{NUMERATOR}@v2", DENOMINATOR: f"{DENOMINATOR}@v2"}
    assert ledger.get_village_conversion(voted).status == "abolition_passed"


def test_a_vote_without_quorum_is_refused_and_not_recorded(
    ledger: Ledger, restructured: UUID
) -> None:
    with refused(ledger, "no_quorum", aggregate_id=restructured) as caught:
        vote(ledger, restructured, present=150, votes_for=150, votes_against=0)  # half is not more

    assert caught.value.field == "present"
    vote(ledger, restructured, present=151, votes_for=150, votes_against=0)


def test_exactly_two_thirds_of_those_present_pass(ledger: Ledger, restructured: UUID) -> None:
    vote(ledger, restructured, eligible=400, present=300, votes_for=200, votes_against=100)

    done = last_event(ledger, restructured, "AbolitionVoted")
    assert (done.share_permille, done.passed) == (667, True)


def test_a_vote_below_the_threshold_is_recorded_as_failed(
    ledger: Ledger, restructured: UUID
) -> None:
    vote(ledger, restructured, eligible=400, present=300, votes_for=199, votes_against=101)

    done = last_event(ledger, restructured, "AbolitionVoted")
    assert (done.share_permille, done.passed) == (663, False)
    assert ledger.get_village_conversion(restructured).status == "restructured"


def test_a_failed_vote_may_be_held_again(ledger: Ledger, restructured: UUID) -> None:
    vote(ledger, restructured, votes_for=100, votes_against=140)
    vote(ledger, restructured, on="2025-03-20")

    votes = [e for e in events(ledger, restructured) if type(e).__name__ == "AbolitionVoted"]
    assert [v.passed for v in votes] == [False, True]


def test_no_vote_after_a_passed_one(ledger: Ledger, voted: UUID) -> None:
    with refused(ledger, "wrong_status", aggregate_id=voted):
        vote(ledger, voted, on="2025-01-01")


def test_the_threshold_is_the_one_in_force_on_the_vote_date(
    ledger: Ledger, restructured: UUID
) -> None:
    # 721 per thousand passes at two thirds (2024-2025) but not at three quarters (2026).
    vote(ledger, restructured, on="2026-02-01", votes_for=173, votes_against=60)

    done = last_event(ledger, restructured, "AbolitionVoted")
    assert (done.share_permille, done.threshold_permille, done.passed) == (721, 750, False)
    assert (done.pass_numerator, done.pass_denominator) == (3, 4)
    assert done.parameters == {NUMERATOR: f"{NUMERATOR}@v3", DENOMINATOR: f"{DENOMINATOR}@v3"}


@pytest.mark.parametrize(
    ("counts", "field"),
    [({"present": 301}, "present"), ({"votes_for": 200, "votes_against": 41}, "votes_for"),
     ({"eligible": 0, "present": 0, "votes_for": 0, "votes_against": 0}, "eligible"),
     ({"votes_against": -1}, "votes_against"), ({"present": "240"}, "present")],
)  # fmt: skip
def test_vote_counts_must_add_up(
    ledger: Ledger, restructured: UUID, counts: dict[str, Any], field: str
) -> None:
    with refused(ledger, "invalid_input", InvalidInput, aggregate_id=restructured) as caught:
        vote(ledger, restructured, **counts)

    assert caught.value.field == field


def test_without_the_threshold_parameter_no_vote_is_recorded() -> None:
    ledger = Ledger()
    conversion = ledger.initiate_village_conversion(initiation(), OFFICE).id
    verify_assets(ledger, conversion)
    confirm_membership(ledger, conversion)
    restructure(ledger, conversion)

    with refused(ledger, "parameter_missing", aggregate_id=conversion):
        vote(ledger, conversion)


@pytest.mark.parametrize(
    ("eligible", "present", "votes_for", "passed"),
    [(2500, 2000, 1333, False), (2500, 2000, 1334, True), (6, 6, 4, True), (6, 6, 3, False),
     (11, 6, 4, True), (3000, 2000, 1333, False)],
    ids=["1333-of-2000-is-66.65%", "1334-of-2000", "4-of-6-is-two-thirds", "3-of-6",
         "4-of-6-present-of-11", "1333-of-2000-of-3000"],
)  # fmt: skip
def test_two_thirds_of_those_present_is_compared_exactly(
    ledger: Ledger, restructured: UUID, eligible: int, present: int, votes_for: int, passed: bool
) -> None:
    vote(ledger, restructured, eligible=eligible, present=present, votes_for=votes_for,
         votes_against=present - votes_for)  # fmt: skip

    done = last_event(ledger, restructured, "AbolitionVoted")
    assert done.passed is passed
    assert (ledger.get_village_conversion(restructured).status == "abolition_passed") is passed


def test_1333_of_2000_shows_as_667_permille_yet_fails_at_two_thirds(
    ledger: Ledger, restructured: UUID
) -> None:
    vote(ledger, restructured, eligible=2500, present=2000, votes_for=1333, votes_against=667)

    done = last_event(ledger, restructured, "AbolitionVoted")
    assert (done.share_permille, done.threshold_permille, done.passed) == (667, 667, False)


def test_the_base_is_those_present_so_abstentions_count_against(
    ledger: Ledger, restructured: UUID
) -> None:
    # 199 of the 249 votes cast would be 80 %; of the 300 present it is under two thirds.
    vote(ledger, restructured, eligible=400, present=300, votes_for=199, votes_against=50)

    assert last_event(ledger, restructured, "AbolitionVoted").passed is False


def test_a_quorum_is_more_than_half_of_those_eligible(ledger: Ledger, restructured: UUID) -> None:
    with refused(ledger, "no_quorum", aggregate_id=restructured):
        vote(ledger, restructured, eligible=2000, present=1000, votes_for=1000, votes_against=0)
    vote(ledger, restructured, eligible=2000, present=1001, votes_for=1000, votes_against=0)

    assert last_event(ledger, restructured, "AbolitionVoted").passed is True


@pytest.mark.parametrize(("numerator", "denominator"), [(1, 2), (2, 5), (4, 3)])
def test_a_threshold_of_half_or_less_or_above_one_refuses_the_vote(
    restructured: UUID, ledger: Ledger, numerator: int, denominator: int
) -> None:
    set_threshold(ledger, numerator, denominator, "2024-06-01")

    with refused(ledger, "parameter_invalid", aggregate_id=restructured) as caught:
        vote(ledger, restructured)

    assert f"{numerator}/{denominator}" in caught.value.message


def test_a_threshold_of_one_needs_everyone_present(ledger: Ledger, restructured: UUID) -> None:
    set_threshold(ledger, 1, 1, "2024-06-01")
    vote(ledger, restructured, present=240, votes_for=239, votes_against=1)
    vote(ledger, restructured, on="2024-11-19", present=240, votes_for=240, votes_against=0)

    votes = [e for e in events(ledger, restructured) if type(e).__name__ == "AbolitionVoted"]
    assert [v.passed for v in votes] == [False, True]


def retired_threshold_ledger() -> Ledger:
    """A ledger that stored the permille threshold before the fraction existed."""
    ledger = Ledger()
    schedule = ParameterSchedule(ledger.district, RETIRED, ADMIN.as_dict(), "2023-12-20")
    schedule.trigger_event(
        ParameterSchedule.ParameterSet, value=667, effective_from="2024-01-01",
        reason="江苏实践 2/3", actor=ADMIN.as_dict(), occurred_on="2023-12-20",
    )  # fmt: skip
    ledger.save(schedule)
    return ledger


def test_the_retired_permille_parameter_still_loads_but_cannot_be_set() -> None:
    ledger = retired_threshold_ledger()

    found = ledger.parameters_in_force([RETIRED], date(2024, 11, 18))[RETIRED]
    assert (found.value, found.reference) == (667, f"{RETIRED}@v2")
    with pytest.raises(InvalidInput) as caught:
        ledger.set_parameter(RETIRED, 667, "2025-01-01", "again", ADMIN, "2024-12-20")
    assert caught.value.field == "name"


def test_with_only_the_retired_permille_the_vote_asks_for_the_fraction() -> None:
    ledger = retired_threshold_ledger()
    conversion = ledger.initiate_village_conversion(initiation(), OFFICE).id
    verify_assets(ledger, conversion)
    confirm_membership(ledger, conversion)
    restructure(ledger, conversion)

    with refused(ledger, "parameter_missing", aggregate_id=conversion) as caught:
        vote(ledger, conversion)

    assert NUMERATOR in caught.value.message and DENOMINATOR in caught.value.message
    set_threshold(ledger, 2, 3, "2024-01-01")
    vote(ledger, conversion)
    assert ledger.get_village_conversion(conversion).status == "abolition_passed"


def test_a_vote_stored_before_the_fraction_still_replays(ledger: Ledger, voted: UUID) -> None:
    stored = [ledger.mapper.to_stored_event(e) for e in events(ledger, voted)]
    old = []
    for record in stored:
        state = json.loads(record.state)
        if record.topic.endswith("AbolitionVoted"):
            del state["pass_numerator"], state["pass_denominator"]
            record = dataclasses.replace(record, state=json.dumps(state).encode())
        old.append(ledger.mapper.to_domain_event(record))

    replayed = None
    for event in old:
        replayed = event.mutate(replayed)
    assert isinstance(replayed, VillageConversion)
    assert replayed.status == "abolition_passed"
    assert not hasattr(old[-1], "pass_numerator") or old[-1].pass_numerator == 0


def test_shares_are_rounded_half_up_to_the_permille() -> None:
    assert share_permille(200, 300) == 667  # 666.67
    assert share_permille(1, 2000) == 1  # 0.5
    assert share_permille(1, 2001) == 0  # 0.49...
    assert share_permille(5, 5) == 1000


# -- after the vote -----------------------------------------------------------------------------


def test_the_village_is_deregistered_only_after_a_passed_vote(
    ledger: Ledger, restructured: UUID
) -> None:
    vote(ledger, restructured, votes_for=100, votes_against=140)

    with refused(ledger, "vote_not_passed", aggregate_id=restructured):
        do(ledger, restructured, "deregister_village", occurred_on="2025-01-10", decision_ref="x")


def test_deregistration_needs_the_approval_reference(ledger: Ledger, voted: UUID) -> None:
    with refused(ledger, "invalid_input", InvalidInput, aggregate_id=voted) as caught:
        do(ledger, voted, "deregister_village", occurred_on="2025-01-10", decision_ref=" ")

    assert caught.value.field == "decision_ref"


def test_the_residents_committee_follows_the_deregistration(ledger: Ledger, voted: UUID) -> None:
    with refused(ledger, "wrong_status", aggregate_id=voted):
        do(ledger, voted, "establish_residents_committee", occurred_on="2025-03-01",
           committee_name="庆丰社区居民委员会")  # fmt: skip


def test_completion_follows_the_residents_committee(ledger: Ledger, deregistered: UUID) -> None:
    with refused(ledger, "wrong_status", aggregate_id=deregistered):
        do(ledger, deregistered, "complete", occurred_on="2025-06-30")


@pytest.mark.parametrize(
    ("command", "payload"),
    [
        ("verify_assets", {"assets_fen": 1, "liabilities_fen": 0, "net_assets_fen": 1}),
        ("confirm_membership", {"members": 3}),
        ("vote_abolition", QUORATE),
        ("deregister_village", {"decision_ref": "x"}),
        ("establish_residents_committee", {"committee_name": "x"}),
        ("complete", {}),
    ],
)
def test_nothing_is_recorded_after_completion(
    ledger: Ledger, completed: UUID, command: str, payload: dict[str, Any]
) -> None:
    with refused(ledger, "wrong_status", aggregate_id=completed):
        do(ledger, completed, command, occurred_on="2025-07-01", **payload)


def test_the_shared_guards_speak_of_the_conversion(ledger: Ledger, deregistered: UUID) -> None:
    with refused(ledger, "wrong_status", aggregate_id=deregistered) as caught:
        do(ledger, deregistered, "complete", occurred_on="2025-06-30")

    assert caught.value.message == (
        "cannot complete the conversion: the conversion is deregistered "
        "(needs committee_established)"
    )


def test_steps_cannot_be_dated_before_the_last_step(ledger: Ledger, surveyed: UUID) -> None:
    with refused(ledger, "invalid_input", InvalidInput, aggregate_id=surveyed) as caught:
        restructure(ledger, surveyed, on="2024-07-09")  # membership confirmed on 2024-07-10

    assert caught.value.field == "occurred_on"


# -- the Ledger's plumbing ------------------------------------------------------------------------


def test_no_village_step_is_run_by_name() -> None:
    """Each step is its own typed Ledger method: no command name reaches the aggregate."""
    for dispatcher in ("change_village_conversion", "run_named"):
        assert not hasattr(Ledger, dispatcher)
    assert callable(Ledger.vote_village_abolition)


def test_a_stale_version_is_refused(ledger: Ledger, surveyed: UUID) -> None:
    with refused(ledger, "stale_version", StaleVersion, aggregate_id=surveyed):
        do(ledger, surveyed, "restructure_collective", expected_version=2,
           occurred_on="2024-09-26", entity_name="x", shareholders=1)  # fmt: skip


def test_a_retry_with_the_same_idempotency_key_records_nothing_new(
    ledger: Ledger, restructured: UUID
) -> None:
    first = do(ledger, restructured, "vote_abolition", idempotency_key="v-1",
               occurred_on="2024-11-18", **QUORATE)  # fmt: skip
    again = do(ledger, restructured, "vote_abolition", idempotency_key="v-1",
               occurred_on="2024-11-18", **QUORATE)  # fmt: skip

    assert (again.id, again.version) == (first.id, first.version)
    assert ledger.get_village_conversion(restructured).version == first.version


def test_an_initiation_retried_with_its_key_opens_one_conversion(ledger: Ledger) -> None:
    first = ledger.initiate_village_conversion(initiation(), OFFICE, idempotency_key="i-1")
    again = ledger.initiate_village_conversion(initiation(), OFFICE, idempotency_key="i-1")

    assert (again.id, again.version) == (first.id, first.version)
    assert ledger.get_village_conversion(first.id).version == 1


def test_an_unknown_conversion_is_not_found(ledger: Ledger) -> None:
    with pytest.raises(NotFound):
        do(ledger, UUID(int=9), "complete", occurred_on="2025-01-01")


def test_a_typed_step_keeps_the_fingerprint_of_the_step_run_by_name(
    ledger: Ledger, restructured: UUID
) -> None:
    """An Idempotency-Key used before the typed methods still matches its retry."""
    do(ledger, restructured, "vote_abolition", idempotency_key="v-1", occurred_on="2024-11-18",
       **QUORATE)  # fmt: skip

    record = ledger.repository.get(IdempotencyRecord.create_id(OFFICE.user, "v-1"))
    payload = {"occurred_on": "2024-11-18", **QUORATE}
    assert record.fingerprint == ledger.fingerprint(
        "village conversion:vote_abolition", str(restructured), payload
    )
