"""The dashboard's filters, held in the URL so a view can be shared.

`period` is a preset (`7d`, `30d`, ...) or `custom` with `since` and `until`
dates; `until` is exclusive, as in the report API, so the same query string
asks the API for the same numbers. Days of a preset are cut in `tz`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

PERIOD_PRESETS: dict[str, tuple[str, int]] = {
    "today": ("Today", 1),
    "7d": ("Last 7 days", 7),
    "30d": ("Last 30 days", 30),
    "90d": ("Last 90 days", 90),
    "365d": ("Last 365 days", 365),
}
DEFAULT_PERIOD = "30d"
PERSONAS = ("patron", "librarian", "admin", "it", "unknown")
INTERFACES = ("opac", "staff", "kiosk", "api", "unknown")
MAX_CUSTOM_DAYS = 3660


class FilterError(ValueError):
    """A filter in the URL has a value the dashboard cannot use."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ReportFilters:
    period: str
    since: date
    until: date
    tz: str
    persona: str | None
    interface: str | None

    def report_arguments(self) -> dict[str, Any]:
        """Keyword arguments of a report function for these filters."""
        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "tz": self.tz,
            "persona": self.persona,
            "interface": self.interface,
        }

    def api_query(self) -> str:
        """The query string of the report API for the same numbers."""
        pairs = {k: v for k, v in self.report_arguments().items() if v}
        return urlencode(pairs)

    def page_query(self, **changes: Any) -> str:
        """The query string of a dashboard page with these filters."""
        chosen = replace(self, **changes) if changes else self
        pairs: dict[str, str] = {"period": chosen.period}
        if chosen.period == "custom":
            pairs["since"] = chosen.since.isoformat()
            pairs["until"] = chosen.until.isoformat()
        if chosen.tz != "UTC":
            pairs["tz"] = chosen.tz
        if chosen.persona:
            pairs["persona"] = chosen.persona
        if chosen.interface:
            pairs["interface"] = chosen.interface
        return urlencode(pairs)

    @property
    def last_day(self) -> date:
        return self.until - timedelta(days=1)


def parse_filters(
    params: Mapping[str, str], now: datetime | None = None
) -> ReportFilters:
    """Filters from a page's query string; raises FilterError on bad values."""
    tz = _parse_tz(params.get("tz") or "UTC")
    persona = _parse_choice(params, "persona", PERSONAS)
    interface = _parse_choice(params, "interface", INTERFACES)
    period = params.get("period") or DEFAULT_PERIOD
    if period == "custom":
        since, until = _parse_custom(params)
    elif period in PERIOD_PRESETS:
        today = (now or datetime.now(ZoneInfo(tz))).astimezone(ZoneInfo(tz)).date()
        since = today - timedelta(days=PERIOD_PRESETS[period][1] - 1)
        until = today + timedelta(days=1)
    else:
        allowed = ", ".join([*PERIOD_PRESETS, "custom"])
        raise FilterError("period", f"Period {period!r} is not one of {allowed}")
    return ReportFilters(period, since, until, tz, persona, interface)


def _parse_tz(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise FilterError(
            "tz", f"Time zone {name!r} is not an IANA zone such as Europe/Paris"
        ) from None
    return name


def _parse_choice(
    params: Mapping[str, str], field: str, allowed: tuple[str, ...]
) -> str | None:
    value = params.get(field) or None
    if value is not None and value not in allowed:
        raise FilterError(
            field, f"{field.capitalize()} {value!r} is not one of {', '.join(allowed)}"
        )
    return value


def _parse_custom(params: Mapping[str, str]) -> tuple[date, date]:
    since = _parse_date(params, "since")
    until = _parse_date(params, "until")
    if until <= since:
        raise FilterError("until", "Until must be a later date than since")
    if (until - since).days > MAX_CUSTOM_DAYS:
        raise FilterError("since", f"A period may span at most {MAX_CUSTOM_DAYS} days")
    # Trends compare with the period of the same length just before, which
    # must not start before the first day a date can hold.
    if since - date.min < until - since:
        raise FilterError(
            "since",
            "Since must leave room for a period of the same length before it,"
            f" starting on {date.min.isoformat()} or later",
        )
    return since, until


def _parse_date(params: Mapping[str, str], field: str) -> date:
    text = params.get(field) or ""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise FilterError(
            field, f"{field.capitalize()} {text!r} is not a date (YYYY-MM-DD)"
        ) from None


def common_time_zones() -> list[str]:
    """Zones offered in the filter's list; any IANA zone works in the URL."""
    return sorted(
        zone for zone in available_timezones()
        if "/" in zone and not zone.startswith(("Etc/", "SystemV/", "posix/", "right/"))
    )
