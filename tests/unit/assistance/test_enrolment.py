"""One person, one DIBAO or TEKUN place, and deaths known to the decision (issue 7), no I/O."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from builders import (
    APPROVER,
    PROCEDURE,
    WORKER,
    application,
    case_step,
    new_id_number,
    person_id_for,
)
from helpers import refused

from domain.assistance.enrolment import Enrolment, enrolment_id
from domain.deaths.notification import notification_id
from domain.ledger import Ledger
from domain.shared.errors import DomainError

NAME = "测试丙"


def member(id_number: str, relation: str = "self") -> dict[str, Any]:
    return {"name": NAME, "id_number": id_number, "relation": relation, "counted": True}


def ready(ledger: Ledger, programme: str, *id_numbers: str) -> UUID:
    """A case with the whole procedure done, waiting for the decision."""
    body = application(programme=programme, members=[member(i) for i in id_numbers])
    case_id = ledger.submit_application(body, WORKER).id
    for command, payload in PROCEDURE:
        case_step(ledger, case_id, command, payload, WORKER)
    return case_id


def confirm(ledger: Ledger, case_id: UUID, on: str = "2024-03-14") -> None:
    ledger.confirm_eligibility(case_id, APPROVER, occurred_on=on)


def terminate(ledger: Ledger, case_id: UUID, effective_month: str, on: str) -> None:
    payload = {"occurred_on": on, "reason_code": "income_above_standard",
               "reason": "member employed", "effective_month": effective_month}  # fmt: skip
    ledger.terminate_benefit(case_id, APPROVER, **payload)


def verified_death(ledger: Ledger, id_number: str, died: str, on: str) -> UUID:
    report = {"name": NAME, "id_number": id_number, "date_of_death": died,
              "source": "hospital", "occurred_on": on}  # fmt: skip
    key = ledger.report_death(report, WORKER).id
    ledger.verify_death(key, APPROVER, occurred_on=on, evidence="医学死亡证明")
    return key


def confirmed(ledger: Ledger, case_id: UUID) -> Any:
    return next(
        e for e in ledger.case_events(case_id) if type(e).__name__ == "EligibilityConfirmed"
    )


# -- the place is taken at confirmation, in the same save ---------------------------------------


def test_confirmation_takes_the_person_s_place_in_the_same_save(ledger: Ledger) -> None:
    person = new_id_number()
    case_id = ready(ledger, "DIBAO", person)

    confirm(ledger, case_id)

    enrolment = ledger.enrolment_of(person_id_for(person))
    assert enrolment.id == enrolment_id(person_id_for(person))
    assert (enrolment.holder, enrolment.first_paid_month) == (str(case_id), "2024-04")
    assert isinstance(ledger.repository.get(enrolment.id), Enrolment)


def test_second_confirmation_for_one_person_is_refused_naming_no_other_case(
    ledger: Ledger,
) -> None:
    person = new_id_number()
    first, second = ready(ledger, "DIBAO", person), ready(ledger, "TEKUN", person)
    confirm(ledger, first)

    with refused(ledger, "double_enrolment") as caught:
        confirm(ledger, second)
    error = caught.value

    assert "another active DIBAO or TEKUN case" in error.message
    assert str(first) not in error.message and first.hex not in error.message
    assert person not in error.message and NAME not in error.message
    assert ledger.get_case(second).status == "accepted"


# -- a future-dated termination keeps the place until its effective month --------------------


def test_a_case_confirmed_before_the_other_ends_is_paid_from_the_month_it_ends(
    ledger: Ledger,
) -> None:
    person = new_id_number()
    first, second = ready(ledger, "DIBAO", person), ready(ledger, "DIBAO", person)
    confirm(ledger, first)
    terminate(ledger, first, "2024-08", on="2024-05-06")

    confirm(ledger, second, on="2024-05-07")

    event = confirmed(ledger, second)
    assert event.first_paid_month == "2024-08"  # not 2024-06: July is still the first case's
    assert event.first_paid_deferred_by == str(first)
    assert ledger.get_case(second).benefit.first_month == "2024-08"
    assert ledger.enrolment_of(person_id_for(person)).holder == str(second)


def test_a_case_confirmed_after_the_other_ended_is_paid_from_the_month_after_the_decision(
    ledger: Ledger,
) -> None:
    person = new_id_number()
    first, second = ready(ledger, "DIBAO", person), ready(ledger, "DIBAO", person)
    confirm(ledger, first)
    terminate(ledger, first, "2024-05", on="2024-04-20")

    confirm(ledger, second, on="2024-05-07")

    event = confirmed(ledger, second)
    assert (event.first_paid_month, event.first_paid_deferred_by) == ("2024-06", None)


def test_a_termination_ends_the_place_at_its_effective_month(ledger: Ledger) -> None:
    person = new_id_number()
    case_id = ready(ledger, "TEKUN", person)
    confirm(ledger, case_id)

    terminate(ledger, case_id, "2024-08", on="2024-05-06")

    enrolment = ledger.enrolment_of(person_id_for(person))
    assert (enrolment.holder, enrolment.until_month) == (None, "2024-08")


def test_a_confirmation_stored_before_the_deferral_field_still_replays(ledger: Ledger) -> None:
    case_id = ready(ledger, "DIBAO", new_id_number())
    confirm(ledger, case_id)
    stored = [ledger.mapper.to_stored_event(e) for e in ledger.case_events(case_id)]
    at = next(i for i, s in enumerate(stored) if s.topic.endswith("EligibilityConfirmed"))
    old = stored[at]
    state = ledger.mapper.transcoder.decode(old.state)
    del state["first_paid_deferred_by"]
    stored[at] = type(old)(
        originator_id=old.originator_id, originator_version=old.originator_version,
        topic=old.topic, state=ledger.mapper.transcoder.encode(state),
    )  # fmt: skip

    events = [ledger.mapper.to_domain_event(s) for s in stored]
    case = None
    for e in events:
        case = e.mutate(case)

    assert case is not None and case.status == "active"
    assert case.benefit.first_month == "2024-04"  # the event class declares its default


# -- a death verified before the decision ---------------------------------------------------------


def test_confirmation_refused_after_verified_death(ledger: Ledger) -> None:
    person = new_id_number()
    case_id = ready(ledger, "DIBAO", person)
    verified_death(ledger, person, died="2024-03-10", on="2024-03-11")

    with refused(ledger, "member_deceased") as caught:
        confirm(ledger, case_id)
    error = caught.value

    assert "every counted member has a verified death" in error.message
    assert "2024-03-10" not in error.message  # a date of death is personal data
    assert person not in error.message and NAME not in error.message
    assert person_id_for(person) not in error.message
    assert ledger.get_case(case_id).status == "accepted"


def test_submission_refused_for_a_member_whose_death_is_verified(ledger: Ledger) -> None:
    parent, child = new_id_number(), new_id_number()
    verified_death(ledger, child, died="2024-02-20", on="2024-02-22")
    body = application(members=[member(parent), member(child, "child")])

    with refused(ledger, "member_deceased") as caught:
        ledger.submit_application(body, WORKER)
    error = caught.value

    assert error.field == "members.1"
    assert "member 2 has a verified death" in error.message
    assert "2024-02-20" not in error.message and child not in error.message


def test_confirmation_with_a_surviving_member_records_the_death_and_the_review(
    ledger: Ledger,
) -> None:
    parent, child = new_id_number(), new_id_number()
    case_id = ready(ledger, "DIBAO", parent, child)
    key = verified_death(ledger, parent, died="2024-03-10", on="2024-03-11")

    confirm(ledger, case_id)

    case = ledger.get_case(case_id)
    assert case.status == "active"
    assert case.benefit.deaths == {person_id_for(parent): "2024-03"}
    assert case.review_due_by == "2024-06-10"
    death = next(e for e in ledger.case_events(case_id) if hasattr(e, "notification_id"))
    assert death.notification_id == str(key) == str(notification_id(person_id_for(parent)))
    assert ledger.enrolment_of(person_id_for(child)).holder == str(case_id)
    assert ledger.enrolment_of(person_id_for(parent)).holder is None


def test_a_verification_records_the_death_on_the_enrolment_in_the_same_save(
    ledger: Ledger,
) -> None:
    person = new_id_number()
    verified_death(ledger, person, died="2024-03-10", on="2024-03-11")

    assert ledger.enrolment_of(person_id_for(person)).date_of_death == "2024-03-10"


def test_a_verification_between_loading_and_saving_makes_the_confirmation_conflict(
    ledger: Ledger,
) -> None:
    person = new_id_number()
    case_id = ready(ledger, "TEKUN", person)
    report = {"name": NAME, "id_number": person, "date_of_death": "2024-03-10",
              "source": "hospital", "occurred_on": "2024-03-11"}  # fmt: skip
    key = ledger.report_death(report, WORKER).id
    original = ledger.verified_death

    def read_then_verify(person_id: str, enrolment: Enrolment | None = None) -> str | None:
        found = original(person_id, enrolment)  # the confirmation read: no death yet...
        ledger.verified_death = original  # type: ignore[method-assign]
        ledger.verify_death(key, APPROVER, occurred_on="2024-03-12", evidence="证明")
        return found  # ...and the verification saved the person's Enrolment meanwhile

    ledger.verified_death = read_then_verify  # type: ignore[method-assign]
    with pytest.raises(DomainError) as caught:
        confirm(ledger, case_id)
    assert caught.value.code == "version_conflict"
    assert ledger.get_case(case_id).status == "accepted"

    with refused(ledger, "member_deceased") as caught:  # the retry
        confirm(ledger, case_id)


def test_a_verified_death_ends_a_tekun_place_with_the_case(ledger: Ledger) -> None:
    person = new_id_number()
    case_id = ready(ledger, "TEKUN", person)
    confirm(ledger, case_id)
    key = verified_death(ledger, person, died="2024-05-10", on="2024-05-12")

    assert ledger.apply_death_consequences(key, [case_id]) == [case_id]
    assert ledger.apply_death_consequences(key, [case_id]) == []  # idempotent

    enrolment = ledger.enrolment_of(person_id_for(person))
    assert ledger.get_case(case_id).benefit.terminated_from == "2024-06"
    assert (enrolment.holder, enrolment.until_month) == (None, "2024-06")


# -- a refusal is no oracle: it names the rule, never the person or the other case -------------


def test_resubmitting_an_enrolled_person_names_neither_the_person_nor_the_case(
    ledger: Ledger,
) -> None:
    person = new_id_number()
    first = ready(ledger, "DIBAO", person)
    confirm(ledger, first)

    with refused(ledger, "double_enrolment") as caught:
        ledger.submit_application(application(members=[member(person)]), WORKER)

    message = caught.value.message
    assert "another active DIBAO or TEKUN case" in message
    for secret in (person, person_id_for(person), str(first), first.hex, NAME):
        assert secret not in message
