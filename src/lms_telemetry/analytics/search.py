"""The search report: how patrons search and whether they find.

Follows ARCHITECTURE.md: a search is a `search_submitted`; it is clicked when
a `result_clicked` with the same normalized query follows it in the session
before the next search; a reformulation is a search followed within 60 s in
the session by another search with no click between. Queries appear only
when `min_ids` distinct pseudonymous ids searched them; the rest are counted
in `other`.
"""

from __future__ import annotations

from typing import Any

from lms_telemetry.analytics import _rollup_scope as rolled
from lms_telemetry.analytics._scope import (
    DEFAULT_LIMIT,
    DEFAULT_MIN_IDS,
    Bound,
    Scope,
    build_sql,
    number,
    positive_int,
    rate,
    read_sql,
    reject_unknown_options,
    resolve_scope,
    run_sql,
)
from lms_telemetry.storage.base import Store

_COLUMNS = [
    "event",
    "event_id",
    "query_normalized",
    "results_count",
    "latency_ms",
    "position",
]


def report(
    store: Store,
    since: Bound,
    until: Bound,
    tz: str = "UTC",
    persona: str | None = None,
    interface: str | None = None,
    *,
    min_ids: Any = None,
    limit: Any = None,
    **options: Any,
) -> dict[str, Any]:
    """Search figures; query lists hold at most LIMIT rows each."""
    reject_unknown_options("search", options)
    scope = resolve_scope(since, until, tz, persona, interface)
    threshold = positive_int("min_ids", min_ids, DEFAULT_MIN_IDS)
    top = positive_int("limit", limit, DEFAULT_LIMIT)
    cut = (
        rolled.find_cut_sessions(store, scope)
        if rolled.rollups_are_current(store)
        else None
    )
    sql = search_sql(scope, cut)
    row = run_sql(store, sql, scope, {"min_ids": threshold, "limit": top})[0]
    searches = row["searches"]
    p50, p95, p99 = row["latency_quantiles"] or (None, None, None)

    return {
        "searches": searches,
        "zero_result_rate": rate(row["zero_result_searches"], searches),
        "click_through_rate": rate(row["clicked_searches"], searches),
        "mean_click_position": number(row["mean_click_position"]),
        "reformulation_rate": rate(row["reformulated_searches"], searches),
        "suggestion_clicks": row["suggestion_clicks"] or 0,
        "mean_suggestion_position": number(row["mean_suggestion_position"]),
        "latency_ms": {"p50": number(p50), "p95": number(p95), "p99": number(p99)},
        "top_queries": row["top_queries"] or [],
        "zero_result_queries": row["zero_result_queries"] or [],
        "other": row["other"] or {"queries": 0, "searches": 0},
        "min_ids": threshold,
    }


def search_sql(scope: Scope, cut: rolled.CutSessions | None) -> str:
    """The statement of the report: on the rollups, given the sessions the
    period cuts, or on raw events (CUT is None)."""
    pieces = read_sql("search")
    if cut is None:
        ctes = ["{scoped}", "{sessioned}", pieces["judging"], pieces["raw_judged"]]
        statement = "WITH " + ",\n".join(ctes) + ",\n" + pieces["summary"]
        return build_sql(statement, scope, _COLUMNS)
    ctes = ["{scoped}", "{cut_sessioned}", pieces["judging"], pieces["rolled_up"]]
    statement = "WITH " + ",\n".join(ctes) + ",\n" + pieces["summary"]
    return rolled.fill(statement, scope, cut)
