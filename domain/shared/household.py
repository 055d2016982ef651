"""Checks an application's household before anything is recorded, and separates personal data."""

from __future__ import annotations

from typing import Any

from domain.shared.errors import InvalidInput
from domain.shared.identity import id_number_problem
from domain.shared.pseudonyms import Pseudonyms
from domain.shared.values import parse_date
from domain.shared.vocabulary import CHANNELS, PROGRAMMES


def member_person_id(
    member: dict[str, Any], index: int, seen: set[str], pseudonyms: Pseudonyms
) -> str:
    """The member's person id; refuse a bad ID number or a person listed twice (adds to seen).

    The one member check of every case type: assistance and temporary households alike.
    """
    problem = id_number_problem(member["id_number"])
    if problem:
        raise InvalidInput(
            f"the ID number is not valid: {problem}", field=f"members.{index}.id_number"
        )
    person_id = pseudonyms.person_id(member["id_number"])
    if person_id in seen:
        raise InvalidInput("the same person is listed twice", field=f"members.{index}.id_number")
    seen.add(person_id)
    return person_id


def check_application(application: dict[str, Any], pseudonyms: Pseudonyms) -> list[dict[str, Any]]:
    """Return the members as recorded: person id and roles apart from `personal` data."""
    programme = application["programme"]
    if programme not in PROGRAMMES:
        raise InvalidInput(f"programme must be one of {', '.join(PROGRAMMES)}", field="programme")
    if application["channel"] not in CHANNELS:
        raise InvalidInput(f"channel must be one of {', '.join(CHANNELS)}", field="channel")
    parse_date(application["occurred_on"], "occurred_on")
    members = []
    seen: set[str] = set()
    for i, m in enumerate(application["members"]):
        person_id = member_person_id(m, i, seen, pseudonyms)
        if not m["counted"] and not (m.get("excluded_reason") or "").strip():
            raise InvalidInput(
                "a member who is not counted needs an excluded_reason",
                field=f"members.{i}.excluded_reason",
            )
        members.append(
            {
                "person_id": person_id,
                "relation": m["relation"],
                "counted": m["counted"],
                "excluded_reason": m.get("excluded_reason"),
                "able_to_work": bool(m.get("able_to_work", False)),
                "personal": {"name": m["name"], "id_number": m["id_number"].upper()},
            }
        )
    counted = [m for m in members if m["counted"]]
    if not counted:
        raise InvalidInput("at least one member must be counted", field="members")
    if programme == "TEKUN" and len(counted) != 1:
        raise InvalidInput("TEKUN support is for one person: count exactly one", field="members")
    return members
