"""How a report reads the rollups instead of raw events, for one scope.

The rollups (analytics/rollups.py) keep every non-bot event with its session
under each filter kind, and each whole session and search judged. A session
that the period holds whole is read from the rollup; one that the period cuts
(it has events on both sides of a bound) is measured again on its events
inside the period, with the report's own SQL, so both paths give one answer.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from lms_telemetry.analytics._scope import (
    Scope,
    build_sql,
    filter_sql,
    read_sql,
    run_sql,
)
from lms_telemetry.storage.base import Store

logger = logging.getLogger(__name__)

KEY_COLUMNS = {
    "all": "session_key",
    "persona": "persona_session_key",
    "interface": "interface_session_key",
    "both": "persona_interface_session_key",
}
BUCKET = timedelta(minutes=15)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Whole sessions (or the searches of whole sessions) of the period.
INSIDE_SESSION = "started_at >= $since AND ended_at < $until"
INSIDE_SEARCH = "session_started_at >= $since AND session_ended_at < $until"


def session_kind(scope: Scope) -> str:
    """Which filter kind's sessions SCOPE reads: a filter on persona or
    interface splits sessions, since it leaves out the events between."""
    if scope.persona is not None and scope.interface is not None:
        return "both"
    if scope.persona is not None:
        return "persona"
    return "interface" if scope.interface is not None else "all"


def rollups_are_current(store: Store) -> bool:
    """Whether the rollups were refreshed after the last change to events.

    Compares the count and latest receipt time, two cheap reads: an append or
    a deletion changes the count, unless a deletion and as many appends of
    events received no later meet between two refreshes of the loader.
    """
    try:
        row = store.query(
            "SELECT s.events = (SELECT count(*) FROM events)"
            " AND s.max_received_at IS NOT DISTINCT FROM"
            " (SELECT max(received_at) FROM events)"
            " FROM report_rollup_state AS s WHERE s.name = 'events'"
        ).scalar()
    except Exception:  # an engine without the rollup tables reads raw events
        logger.debug("report rollups unavailable", exc_info=True)
        return False
    return bool(row)


def scoped_sql(scope: Scope) -> str:
    """`scoped` from the rollup: ids as codes, the kind's session key."""
    keys = ", ".join(KEY_COLUMNS.values())
    return (
        f"scoped AS (SELECT * EXCLUDE (pid_code, {keys}),"
        f" pid_code AS pseudonymous_id, {KEY_COLUMNS[session_kind(scope)]}"
        f" AS session_key FROM report_events WHERE {filter_sql(scope)})"
    )


def session_filter(scope: Scope) -> str:
    """Rows of report_sessions / report_searches of SCOPE's kind and filters."""
    conditions = [f"kind = '{session_kind(scope)}'"]
    if scope.persona is not None:
        conditions.append("persona_part = $persona")
    if scope.interface is not None:
        conditions.append("interface_part = $interface")
    return " AND ".join(conditions)


@dataclass(frozen=True)
class CutSessions:
    """Sessions the period cuts: how many, the last event of those that
    started before it, the first event of those that end after it."""

    sessions: int = 0
    head_end: datetime | None = None
    tail_start: datetime | None = None


def find_cut_sessions(store: Store, scope: Scope) -> CutSessions:
    """The sessions of SCOPE's kind and filters that the period cuts."""
    sql = f"""SELECT count(*) AS sessions,
        max(ended_at) FILTER (WHERE started_at < $since) AS head_end,
        min(started_at) FILTER (WHERE ended_at >= $until) AS tail_start
    FROM report_sessions
    WHERE {session_filter(scope)} AND started_at < $until AND ended_at >= $since
      AND NOT ({INSIDE_SESSION})"""
    row = run_sql(store, sql, scope)[0]
    return CutSessions(row["sessions"], row["head_end"], row["tail_start"])


def cut_sessioned_sql(scope: Scope, cut: CutSessions) -> str:
    """`sessioned`: the in-period events of sessions the period cuts. Their
    events lie between the period's start and HEAD_END, or between
    TAIL_START and its end, which spares reading the others."""
    spans = []
    if cut.head_end is not None:
        spans.append(f"event_time <= '{cut.head_end.isoformat()}'::TIMESTAMPTZ")
    if cut.tail_start is not None:
        spans.append(f"event_time >= '{cut.tail_start.isoformat()}'::TIMESTAMPTZ")
    if not cut.sessions or not spans:
        return "sessioned AS (SELECT * FROM scoped WHERE false)"
    return f"""sessioned AS (
    SELECT * FROM scoped WHERE ({" OR ".join(spans)}) AND session_key IN (
        SELECT session_key FROM report_sessions
        WHERE {session_filter(scope)}
          AND started_at < $until AND ended_at >= $since
          AND NOT ({INSIDE_SESSION})))"""


def fill(statement: str, scope: Scope, cut: CutSessions | None = None) -> str:
    """Fill the rollup placeholders of STATEMENT; `{cut_sessioned}` needs CUT."""
    if "{cut_sessioned}" in statement:
        if cut is None:
            raise ValueError("Statement reads cut sessions; pass them as cut")
        statement = statement.replace("{cut_sessioned}", cut_sessioned_sql(scope, cut))
    return (
        statement.replace("{load_path}", "load_path")
        .replace("{load_ms}", "load_ms")
        .replace("{scoped}", scoped_sql(scope))
        .replace("{sessioned}", "sessioned AS (SELECT * FROM scoped)")
        .replace("{session_filter}", session_filter(scope))
        .replace("{inside}", INSIDE_SESSION)
        .replace("{inside_search}", INSIDE_SEARCH)
        .replace("{filters}", filter_sql(scope))
    )


def bucket_bounds(scope: Scope) -> tuple[datetime, datetime]:
    """The first and last quarter-hour edges inside the period: buckets
    between them are read whole, the minutes outside them from events."""
    low = _EPOCH + -((_EPOCH - scope.start) // BUCKET) * BUCKET
    high = _EPOCH + ((scope.end - _EPOCH) // BUCKET) * BUCKET
    low = min(low, scope.end)
    return low, max(low, high)


def is_bucket_edge(moment: datetime) -> bool:
    return (moment - _EPOCH) % BUCKET == timedelta(0)


def run_statement(
    store: Store,
    report: str,
    name: str,
    scope: Scope,
    columns: Iterable[str] = (),
    extra: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Run statement NAME of REPORT's SQL file in SCOPE, on the rollups when
    they are current (its `scoped` and `sessioned` read them), else on raw
    events; rows as dicts."""
    statement = read_sql(report)[name]
    if rollups_are_current(store):
        return run_sql(store, fill(statement, scope), scope, extra)
    return run_sql(store, build_sql(statement, scope, columns), scope, extra)
