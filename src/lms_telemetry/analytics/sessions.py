"""The sessions report: session count, duration and depth, by persona.

A session is its `session_id`, else a pseudonymous id's run of events with no
gap over 30 minutes; its duration is its last event time minus its first.
"""

from __future__ import annotations

from typing import Any

from lms_telemetry.analytics import _rollup_scope as rolled
from lms_telemetry.analytics._scope import (
    Bound,
    Scope,
    build_sql,
    number,
    read_sql,
    reject_unknown_options,
    resolve_scope,
    run_sql,
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
    """Sessions of the period; by_persona is ordered by sessions descending."""
    reject_unknown_options("sessions", options)
    scope = resolve_scope(since, until, tz, persona, interface)
    cut = (
        rolled.find_cut_sessions(store, scope)
        if rolled.rollups_are_current(store)
        else None
    )
    rows = run_sql(store, sessions_sql(scope, cut), scope)
    total = next((row for row in rows if row["is_total"]), None)
    quantiles = (total or {}).get("duration_quantiles") or [None, None]

    by_persona = [
        {
            "persona": row["persona"],
            "sessions": row["sessions"],
            "median_duration_seconds": number(row["duration_quantiles"][0]),
        }
        for row in rows
        if not row["is_total"]
    ]
    by_persona.sort(key=lambda row: (-row["sessions"], row["persona"]))
    return {
        "sessions": total["sessions"] if total else 0,
        "duration_seconds": {
            "p50": number(quantiles[0]),
            "p90": number(quantiles[1]),
            "mean": number((total or {}).get("mean_duration_seconds")),
        },
        "events_per_session": {
            "p50": number((total or {}).get("median_events")),
            "mean": number((total or {}).get("mean_events")),
        },
        "by_persona": by_persona,
    }


def sessions_sql(scope: Scope, cut: rolled.CutSessions | None) -> str:
    """The statement of the report: on the rollups, given the sessions the
    period cuts, or on raw events (CUT is None)."""
    pieces = read_sql("sessions")
    if cut is None:
        raw = "{scoped},\n{sessioned},\n" + pieces["per_session"]
        statement = "WITH " + raw.replace("{name}", "per_session")
        return build_sql(statement + "\n" + pieces["summary"], scope, ["persona"])
    ctes = [
        "{scoped}",
        "{cut_sessioned}",
        pieces["per_session"].replace("{name}", "cut_sessions"),
        pieces["rolled_up"],
    ]
    statement = "WITH " + ",\n".join(ctes) + "\n" + pieces["summary"]
    return rolled.fill(statement, scope, cut)
