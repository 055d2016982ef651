"""Resident ID numbers: validation, construction, masking and keyed pseudonymous person ids."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest

from domain.shared.identity import (
    id_number_problem,
    make_id_number,
    mask_id_number,
    mask_name,
)
from domain.shared.pseudonyms import DEV_PERSON_KEY, Pseudonyms

PUBLIC_EXAMPLE = "11010519491231002X"
person_id_for = Pseudonyms(DEV_PERSON_KEY).person_id


def test_public_example_number_is_valid() -> None:
    assert id_number_problem(PUBLIC_EXAMPLE) is None


def test_lowercase_x_check_digit_is_accepted() -> None:
    assert id_number_problem(PUBLIC_EXAMPLE.lower()) is None


def test_made_number_is_valid() -> None:
    number = make_id_number("320404", date(1990, 1, 1), 123)
    assert number == "320404199001011231"
    assert id_number_problem(number) is None


def test_made_numbers_are_valid_for_every_sequence() -> None:
    for seq in range(1000):
        number = make_id_number("320404", date(1985, 7, 9), seq)
        assert id_number_problem(number) is None, number


def test_made_number_can_end_in_x() -> None:
    assert make_id_number("110105", date(1949, 12, 31), 2) == PUBLIC_EXAMPLE


def test_wrong_check_digit_is_reported() -> None:
    assert id_number_problem("110105194912310021") == "the check digit is wrong"


def test_impossible_birth_date_is_reported() -> None:
    first17 = "320404" + "19990230" + "123"
    problem = id_number_problem(first17 + "0")
    assert problem is not None
    assert "birth date" in problem
    assert "19990230" not in problem  # part of the number: never repeated in an error


def test_wrong_length_is_reported() -> None:
    problem = id_number_problem(PUBLIC_EXAMPLE[:-1])
    assert problem is not None
    assert "18" in problem
    assert "17" in problem


def test_fifteen_digit_old_style_number_is_rejected() -> None:
    assert id_number_problem("110105491231002") is not None


def test_non_digits_are_reported() -> None:
    problem = id_number_problem("11010519491231A02X")
    assert problem is not None
    assert "digits" in problem


def test_x_is_only_allowed_as_the_last_character() -> None:
    assert id_number_problem("1101051949123100X2") is not None


def test_non_ascii_digits_are_rejected() -> None:
    assert id_number_problem("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X") is not None


def test_bad_last_character_is_reported() -> None:
    assert id_number_problem("11010519491231002Y") == "the last character must be a digit or X"


def test_make_id_number_refuses_bad_region_or_sequence() -> None:
    with pytest.raises(ValueError):
        make_id_number("32040", date(1990, 1, 1), 1)
    with pytest.raises(ValueError):
        make_id_number("320404", date(1990, 1, 1), 1000)


def test_mask_keeps_first_six_and_last_four() -> None:
    assert mask_id_number("32040419900101123X") == "320404********123X"
    assert mask_id_number(PUBLIC_EXAMPLE) == "110105********002X"


def test_mask_of_a_short_value_hides_everything() -> None:
    assert mask_id_number("1234567") == "*******"


def test_mask_name_keeps_only_the_first_character() -> None:
    assert mask_name("张三丰") == "张**"
    assert mask_name("李四") == "李*"
    assert mask_name("王") == "王"
    assert mask_name("") == ""


def test_person_id_is_stable_and_ignores_case_of_x() -> None:
    assert person_id_for(PUBLIC_EXAMPLE) == person_id_for(PUBLIC_EXAMPLE.lower())


def test_person_id_is_pinned_for_the_development_key() -> None:
    assert person_id_for(PUBLIC_EXAMPLE) == "P3718edc760712f0638d9"


def test_person_id_is_keyed_so_no_one_without_the_key_can_compute_it() -> None:
    """The unkeyed SHA-256 of before can be recomputed by anyone from a guessed number."""
    unkeyed = "P" + hashlib.sha256(("caseledger-person:" + PUBLIC_EXAMPLE).encode()).hexdigest()
    other_key = Pseudonyms("another-person-key-of-another-district-0123")
    assert person_id_for(PUBLIC_EXAMPLE) != unkeyed[:21]
    assert other_key.person_id(PUBLIC_EXAMPLE) != person_id_for(PUBLIC_EXAMPLE)
    assert other_key.fingerprint() != Pseudonyms(DEV_PERSON_KEY).fingerprint()


def test_a_short_person_key_is_refused() -> None:
    with pytest.raises(ValueError, match="32 characters"):
        Pseudonyms("short")


def test_person_id_does_not_contain_the_id_number() -> None:
    pid = person_id_for(PUBLIC_EXAMPLE)
    assert pid.startswith("P")
    assert len(pid) == 21
    assert PUBLIC_EXAMPLE[:6] not in pid


def test_different_people_get_different_person_ids() -> None:
    other = make_id_number("110105", date(1949, 12, 31), 3)
    assert person_id_for(other) != person_id_for(PUBLIC_EXAMPLE)
