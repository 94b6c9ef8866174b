"""The overview report: events, sessions and ids, by category, persona,
event name and day, with the bots and refused events left out counted."""

from __future__ import annotations

from collections import Counter
from typing import Any

from lms_telemetry.analytics import _rollup_scope as rolled
from lms_telemetry.analytics._scope import (
    Bound,
    Scope,
    read_sql,
    reject_unknown_options,
    resolve_scope,
    run_sql,
    run_statement,
)
from lms_telemetry.storage.base import Store


def report(
    store: Store,
    since: Bound,
    until: Bound,
    tz: str = "UTC",
    persona: str | None = None,
    interface: str | None = None,
    **options: Any,
) -> dict[str, Any]:
    """Totals of the period. `quarantined` counts refused bodies received in
    the period; they carry no persona or interface, so filters do not apply."""
    reject_unknown_options("overview", options)
    scope = resolve_scope(since, until, tz, persona, interface)
    day_starts = scope.day_starts()
    # Quarter-hour counts serve when every local day starts on a quarter hour
    # (true of every zone's current offsets, not of some historical ones).
    if all(map(rolled.is_bucket_edge, day_starts)) and rolled.rollups_are_current(
        store
    ):
        row = _run_rolled_up(store, scope)
    else:
        row = run_statement(store, "overview", "overview", scope)[0]

    by_category: Counter[str] = Counter()
    by_persona: Counter[str] = Counter()
    by_event: Counter[str] = Counter()
    for count in row["counts"] or []:
        by_category[count["category"]] += count["events"]
        by_persona[count["persona"]] += count["events"]
        by_event[count["event"]] += count["events"]
    daily = _every_day(scope.local_days(), row["daily"] or [])

    return {
        "events": sum(by_event.values()),
        "sessions": sum(day["sessions"] for day in daily),
        "pseudonymous_ids": row["pseudonymous_ids"],
        "bots_excluded": row["bots_excluded"],
        "quarantined": row["quarantined"],
        "by_category": _largest_first(by_category),
        "by_persona": _largest_first(by_persona),
        "by_event": _largest_first(by_event),
        "daily": daily,
    }


def _largest_first(counts: Counter[str]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _every_day(days: list[Any], found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per day of the period, empty days included."""
    by_day = {row["day"]: row for row in found}
    return [
        {
            "day": day.isoformat(),
            "events": by_day.get(day, {}).get("events", 0),
            "sessions": by_day.get(day, {}).get("sessions", 0),
        }
        for day in days
    ]


def _run_rolled_up(store: Store, scope: Scope) -> dict[str, Any]:
    low, high = rolled.bucket_bounds(scope)
    days = ", ".join(
        f"(DATE '{day.isoformat()}', TIMESTAMPTZ '{start.isoformat()}')"
        for day, start in zip(scope.local_days(), scope.day_starts(), strict=False)
    )
    conditions = [
        f"AND {column} = ${column}"
        for column in ("persona", "interface")
        if getattr(scope, column) is not None
    ]
    statement = (
        read_sql("overview")["rolled_up"]
        .replace("{days}", days)
        .replace("{count_filters}", " ".join(conditions))
    )
    sql = rolled.fill(statement, scope, rolled.find_cut_sessions(store, scope))
    return run_sql(store, sql, scope, {"low": low, "high": high})[0]
