"""What every report shares: its period and filters, sessions, and SQL files.

A report's SQL file starts its `WITH` list with `{scoped}` (the events of the
period and filters, bots left out) and, when it needs sessions, `{sessioned}`
(those events with a `session_key`). `build_sql` fills both, so the period,
the filters and the session definition are written once, here.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lms_telemetry.storage.base import Store

PERSONAS = ("patron", "librarian", "admin", "it", "unknown")
INTERFACES = ("opac", "staff", "kiosk", "api", "unknown")
SESSION_GAP_MINUTES = 30
DEFAULT_MIN_IDS = 5
DEFAULT_LIMIT = 20
MAX_LIMIT = 10_000

Bound = date | datetime | str


class ReportError(ValueError):
    """A report was asked for with a parameter it cannot use."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter


@dataclass(frozen=True)
class Scope:
    """The period (UTC instants, end exclusive), zone and filters of a report."""

    start: datetime
    end: datetime
    tz: str
    persona: str | None = None
    interface: str | None = None

    def params(self) -> dict[str, Any]:
        params: dict[str, Any] = {"since": self.start, "until": self.end}
        if self.persona is not None:
            params["persona"] = self.persona
        if self.interface is not None:
            params["interface"] = self.interface
        return params

    def local_days(self) -> list[date]:
        """Every calendar day, in the report's zone, that the period touches."""
        zone = ZoneInfo(self.tz)
        first = self.start.astimezone(zone).date()
        last = (self.end - timedelta(microseconds=1)).astimezone(zone).date()
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]

    def day_starts(self) -> list[datetime]:
        """The UTC instant each local day starts, plus the end of the last one."""
        zone = ZoneInfo(self.tz)
        days = self.local_days()
        edges = days + [days[-1] + timedelta(days=1)] if days else []
        return [_local_midnight(day, zone) for day in edges]


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    # Round-tripping through UTC resolves a midnight that a DST change skips.
    local = datetime.combine(day, time(0), tzinfo=zone)
    return local.astimezone(UTC).astimezone(zone).astimezone(UTC)


def parse_zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ReportError(
            "tz", f"Parameter tz {tz!r} is not an IANA time zone (e.g. Europe/Paris)"
        ) from None


def parse_bound(name: str, value: Bound, zone: ZoneInfo) -> datetime:
    """A period bound as a UTC instant: a date means its midnight in ZONE."""
    parsed = value if isinstance(value, date) else _parse_text_bound(name, value)
    if not isinstance(parsed, datetime):
        return _local_midnight(parsed, zone)
    moment: datetime = parsed
    if moment.tzinfo is None:
        raise ReportError(name, f"Parameter {name} {value!r} has no UTC offset")
    return moment.astimezone(UTC)


def _parse_text_bound(name: str, text: str) -> date | datetime:
    text = text.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        # RFC 3339 allows a lower-case "z"; Python reads only "Z".
        return datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise ReportError(
            name,
            f"Parameter {name} {text!r} is not a date (YYYY-MM-DD) or an RFC 3339 time",
        ) from None


DEFAULT_PERIOD_DAYS = 30
# Reports list every day of their period; ten years keeps that list, and the
# work behind it, bounded whatever a caller asks for.
MAX_PERIOD_DAYS = 3660


def resolve_scope(
    since: Bound | None,
    until: Bound | None,
    tz: str = "UTC",
    persona: str | None = None,
    interface: str | None = None,
) -> Scope:
    """Check a report's common parameters and turn them into a `Scope`."""
    zone = parse_zone(tz)
    # Without a period, the last DEFAULT_PERIOD_DAYS days up to and including
    # today in the report's zone.
    if until is None or until == "":
        until = datetime.now(zone).date() + timedelta(days=1)
    end = parse_bound("until", until, zone)
    if since is None or since == "":
        since = end.astimezone(zone).date() - timedelta(days=DEFAULT_PERIOD_DAYS)
    start = parse_bound("since", since, zone)
    if end <= start:
        raise ReportError(
            "until", f"Parameter until {until!s} must be after since {since!s}"
        )
    if end - start > timedelta(days=MAX_PERIOD_DAYS):
        raise ReportError(
            "since",
            f"Parameter since {since!s}: a period may span at most {MAX_PERIOD_DAYS} days",
        )
    _check_choice("persona", persona, PERSONAS)
    _check_choice("interface", interface, INTERFACES)
    return Scope(start, end, tz, persona or None, interface or None)


def _check_choice(name: str, value: str | None, allowed: Sequence[str]) -> None:
    if value and value not in allowed:
        raise ReportError(
            name, f"Parameter {name} {value!r} is not one of {', '.join(allowed)}"
        )


