"""Chinese resident ID numbers (GB 11643-1999): validate, build and mask them.

Person ids (keyed pseudonyms) are made by domain/shared/pseudonyms.Pseudonyms.
"""

from __future__ import annotations

from datetime import date

_LENGTH = 18
_DIGITS = frozenset("0123456789")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"


def _check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def _birth_date(digits8: str) -> date | None:
    """The YYYYMMDD birth date, or None when it is not a real calendar date."""
    try:
        return date(int(digits8[:4]), int(digits8[4:6]), int(digits8[6:8]))
    except ValueError:
        return None


def id_number_problem(value: str) -> str | None:
    """Why a resident ID number is invalid, in plain words, or None when it is valid."""
    if len(value) != _LENGTH:
        return f"an ID number has {_LENGTH} characters; this one has {len(value)}"
    first17, last = value[:17], value[17]
    if not set(first17) <= _DIGITS:
        return "the first 17 characters must all be digits"
    if last not in _DIGITS and last not in "Xx":
        return "the last character must be a digit or X"
    if _birth_date(first17[6:14]) is None:
        return "the birth date (characters 7 to 14) is not a real date"
    if _check_char(first17) != last.upper():
        return "the check digit is wrong"
    return None


def make_id_number(region: str, birth: date, sequence: int) -> str:
    """A valid ID number for a region code, birth date and 0-999 sequence (tests, seed data)."""
    if len(region) != 6 or not set(region) <= _DIGITS:
        raise ValueError("region must be a 6-digit code such as 320404")
    if not 0 <= sequence <= 999:
        raise ValueError("sequence must be between 0 and 999")
    first17 = f"{region}{birth.year:04d}{birth.month:02d}{birth.day:02d}{sequence:03d}"
    return first17 + _check_char(first17)


def mask_id_number(value: str) -> str:
    """Keep the first 6 and last 4 characters so a caseworker can recognise, not read, it."""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_name(name: str) -> str:
    """Keep the first character of a name and star the rest ("张**")."""
    return name[:1] + "*" * (len(name) - 1) if name else ""
