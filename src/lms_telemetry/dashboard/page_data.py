"""What each report page shows: report results arranged as tiles and charts.

Every number comes from a report function of `lms_telemetry.analytics`,
called with the page's filters, the same call the report API makes; this
module only picks and arranges, it never computes a figure of its own.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from lms_telemetry.config import Config
from lms_telemetry.dashboard.charts import (
    Chart,
    Series,
    chart_from_mapping,
    chart_from_rows,
    heat_map,
)
from lms_telemetry.dashboard.filters import ReportFilters
from lms_telemetry.storage.base import Store

logger = logging.getLogger(__name__)

Context = dict[str, Any]


def run_report(
    store: Store, name: str, filters: ReportFilters, config: Config, **options: Any
) -> dict[str, Any]:
    """The report NAME for the page's filters, with the options the
    configuration gives it: the same call the report API makes."""
    from lms_telemetry import analytics

    return analytics.run_report(
        name, store, **filters.report_arguments(), config=config, **options
    )


ReportCall = tuple[str, ReportFilters, dict[str, Any]]
# DuckDB runs each query on every core; a few calls at once still overlap
# the single-threaded parts of each (planning, Python post-processing).
MAX_PARALLEL_REPORTS = 4


def run_reports(
    store: Store, config: Config, calls: list[ReportCall]
) -> list[dict[str, Any]]:
    """Several report calls at once, answers in the order of CALLS."""
    if len(calls) == 1:
        name, filters, options = calls[0]
        return [run_report(store, name, filters, config, **options)]
    workers = min(len(calls), MAX_PARALLEL_REPORTS)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [
            pool.submit(run_report, store, name, filters, config, **options)
            for name, filters, options in calls
        ]
        return [future.result() for future in futures]


def previous_period(filters: ReportFilters) -> ReportFilters:
    """The period of the same length just before, for trends."""
    length = filters.until - filters.since
    return replace(
        filters, period="custom", since=filters.since - length, until=filters.since
    )


def overview_context(
    store: Store, filters: ReportFilters, config: Config
) -> Context:
    overview, sessions = run_reports(
        store, config, [("overview", filters, {}), ("sessions", filters, {})]
    )
    daily = overview["daily"]
    return {
        "overview": overview,
        "sessions": sessions,
        "charts": [
            chart_from_rows(
                "daily", "Events and sessions per day", "line", daily, "day",
                [("events", "Events"), ("sessions", "Sessions")], "Day",
            ),
            chart_from_mapping(
                "by-persona", "Events by persona", "doughnut",
                overview["by_persona"], "Events", "Persona",
            ),
            chart_from_mapping(
                "by-category", "Events by category", "horizontal-bar",
                overview["by_category"], "Events", "Category",
            ),
            chart_from_rows(
                "sessions-by-persona", "Median session duration by persona",
                "bar", sessions["by_persona"], "persona",
                [("median_duration_seconds", "Median duration (s)")], "Persona",
                value_format="seconds",
            ),
        ],
    }


def features_context(
    store: Store, filters: ReportFilters, config: Config
) -> Context:
    features = run_report(store, "features", filters, config)
    rows = features["rows"]
    return {
        "features": features,
        "charts": [
            heat_map(
                "features-heat-map", "Events per feature and persona", rows,
                "persona", "feature", "events",
            )
        ],
    }


def workflows_context(
    store: Store, filters: ReportFilters, config: Config
) -> Context:
    funnels = run_report(store, "funnels", filters, config)["funnels"]
    charts = [
        chart_from_rows(
            f"funnel-{index}", f"Sessions reaching each step: {funnel['name']}",
            "bar", funnel["steps"], "step", [("sessions", "Sessions")], "Step",
        )
        for index, funnel in enumerate(funnels)
    ]
    return {"funnels": list(zip(funnels, charts))}


def search_context(
    store: Store, filters: ReportFilters, config: Config
) -> Context:
    search, before = run_reports(
        store, config,
        [("search", filters, {}), ("search", previous_period(filters), {})],
    )
    charts = [
        chart_from_rows(
            "top-queries", "Most frequent queries", "horizontal-bar",
            search["top_queries"][:10], "query",
            [("searches", "Searches"), ("clicked_searches", "Clicked searches")],
            "Query",
        )
    ]
    if search.get("daily"):
        charts.insert(0, chart_from_rows(
            "search-daily", "Searches per day", "line", search["daily"], "day",
            [("searches", "Searches")], "Day",
        ))
    else:
        charts.insert(0, _comparison_chart(search, before))
    return {"search": search, "before": before, "charts": charts}


def _comparison_chart(search: dict[str, Any], before: dict[str, Any]) -> Chart:
    keys = [
        ("zero_result_rate", "Zero-result rate"),
        ("click_through_rate", "Click-through rate"),
        ("reformulation_rate", "Reformulation rate"),
    ]
    return Chart(
        "search-trend", "Search rates, this period against the previous one",
        "bar", [label for _, label in keys],
        [
            Series("Previous period", [before[key] for key, _ in keys]),
            Series("This period", [search[key] for key, _ in keys]),
        ],
        label_heading="Rate", value_format="percent",
    )


def content_context(
    store: Store, filters: ReportFilters, config: Config
) -> Context:
    content = run_report(store, "content", filters, config)
    items = content["items"]
    labelled = [
        {**item, "label": item.get("title") or item["item_id"]} for item in items
    ]
    return {
        "content": content,
        "has_titles": any("title" in item for item in items),
        "charts": [
            chart_from_rows(
                "top-items", "Most borrowed items", "horizontal-bar",
                labelled[:10], "label",
                [("borrows", "Borrows"), ("holds", "Holds"), ("views", "Views")],
                "Item",
            )
        ],
    }


def performance_context(
    store: Store, filters: ReportFilters, config: Config
) -> Context:
    performance = run_report(store, "performance", filters, config)
    endpoints = [
        {**row, "label": f"{row['method']} {row['endpoint']}"}
        for row in performance["endpoints"]
    ]
    return {
        "performance": performance,
        "endpoints": endpoints,
        "charts": [
            chart_from_rows(
                "endpoint-latency", "Latency per endpoint (ms)", "horizontal-bar",
                endpoints[:15], "label",
                [("p50_ms", "p50"), ("p95_ms", "p95"), ("p99_ms", "p99")],
                "Endpoint", value_format="ms",
            ),
            chart_from_rows(
                "endpoint-errors", "Error rates per endpoint", "horizontal-bar",
                endpoints[:15], "label",
                [("server_error_rate", "5xx"), ("client_error_rate", "4xx")],
                "Endpoint", value_format="percent",
            ),
            chart_from_rows(
                "page-loads", "Page load time (ms)", "horizontal-bar",
                performance["pages"][:15], "path",
                [("p50_load_ms", "p50"), ("p95_load_ms", "p95")],
                "Page", value_format="ms",
            ),
        ],
    }


def errors_context(
    store: Store, filters: ReportFilters, config: Config
) -> Context:
    buckets = sparkline_buckets(filters)
    # Buckets ask with min_ids 1 and no row limit, so a group shown (it passed
    # the privacy threshold over the whole period) is counted in every bucket;
    # only groups the whole-period report shows are drawn.
    answers = run_reports(
        store, config,
        [("errors", filters, {})]
        + [("errors", bucket, {"min_ids": 1, "limit": MAX_ROWS}) for bucket in buckets],
    )
    groups = answers[0]["groups"]
    return {
        "errors": answers[0],
        "groups": [displayed_error_group(group) for group in groups],
        "sparklines": error_sparklines(groups, buckets, answers[1:]),
    }


def displayed_error_group(group: dict[str, Any]) -> dict[str, Any]:
    """An error group as the page shows it: the type once, whole seconds."""
    message = group["message"] or ""
    prefix = f"{group['type']}: " if group["type"] else None
    if prefix and message.startswith(prefix):
        message = message[len(prefix):]
    return {
        **group,
        "message": message,
        "first_seen": time_to_seconds(group["first_seen"]),
        "last_seen": time_to_seconds(group["last_seen"]),
    }


def time_to_seconds(text: str | None) -> str | None:
    """An RFC 3339 time without its fraction of a second."""
    if text is None:
        return None
    return datetime.fromisoformat(text).replace(microsecond=0).isoformat()


# Buckets of a sparkline; each is one call of the errors report.
SPARKLINE_BUCKETS = 7
MAX_ROWS = 10_000


def sparkline_buckets(filters: ReportFilters) -> list[ReportFilters]:
    """The period cut into at most SPARKLINE_BUCKETS runs of whole days."""
    days = (filters.until - filters.since).days
    step = max(1, -(-days // SPARKLINE_BUCKETS))
    buckets = []
    start = filters.since
    while start < filters.until:
        end = min(start + timedelta(days=step), filters.until)
        buckets.append(replace(filters, period="custom", since=start, until=end))
        start = end
    return buckets


def error_sparklines(
    groups: list[dict[str, Any]],
    buckets: list[ReportFilters],
    answers: list[dict[str, Any]],
) -> dict[str, Chart]:
    """Events per bucket for each group shown, from one errors answer per
    bucket.

    TODO: one errors report call per bucket; a per-day series in the errors
    report itself would make this one call.
    """
    labels = [bucket.since.isoformat() for bucket in buckets]
    per_bucket = [
        {group["fingerprint"]: group["events"] for group in answer["groups"]}
        for answer in answers
    ]
    return {
        group["fingerprint"]: Chart(
            f"spark-{index}", "Events over the period", "sparkline", labels,
            [Series("Events", [found.get(group["fingerprint"], 0)
                               for found in per_bucket])],
            label_heading="From",
        )
        for index, group in enumerate(groups)
    }
