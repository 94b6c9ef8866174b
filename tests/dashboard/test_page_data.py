"""How the pages' data is shaped for display: error groups and periods."""

from __future__ import annotations

from datetime import date

import pytest

from lms_telemetry.dashboard.filters import FilterError, parse_filters
from lms_telemetry.dashboard.page_data import displayed_error_group


def test_error_group_shows_its_type_once_and_whole_seconds() -> None:
    group = {
        "type": "TypeError",
        "message": "TypeError: x is undefined",
        "first_seen": "2024-03-01T10:15:30.123456+01:00",
        "last_seen": "2024-03-02T08:00:00+01:00",
        "events": 4,
    }

    shown = displayed_error_group(group)

    assert shown["message"] == "x is undefined"
    assert shown["first_seen"] == "2024-03-01T10:15:30+01:00"
    assert shown["last_seen"] == "2024-03-02T08:00:00+01:00"
    assert shown["events"] == 4


def test_error_group_without_type_keeps_its_message() -> None:
    group = {"type": None, "message": "Script error.", "first_seen": None,
             "last_seen": None}

    assert displayed_error_group(group)["message"] == "Script error."


def test_custom_period_with_no_room_before_it_is_refused_on_since() -> None:
    with pytest.raises(FilterError) as refused:
        parse_filters({"period": "custom", "since": "0001-01-01",
                       "until": "0002-01-01"})

    assert refused.value.field == "since"


def test_custom_period_just_fitting_after_the_first_day_is_kept() -> None:
    filters = parse_filters({"period": "custom", "since": "0001-01-08",
                             "until": "0001-01-15"})

    assert (filters.since, filters.until) == (date(1, 1, 8), date(1, 1, 15))
