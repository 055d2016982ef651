"""Request body of POST /api/v1/calendars: one year's State Council holiday notice."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field

from api.rest.bodies import CHINA, Body, BusinessDate
from domain.shared.holiday_calendar import FIRST_YEAR, LAST_YEAR

TITLE_EXAMPLE = "国务院办公厅关于2027年部分节假日安排的通知"


class HolidayNotice(Body):
    year: Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR, examples=[2027])]
    holidays: list[date] = Field(
        description="every day off (放假), one date each; the last days of December of the "
        "previous year may be listed too (the 2023 notice lists 2022-12-31)",
        max_length=366,
    )
    make_up_working_days: list[date] = Field(
        default_factory=list,
        description="weekend days that are worked (调休上班)",
        max_length=366,
    )
    reference: Annotated[
        str, Field(min_length=1, max_length=200, description="the notice's number (文号)")
    ]
    title: Annotated[str, Field(min_length=1, max_length=500, examples=[TITLE_EXAMPLE])]
    published_on: BusinessDate = Field(description="the date of the notice")
    occurred_on: BusinessDate | None = Field(
        default=None, description="the business date of recording it; today if left out"
    )

    def to_domain(self) -> dict[str, Any]:
        body = super().to_domain()
        body["occurred_on"] = body["occurred_on"] or datetime.now(CHINA).date().isoformat()
        return body
