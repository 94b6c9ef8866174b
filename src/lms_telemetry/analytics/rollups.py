"""Report rollups: what the reports need from events, computed ahead.

`refresh_rollups` brings the rollup tables (migration 0006) up to date with
`events`; the loader calls it after each load round. It rolls up only events
added since the last refresh (by row id) and keys again the sessions of the
pseudonymous ids and session ids they touch, so a late event that joins,
splits or bridges sessions is accounted for. When events were deleted
(erasure, retention) or the rollups were never built, it rebuilds them.
Reports read the rollups only while they are current
(`_rollup_scope.rollups_are_current`), otherwise raw events.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from lms_telemetry.analytics import funnels
from lms_telemetry.analytics._rollup_scope import KEY_COLUMNS
from lms_telemetry.analytics._scope import (
    LOAD_MS_SQL,
    LOAD_PATH_SQL,
    SESSION_GAP_MINUTES,
    read_sql,
)
from lms_telemetry.storage.base import Store

logger = logging.getLogger(__name__)

# Filter kind -> the columns whose value a filter of that kind fixes.
KIND_PARTS: dict[str, tuple[str, ...]] = {
    "all": (),
    "persona": ("persona",),
    "interface": ("interface",),
    "both": ("persona", "interface"),
}
_ROLLUP_TABLES = (
    "report_events",
    "report_sessions",
    "report_searches",
    "report_counts",
    "report_pseudonyms",
    "report_session_ids",
    "report_rollup_state",
)
# Keys of sessions with a session_id are owner * 64 - n for the n-th filter
# value pair (at most 5 x 5); 30-minute runs are owner * 2**32 + run number.
_SESSION_ID_SPACING = 64
_RUN_SPACING = 2**32


def refresh_rollups(store: Store) -> None:
    """Bring the rollups up to date with events, incrementally when only
    events were added since the last refresh, in one transaction. Cheap when
    nothing changed, so the loader may call it every round."""
    if store.dialect != "duckdb" or _is_unchanged(store):
        return
    started = time.perf_counter()
    store.execute("BEGIN TRANSACTION")
    try:
        added = _refresh(store)
        store.execute("COMMIT")
    except BaseException:
        store.execute("ROLLBACK")
        raise
    logger.debug(
        "refreshed report rollups",
        extra={"events": added, "seconds": time.perf_counter() - started},
    )


def _is_unchanged(store: Store) -> bool:
    # Count, last row id and latest receipt unchanged: nothing was added, and
    # a deletion would have to be matched by as many events received no later.
    row = store.query(
        "SELECT s.events = (SELECT count(*) FROM events)"
        " AND s.max_rowid = (SELECT coalesce(max(rowid), -1) FROM events)"
        " AND s.max_received_at IS NOT DISTINCT FROM"
        " (SELECT max(received_at) FROM events)"
        " FROM report_rollup_state AS s WHERE s.name = 'events'"
    ).scalar()
    return bool(row)


def rebuild_rollups(store: Store) -> None:
    """Build the rollups from scratch."""
    store.execute("BEGIN TRANSACTION")
    try:
        _clear(store)
        _roll_up(store, _state_now(store), watermark=-1)
        store.execute("COMMIT")
    except BaseException:
        store.execute("ROLLBACK")
        raise


def _refresh(store: Store) -> int:
    now = _state_now(store)
    saved = store.query(
        "SELECT events, max_rowid, received_sum FROM report_rollup_state"
        " WHERE name = 'events'"
    ).dicts()
    if not saved:
        _clear(store)
        return _roll_up(store, now, watermark=-1)
    watermark = saved[0]["max_rowid"]
    added = _query(store, "state_added", {"watermark": watermark})[0]
    # Only appends happened when the totals grew by exactly the new rows;
    # otherwise events were deleted (and row ids may have moved): rebuild.
    is_append_only = (
        now["events"] == saved[0]["events"] + added["events"]
        and now["received_sum"] == saved[0]["received_sum"] + added["received_sum"]
    )
    if not is_append_only:
        logger.info("events were deleted; rebuilding report rollups")
        _clear(store)
        watermark = -1
    return _roll_up(store, now, watermark)


def _state_now(store: Store) -> dict[str, Any]:
    return _query(store, "state_now", {})[0]


def _clear(store: Store) -> None:
    for table in _ROLLUP_TABLES:
        store.execute(f"DELETE FROM {table}")


def _roll_up(store: Store, now: dict[str, Any], watermark: int) -> int:
    """Roll up the events after row id WATERMARK; return how many."""
    if now["max_rowid"] > watermark:
        params = {"watermark": watermark}
        for name in ("code_pseudonyms", "code_session_ids", "count_added"):
            _execute(store, name, params)
        _execute(store, "stage_added", params, load_columns=True)
        _execute(store, "stage_owners", {})
        store.execute(_keyed_sql())
        _execute(store, "replace_events", {})
        for kind in KIND_PARTS:
            store.execute(_sessions_sql(kind))
            store.execute(_searches_sql(kind))
        _execute(store, "drop_staged", {})
    _execute(store, "save_state", now)
    return int(now["max_rowid"] - watermark)


def _keyed_sql() -> str:
    starts, keys = [], []
    for kind, parts in KIND_PARTS.items():
        window = f"PARTITION BY {', '.join(['owner', *parts])}"
        previous = f"lag(event_time) OVER ({window} ORDER BY event_time, event_id)"
        starts.append(
            f"CASE WHEN {previous} IS NULL THEN 1 WHEN owner > 0 AND event_time"
            f" - {previous} > INTERVAL {SESSION_GAP_MINUTES} MINUTE THEN 1"
            f" ELSE 0 END AS run_start_{kind}"
        )
        # Runs are numbered across the kind's filter values, so that a key
        # is unique within its kind.
        order = ", ".join([*parts, "event_time", "event_id"])
        runs = (
            f"sum(run_start_{kind}) OVER (PARTITION BY owner ORDER BY {order}"
            " ROWS UNBOUNDED PRECEDING)"
        )
        keys.append(
            f"CASE WHEN owner < 0 THEN owner * {_SESSION_ID_SPACING} - {runs}"
            f" WHEN owner > 0 THEN owner * {_RUN_SPACING} + {runs}"
            f" END::BIGINT AS {KEY_COLUMNS[kind]}"
        )
    return (
        read_sql("rollups")["stage_keyed"]
        .replace("{key_columns}", ", ".join(KEY_COLUMNS.values()))
        .replace("{run_starts}", ", ".join(starts))
        .replace("{run_start_columns}", ", ".join(f"run_start_{k}" for k in KIND_PARTS))
        .replace("{keys}", ", ".join(keys))
    )


def _kind_sql(statement: str, kind: str, prefix: str = "") -> str:
    parts = KIND_PARTS[kind]
    return (
        statement.replace("{kind}", kind)
        .replace("{key}", KEY_COLUMNS[kind])
        .replace("{key_columns}", ", ".join(KEY_COLUMNS.values()))
        .replace(
            "{persona_part}",
            f"{prefix}persona" if "persona" in parts else "NULL::VARCHAR",
        )
        .replace(
            "{interface_part}",
            f"{prefix}interface" if "interface" in parts else "NULL::VARCHAR",
        )
    )


def _sessions_sql(kind: str) -> str:
    # The borrow funnel has no window.
    chains = ",\n".join(funnels.chain_ctes(funnels.BORROW_FUNNEL))
    statement = read_sql("rollups")["insert_sessions"].replace(
        "{borrow_chains}", chains.replace("$window_minutes", "NULL::DOUBLE")
    )
    statement = statement.replace(
        "{persona_part} AS persona_part", _any("persona", kind) + " AS persona_part"
    ).replace(
        "{interface_part} AS interface_part",
        _any("interface", kind) + " AS interface_part",
    )
    return _kind_sql(statement, kind)


def _any(column: str, kind: str) -> str:
    return f"any_value({column})" if column in KIND_PARTS[kind] else "NULL::VARCHAR"


def _searches_sql(kind: str) -> str:
    statement = read_sql("rollups")["insert_searches"].replace(
        "{judging}", read_sql("search")["judging"]
    )
    return _kind_sql(statement, kind, prefix="j.")


def _query(store: Store, name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    return store.query(read_sql("rollups")[name], params).dicts()


def _execute(
    store: Store, name: str, params: dict[str, Any], load_columns: bool = False
) -> None:
    sql = read_sql("rollups")[name]
    if load_columns:  # payload and page_path are names of events alone
        sql = sql.replace("{load_path}", LOAD_PATH_SQL)
        sql = sql.replace("{load_ms}", LOAD_MS_SQL)
    for statement in filter(None, (part.strip() for part in sql.split(";"))):
        used = {key: value for key, value in params.items() if f"${key}" in statement}
        store.execute(statement, used)
