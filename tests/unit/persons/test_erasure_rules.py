"""Erasure by key destruction (issue 8 item 4), on the in-memory ledger.

A person's data may be erased by the admin once no case needs it and the retention period
after the person's last case has passed; the event stays, the data reads as [erased].
"""

from __future__ import annotations

from uuid import UUID

import pytest
from builders import APPROVER, WORKER, application, person_id_for, walk_to_active
from helpers import ADMIN, events

from domain.ledger import Ledger
from domain.shared.errors import DomainError, Forbidden, NotFound
from domain.shared.person_record import person_record_id
from domain.shared.personal_data import ERASED, is_sealed
from domain.shared.values import Actor


def submitted(ledger: Ledger) -> tuple[str, str]:
    body = application(payee_account="6222020200112233445")
    case_id = ledger.submit_application(body, WORKER).id
    return str(case_id), person_id_for(body["members"][0]["id_number"])


def terminated(ledger: Ledger) -> tuple[str, str]:
    case_id, person = submitted(ledger)
    walk_to_active(ledger, UUID(case_id))
    ledger.terminate_benefit(
        UUID(case_id), APPROVER, occurred_on="2024-06-20", reason_code="voluntary",
        reason="本人申请退出", effective_month="2024-07",
    )  # fmt: skip
    return case_id, person


def erase(ledger: Ledger, person: str, on: str, actor: Actor = ADMIN) -> None:
    ledger.erase_personal_data(person, actor, legal_basis="PIPL Art. 47(1)", occurred_on=on)


def test_only_the_admin_may_erase(ledger: Ledger) -> None:
    _, person = terminated(ledger)
    for actor in (WORKER, APPROVER, Actor("auditor-1", "auditor", "审计")):
        with pytest.raises(Forbidden) as refused:
            erase(ledger, person, "2031-01-01", actor)
        assert refused.value.code == "role_not_allowed"


def test_erasure_is_refused_while_the_case_is_open_naming_the_rule_not_the_person(
    ledger: Ledger,
) -> None:
    case_id, person = submitted(ledger)
    with pytest.raises(DomainError) as refused:
        erase(ledger, person, "2031-01-01")
    assert refused.value.code == "erasure_case_active"
    assert person not in refused.value.message and case_id not in refused.value.message


def test_erasure_is_refused_inside_the_retention_period_after_the_last_case(
    ledger: Ledger,
) -> None:
    _, person = terminated(ledger)  # ended on 2024-06-20
    with pytest.raises(DomainError) as refused:
        erase(ledger, person, "2029-06-19")  # 5 years by default
    assert refused.value.code == "erasure_inside_retention"
    assert "privacy.retention_years" in refused.value.message


def test_the_retention_period_is_a_parameter(ledger: Ledger) -> None:
    _, person = terminated(ledger)
    ledger.set_parameter(
        "privacy.retention_years", 2, "2020-01-01", "local rule", ADMIN, "2024-01-02"
    )
    erase(ledger, person, "2026-06-20")
    assert ledger.personal.store.live_key(person) is None


def test_after_erasure_the_events_stay_and_their_personal_data_reads_as_erased(
    ledger: Ledger,
) -> None:
    case_id, person = terminated(ledger)
    before = len(list(ledger.events.get(UUID(case_id))))
    erase(ledger, person, "2029-06-20")

    submission = events(ledger, UUID(case_id), "ApplicationSubmitted")[0]
    assert submission.members[0]["personal"] == {"name": ERASED, "id_number": ERASED}
    assert submission.payee["personal"] == {"bank_account": ERASED}
    assert len(list(ledger.events.get(UUID(case_id)))) == before  # nothing removed
    assert ledger.get_case(UUID(case_id)).status == "terminated"  # and it still replays
    assert [type(e).__name__ for e in ledger.events.get(person_record_id(person))][-1] == (
        "PersonalDataErased"
    )


def test_a_value_sealed_before_erasure_never_opens_again(ledger: Ledger) -> None:
    _, person = terminated(ledger)
    sealed = ledger.personal.seal(person, "张三")
    assert is_sealed(sealed) and ledger.personal.open(sealed) == "张三"
    erase(ledger, person, "2029-06-20")
    ledger.personal.forget_cache()
    assert ledger.personal.open(sealed) == ERASED


def test_an_unknown_person_is_not_found(ledger: Ledger) -> None:
    with pytest.raises(NotFound):
        erase(ledger, person_id_for("11010519491231002X"), "2031-01-01")


def test_a_crash_between_the_event_and_the_key_destruction_is_finished_later(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, person = terminated(ledger)
    destroy = ledger.personal.erase

    def crash(*_: object, **__: object) -> list[str]:
        raise SystemExit("the process died here")

    monkeypatch.setattr(ledger.personal, "erase", crash)
    with pytest.raises(SystemExit):
        erase(ledger, person, "2029-06-20")
    assert ledger.personal.store.live_key(person) is not None  # the intent is recorded only
    monkeypatch.setattr(ledger.personal, "erase", destroy)

    erased = events(ledger, person_record_id(person), "PersonalDataErased")[0]
    ledger.finish_erasure(person, erased.key_ids)  # what the erasure process does
    assert ledger.personal.store.live_key(person) is None
