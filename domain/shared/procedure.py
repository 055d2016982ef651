"""The four-eyes procedure every aggregate shares: who investigated, and who may then approve.

User ids are compared after normalisation (trimmed), so "inv-a" and " inv-a " are one person
in a home visit, in a site inspection and at the approval alike.
"""

from __future__ import annotations

from collections.abc import Iterable

from domain.shared.errors import InvalidInput
from domain.shared.values import USER_ID_MAX, control_character

#: A home visit or a site inspection is done by at least this many different people [law].
MIN_INVESTIGATORS = 2


def normal_user(value: object) -> str | None:
    """The user id as compared and recorded (trimmed), or None when it cannot be one."""
    if not isinstance(value, str):
        return None
    user = value.strip()
    if not user or len(user) > USER_ID_MAX or control_character(user):
        return None
    return user


def investigators(values: object, field: str, what: str, who: str) -> list[str]:
    """The distinct user ids of a visit or inspection, sorted; refuse fewer than two.

    `what` names the step ("a home visit"), `who` the people ("investigators").
    """
    if not isinstance(values, (list, tuple)):
        raise InvalidInput(f"{what} names its {who} as a list of user ids", field=field)
    users = []
    for value in values:
        user = normal_user(value)
        if user is None:
            raise InvalidInput(
                f"each of the {who} is a user id: not blank, at most {USER_ID_MAX} characters, "
                "no control characters",
                field=field,
            )
        users.append(user)
    distinct = sorted(set(users))
    if len(distinct) < MIN_INVESTIGATORS:
        raise InvalidInput(f"{what} needs at least two different {who}", field=field)
    return distinct


def took_part(user: object, participants: Iterable[str]) -> bool:
    """Whether the user is one of the participants, both sides compared after normalisation."""
    if not isinstance(user, str):
        return False
    return user.strip() in {p.strip() for p in participants}
