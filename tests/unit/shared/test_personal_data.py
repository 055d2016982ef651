"""Per-person data keys: sealing, opening, erasure, the mapper and master-key rewrapping."""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from builders import WORKER, application
from helpers import events

from domain.ledger import Ledger
from domain.shared.key_store import InMemoryKeyStore, KeyUnavailable, StoredKey
from domain.shared.personal_data import ERASED, PersonalData, is_sealed

PERSON, OTHER = "P" + "1" * 20, "P" + "2" * 20


@pytest.fixture
def personal() -> PersonalData:
    return PersonalData(InMemoryKeyStore())


def test_a_sealed_value_says_its_key_and_opens_to_the_text(personal: PersonalData) -> None:
    sealed = personal.seal(PERSON, "张三丰")
    key_id, _ = personal.key_for(PERSON)
    assert sealed.startswith(f"sealed:v1:{key_id}:") and "张三丰" not in sealed
    assert personal.open(sealed) == "张三丰"
    assert personal.seal(PERSON, None) is None and personal.open("plain") == "plain"


def test_each_person_has_a_key_of_their_own(personal: PersonalData) -> None:
    assert personal.key_for(PERSON)[0] != personal.key_for(OTHER)[0]
    assert personal.seal(PERSON, "王五") != personal.seal(OTHER, "王五")
    assert personal.seal(PERSON, "王五") == personal.seal(PERSON, "王五")  # a rebuild is equal


def test_an_erased_persons_values_open_as_erased_and_others_still_open(
    personal: PersonalData,
) -> None:
    mine, theirs = personal.seal(PERSON, "张三"), personal.seal(OTHER, "李四")
    assert personal.erase(PERSON)
    assert personal.open(mine) == ERASED
    assert personal.open(theirs) == "李四"
    assert personal.seal(PERSON, ERASED) == ERASED  # a rebuilt view keeps [erased] as it is


def test_a_destroyed_key_is_forgotten_by_other_processes_after_the_cache_time() -> None:
    store, now = InMemoryKeyStore(), [0.0]
    writer = PersonalData(store)
    reader = PersonalData(store, cache_seconds=5, clock=lambda: now[0])
    sealed = writer.seal(PERSON, "张三")
    assert reader.open(sealed) == "张三"
    writer.erase(PERSON)
    now[0] = 6.0
    assert reader.open(sealed) == ERASED


class CountingStore(InMemoryKeyStore):
    """The in-memory key table, counting its reads."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    def get(self, key_id: str) -> StoredKey | None:
        self.reads += 1
        return super().get(key_id)

    def get_many(self, key_ids: Iterable[str]) -> list[StoredKey]:
        self.reads += 1
        return super().get_many(key_ids)


def test_many_events_open_with_one_read_of_the_key_table_and_erased_ones_stay_erased() -> None:
    store = CountingStore()
    writer = PersonalData(store)
    people = [f"P{i:020d}" for i in range(50)]
    states = [
        {"person_id": p, "personal": {"name": f"名{i}", "id_number": None}, "n": i}
        for i, p in enumerate(people)
    ]
    sealed = [writer.seal_blocks(s) for s in states]
    writer.erase(people[7])
    reader = PersonalData(store)
    store.reads = 0
    opened = reader.open_many_blocks([{"nested": [s]} for s in sealed])
    assert store.reads == 1  # fifty people's keys in one read, not fifty
    assert [o["nested"][0] for o in opened if o["nested"][0]["n"] != 7] == [
        s for s in states if s["n"] != 7
    ]
    assert opened[7]["nested"][0]["personal"]["name"] == ERASED
    assert reader.open_many_blocks([s for s in sealed]) and store.reads == 1  # now cached


def test_a_block_without_a_person_is_refused_rather_than_stored_plain(
    personal: PersonalData,
) -> None:
    with pytest.raises(ValueError, match="person_id"):
        personal.seal_blocks({"payee": {"personal": {"bank_account": "6222"}}})
    sealed = personal.seal_blocks({"members": [{"person_id": PERSON, "personal": {"name": "张"}}]})
    assert is_sealed(sealed["members"][0]["personal"]["name"])


def test_the_ledger_stores_personal_blocks_sealed_and_loads_them_open() -> None:
    ledger = Ledger()
    body = application(payee_account="6222020200112233445")
    case_id = ledger.submit_application(body, WORKER).id
    stored = [n.state for n in ledger.recorder.select_notifications(start=1, limit=100)]
    member = body["members"][0]
    for secret in (member["name"], member["id_number"], "6222020200112233445"):
        assert not any(secret.encode() in state for state in stored), secret
    submitted = events(ledger, case_id, "ApplicationSubmitted")[0]
    assert submitted.members[0]["personal"]["name"] == member["name"]
    assert submitted.payee["personal"]["bank_account"] == "6222020200112233445"


def test_rewrapping_with_a_new_master_key_keeps_every_value_readable() -> None:
    store = InMemoryKeyStore()
    old = PersonalData(store, "old-master-key-for-the-test-0123456789")
    sealed = old.seal(PERSON, "张三")
    assert old.rewrap_all("new-master-key-for-the-test-0123456789") == 1
    assert PersonalData(store, "new-master-key-for-the-test-0123456789").open(sealed) == "张三"
    with pytest.raises(KeyUnavailable, match="another master key"):
        PersonalData(store, "old-master-key-for-the-test-0123456789").open(sealed)
