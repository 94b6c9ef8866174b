"""Filters read from a page's URL: presets cut in the zone, custom dates,
and errors that name the field."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from lms_telemetry.dashboard.filters import FilterError, parse_filters

# 2024-03-10 03:30 UTC is still 2024-03-09 in Chicago (UTC-6 before the change).
NOW = datetime(2024, 3, 10, 3, 30, tzinfo=UTC)


def test_default_is_the_last_30_days_in_utc() -> None:
    filters = parse_filters({}, now=NOW)

    assert (filters.period, filters.tz) == ("30d", "UTC")
    assert (filters.since, filters.until) == (date(2024, 2, 10), date(2024, 3, 11))


def test_preset_days_are_cut_in_the_chosen_zone() -> None:
    filters = parse_filters({"period": "7d", "tz": "America/Chicago"}, now=NOW)

    assert (filters.since, filters.until) == (date(2024, 3, 3), date(2024, 3, 10))


def test_custom_period_keeps_since_and_exclusive_until() -> None:
    filters = parse_filters(
        {"period": "custom", "since": "2024-01-01", "until": "2024-02-01",
         "persona": "patron", "interface": "opac"},
        now=NOW,
    )

    assert filters.api_query() == (
        "since=2024-01-01&until=2024-02-01&tz=UTC&persona=patron&interface=opac"
    )
    assert filters.page_query() == (
        "period=custom&since=2024-01-01&until=2024-02-01"
        "&persona=patron&interface=opac"
    )
    assert filters.last_day == date(2024, 1, 31)


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"tz": "Mars/Olympus"}, "tz",
         "Time zone 'Mars/Olympus' is not an IANA zone such as Europe/Paris"),
        ({"persona": "wizard"}, "persona",
         "Persona 'wizard' is not one of patron, librarian, admin, it, unknown"),
        ({"interface": "tv"}, "interface",
         "Interface 'tv' is not one of opac, staff, kiosk, api, unknown"),
        ({"period": "decade"}, "period",
         "Period 'decade' is not one of today, 7d, 30d, 90d, 365d, custom"),
        ({"period": "custom", "since": "2024-13-01", "until": "2024-02-01"},
         "since", "Since '2024-13-01' is not a date (YYYY-MM-DD)"),
        ({"period": "custom", "since": "2024-02-01", "until": "2024-02-01"},
         "until", "Until must be a later date than since"),
    ],
)
def test_bad_filter_raises_naming_field_and_rule(
    params: dict[str, str], field: str, message: str
) -> None:
    with pytest.raises(FilterError) as raised:
        parse_filters(params, now=NOW)

    assert (raised.value.field, str(raised.value)) == (field, message)