def positive_int(name: str, value: Any, default: int, maximum: int = MAX_LIMIT) -> int:
    """An integer option between 1 and MAXIMUM; DEFAULT when absent."""
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ReportError(
            name, f"Parameter {name} {value!r} is not a whole number"
        ) from None
    if (
        isinstance(value, float)
        and not value.is_integer()
        or not 1 <= number <= maximum
    ):
        raise ReportError(
            name,
            f"Parameter {name} {value!r} must be a whole number from 1 to {maximum}",
        )
    return number


def filter_sql(scope: Scope) -> str:
    """The period and filter conditions of SCOPE, bots not yet decided."""
    conditions = ["event_time >= $since", "event_time < $until"]
    if scope.persona is not None:
        conditions.append("persona = $persona")
    if scope.interface is not None:
        conditions.append("interface = $interface")
    return " AND ".join(conditions)


def scoped_sql(scope: Scope) -> str:
    """The events of the scope's period and filters, bots left out."""
    return f"scoped AS (SELECT * FROM events WHERE {filter_sql(scope)} AND NOT is_bot)"


def sessioned_sql(columns: Iterable[str]) -> str:
    """`scoped` reduced to COLUMNS plus `session_key`: the session an event
    belongs to, or NULL when it has neither a session_id nor a pseudonymous id.

    Without a session_id, a session is one pseudonymous id's run of events
    with no gap over 30 minutes; the key is then the id and the run's number,
    after a character ('\\x1f') that a session_id never starts with, so the two
    kinds of key cannot collide.
    """
    wanted = ", ".join(dict.fromkeys(["event_time", "pseudonymous_id", *columns]))
    order = "PARTITION BY pseudonymous_id ORDER BY event_time, event_id"
    return f"""sessioned AS (
    SELECT {wanted}, session_id AS session_key
    FROM scoped WHERE session_id IS NOT NULL
    UNION ALL
    SELECT {wanted}, chr(31) || pseudonymous_id || chr(31)
        || sum(is_run_start) OVER ({order} ROWS UNBOUNDED PRECEDING) AS session_key
    FROM (
        SELECT *, coalesce(event_time - lag(event_time) OVER ({order})
            > INTERVAL {SESSION_GAP_MINUTES} MINUTE, true)::INTEGER AS is_run_start
        FROM scoped WHERE session_id IS NULL AND pseudonymous_id IS NOT NULL)
    UNION ALL
    SELECT {wanted}, NULL AS session_key
    FROM scoped WHERE session_id IS NULL AND pseudonymous_id IS NULL
)"""


@functools.cache
def read_sql(report: str) -> dict[str, str]:
    """The named statements of `analytics/REPORT.sql` ("-- name: x" headers)."""
    text = (resources.files("lms_telemetry.analytics") / f"{report}.sql").read_text(
        encoding="utf-8"
    )
    statements: dict[str, str] = {}
    for chunk in text.split("-- name: ")[1:]:
        name, _, body = chunk.partition("\n")
        statements[name.strip()] = body.strip()
    return statements


# A page load's path and load time, as read from its payload.
LOAD_PATH_SQL = "coalesce(payload ->> '$.path', page_path)"
LOAD_MS_SQL = "TRY_CAST(payload ->> '$.load_ms' AS DOUBLE)"


def build_sql(statement: str, scope: Scope, columns: Iterable[str] = ()) -> str:
    """Fill a statement's `{scoped}`, `{sessioned}` and `{filters}` placeholders."""
    return (
        statement.replace("{load_path}", LOAD_PATH_SQL)
        .replace("{load_ms}", LOAD_MS_SQL)
        .replace("{scoped}", scoped_sql(scope))
        .replace("{sessioned}", sessioned_sql(columns))
        .replace("{filters}", filter_sql(scope))
    )


def run_statement(
    store: Store,
    report: str,
    name: str,
    scope: Scope,
    columns: Iterable[str] = (),
    extra: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Run statement NAME of REPORT's SQL file in SCOPE; rows as dicts."""
    return run_sql(
        store, build_sql(read_sql(report)[name], scope, columns), scope, extra
    )


def run_sql(
    store: Store,
    sql: str,
    scope: Scope,
    extra: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Run SQL with the parameters of SCOPE and EXTRA that it uses."""
    offered = scope.params() | {"tz": scope.tz} | dict(extra or {})
    # DuckDB refuses named parameters that a statement does not use.
    params = {key: value for key, value in offered.items() if f"${key}" in sql}
    return store.query(sql, params).dicts()


def reject_unknown_options(report: str, options: Mapping[str, Any]) -> None:
    """Raise for the first option REPORT does not take."""
    for name in options:
        raise ReportError(name, f"Parameter {name} is not an option of report {report}")


def rate(part: float | None, whole: float | None) -> float | None:
    """PART / WHOLE, or None when there is no denominator."""
    if part is None or not whole:
        return None
    return part / whole


def number(value: Any) -> float | None:
    """A float for JSON, None for SQL NULL or NaN."""
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def iso_time(moment: datetime | None, tz: str) -> str | None:
    """MOMENT as RFC 3339 in the report's zone."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(tz)).isoformat()
