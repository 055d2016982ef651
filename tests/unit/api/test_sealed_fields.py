"""A sealed view value is opened before it is shown or masked; an erased one reads [erased]."""

from __future__ import annotations

from api.permissions import Personal, redacted, shown
from domain.shared.key_store import InMemoryKeyStore
from domain.shared.personal_data import ERASED, PersonalData
from domain.shared.values import Actor

PERSON = "P" + "3" * 20


def actor(role: str) -> Actor:
    return Actor(f"{role}-1", role, "钟楼区")


def test_a_sealed_value_is_opened_then_shown_or_masked_by_role() -> None:
    personal = PersonalData(InMemoryKeyStore())
    sealed = personal.seal(PERSON, "张三丰")
    assert shown(sealed, Personal.NAME, actor("caseworker"), personal) == "张三丰"
    assert shown(sealed, Personal.NAME, actor("supervisor"), personal) == "张**"


def test_an_erased_value_reads_erased_for_every_role_never_a_mask() -> None:
    personal = PersonalData(InMemoryKeyStore())
    sealed = personal.seal(PERSON, "张三丰")
    personal.erase(PERSON)
    for role in ("caseworker", "approver", "supervisor", "auditor", "integrator", "admin"):
        assert shown(sealed, Personal.NAME, actor(role), personal) == ERASED
        data = {"members": [{"person_id": PERSON, "personal": {"name": ERASED}}]}
        assert redacted(data, actor(role))["members"][0]["personal"] == {"name": ERASED}


def test_a_sealed_value_with_nothing_to_open_it_is_never_shown_as_it_is() -> None:
    sealed = PersonalData(InMemoryKeyStore()).seal(PERSON, "张三丰")
    assert shown(sealed, Personal.NAME, actor("caseworker")) == ERASED
