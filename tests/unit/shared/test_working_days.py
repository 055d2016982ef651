"""Working-day arithmetic against real dates from the State Council holiday notices."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.shared.errors import DomainError
from domain.shared.working_days import CalendarYearUnknown, WorkingDayCalendar, default_calendar


@pytest.fixture
def cal() -> WorkingDayCalendar:
    return default_calendar()


def test_calendar_covers_2023_to_2026(cal: WorkingDayCalendar) -> None:
    assert cal.covered_years == (2023, 2024, 2025, 2026)


def test_default_calendar_is_loaded_once() -> None:
    assert default_calendar() is default_calendar()


def test_plain_wednesday_is_a_working_day(cal: WorkingDayCalendar) -> None:
    wednesday = date(2024, 3, 13)
    assert wednesday.weekday() == 2
    assert cal.is_working_day(wednesday)


def test_plain_sunday_is_not_a_working_day(cal: WorkingDayCalendar) -> None:
    assert not cal.is_working_day(date(2024, 3, 17))


def test_make_up_saturday_is_a_working_day(cal: WorkingDayCalendar) -> None:
    assert date(2023, 1, 28).weekday() == 5
    assert cal.is_working_day(date(2023, 1, 28))


def test_make_up_sunday_after_spring_festival_2024_is_a_working_day(
    cal: WorkingDayCalendar,
) -> None:
    assert date(2024, 2, 18).weekday() == 6
    assert cal.is_working_day(date(2024, 2, 18))


def test_make_up_saturday_before_spring_festival_2026_is_a_working_day(
    cal: WorkingDayCalendar,
) -> None:
    assert cal.is_working_day(date(2026, 2, 14))


def test_spring_festival_2024_is_not_a_working_day(cal: WorkingDayCalendar) -> None:
    for day in range(10, 18):
        assert not cal.is_working_day(date(2024, 2, day)), day


def test_eighth_day_of_national_day_2025_is_off(cal: WorkingDayCalendar) -> None:
    assert date(2025, 10, 8).weekday() == 2
    assert not cal.is_working_day(date(2025, 10, 8))


def test_new_year_eve_2022_is_a_holiday_known_from_the_2023_notice(
    cal: WorkingDayCalendar,
) -> None:
    assert not cal.is_working_day(date(2022, 12, 31))


def test_unknown_year_is_an_error_not_a_guess(cal: WorkingDayCalendar) -> None:
    with pytest.raises(CalendarYearUnknown) as caught:
        cal.is_working_day(date(2027, 1, 6))
    err = caught.value
    assert isinstance(err, DomainError)
    assert err.code == "calendar_year_unknown"
    assert err.year == 2027
    assert "2027" in err.message
    assert "/api/v1/calendars" in err.message  # the admin records it, no release needed


def test_other_days_of_2022_are_still_unknown(cal: WorkingDayCalendar) -> None:
    with pytest.raises(CalendarYearUnknown):
        cal.is_working_day(date(2022, 12, 30))


def test_adding_working_days_past_the_last_known_year_is_an_error(
    cal: WorkingDayCalendar,
) -> None:
    with pytest.raises(CalendarYearUnknown):
        cal.add_working_days(date(2026, 12, 30), 5)


def test_zero_working_days_after_a_date_is_that_date(cal: WorkingDayCalendar) -> None:
    assert cal.add_working_days(date(2024, 2, 11), 0) == date(2024, 2, 11)


def test_negative_working_days_are_refused(cal: WorkingDayCalendar) -> None:
    with pytest.raises(ValueError):
        cal.add_working_days(date(2024, 3, 13), -1)


def test_adding_working_days_across_spring_festival_2024(cal: WorkingDayCalendar) -> None:
    start = date(2024, 2, 8)  # Thursday before the holiday
    assert cal.add_working_days(start, 1) == date(2024, 2, 9)  # Friday, New Year's Eve: worked
    assert cal.add_working_days(start, 2) == date(2024, 2, 18)  # make-up Sunday
    assert cal.add_working_days(start, 3) == date(2024, 2, 19)


def test_three_working_days_after_national_day_eve_2025(cal: WorkingDayCalendar) -> None:
    # 10-01..10-08 off; 10-09 Thu, 10-10 Fri, 10-11 make-up Saturday.
    assert cal.add_working_days(date(2025, 9, 30), 3) == date(2025, 10, 11)


def test_working_days_between_counts_end_but_not_start(cal: WorkingDayCalendar) -> None:
    assert cal.working_days_between(date(2024, 3, 11), date(2024, 3, 15)) == 4
    assert cal.working_days_between(date(2024, 3, 13), date(2024, 3, 13)) == 0


def test_working_days_between_across_spring_festival_2024(cal: WorkingDayCalendar) -> None:
    assert cal.working_days_between(date(2024, 2, 8), date(2024, 2, 19)) == 3


def test_working_days_between_across_new_year_2024(cal: WorkingDayCalendar) -> None:
    assert cal.working_days_between(date(2023, 12, 29), date(2024, 1, 2)) == 1


def test_working_days_between_refuses_end_before_start(cal: WorkingDayCalendar) -> None:
    with pytest.raises(ValueError):
        cal.working_days_between(date(2024, 3, 15), date(2024, 3, 11))


def test_working_days_between_agrees_with_add_working_days(cal: WorkingDayCalendar) -> None:
    start = date(2025, 9, 26)
    for n in range(0, 15):
        assert cal.working_days_between(start, cal.add_working_days(start, n)) == n


@pytest.mark.parametrize(
    ("year", "statutory_days_off"),
    [(2023, 11), (2024, 11), (2025, 13), (2026, 13)],
)
def test_each_year_loses_exactly_its_statutory_days_off(
    cal: WorkingDayCalendar, year: int, statutory_days_off: int
) -> None:
    # Make-up days pay back bridged weekdays, so a year has weekdays - statutory days to work;
    # the 2024 revision added two days off from 2025.
    first, last = date(year, 1, 1), date(year, 12, 31)
    weekdays = sum(
        (first + timedelta(days=i)).weekday() < 5 for i in range((last - first).days + 1)
    )
    worked = cal.working_days_between(first - timedelta(days=1), last)
    assert weekdays - worked == statutory_days_off


def test_a_make_up_day_on_a_weekday_is_rejected_as_bad_data() -> None:
    with pytest.raises(ValueError):
        WorkingDayCalendar([2024], off=[], work=[date(2024, 3, 13)])


def test_calendar_from_mapping_ignores_the_source_key() -> None:
    cal = WorkingDayCalendar.from_mapping(
        {"source": {"2030": "test"}, "2030": {"off": ["2030-01-01"], "work": []}}
    )
    assert cal.covered_years == (2030,)
    assert not cal.is_working_day(date(2030, 1, 1))
