"""Data quality for admins: what was accepted, refused and still waiting.

Accepted events and the quarantine total come from the overview report; this
module adds what no report covers: quarantined bodies per reason and the
bytes of spool not yet loaded.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from lms_telemetry.config import Config
from lms_telemetry.dashboard.charts import chart_from_rows
from lms_telemetry.dashboard.filters import ReportFilters
from lms_telemetry.dashboard.page_data import Context, run_report
from lms_telemetry.storage.base import Store


def period_bounds(filters: ReportFilters) -> tuple[datetime, datetime]:
    """The period's first and first-excluded instants, days cut in its zone."""
    zone = ZoneInfo(filters.tz)
    return (
        datetime.combine(filters.since, time(), zone),
        datetime.combine(filters.until, time(), zone),
    )


def quarantine_by_reason(store: Store, filters: ReportFilters) -> list[dict[str, Any]]:
    start, end = period_bounds(filters)
    return store.query(
        "SELECT reason, count(*) AS bodies, max(received_at) AS last_received_at"
        " FROM quarantine WHERE received_at >= ? AND received_at < ?"
        " GROUP BY reason ORDER BY bodies DESC, reason",
        [start, end],
    ).dicts()


def spool_backlog_bytes(config: Config) -> int | None:
    """Spool bytes written by ingest and not yet loaded; None without a spool."""
    from lms_telemetry.ingest.spool import backlog_bytes

    directory = config.spool_path
    return backlog_bytes(directory) if directory.is_dir() else None


COUNTERS = {
    "lms_telemetry_events_accepted": "accepted",
    "lms_telemetry_events_duplicate": "duplicates",
    "lms_telemetry_events_loaded": "loaded",
}


def service_counters() -> dict[str, Any]:
    """Counts since the service started, summed over its processes."""
    from prometheus_client.parser import text_string_to_metric_families

    from lms_telemetry.api.metrics import render_metrics

    body, _ = render_metrics()
    counts: dict[str, Any] = {"refused": {}}
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            if sample.name.endswith("_created"):
                continue
            name = sample.name.removesuffix("_total")
            if name in COUNTERS:
                counts[COUNTERS[name]] = int(sample.value)
            elif name == "lms_telemetry_events_refused":
                counts["refused"][sample.labels.get("reason", "")] = int(sample.value)
    return counts


def quality_context(store: Store, filters: ReportFilters, config: Config) -> Context:
    overview = run_report(store, "overview", filters, config)
    reasons = quarantine_by_reason(store, filters)
    return {
        "overview": overview,
        "accepted": overview["events"] + overview["bots_excluded"],
        "reasons": reasons,
        "backlog_bytes": spool_backlog_bytes(config),
        "counters": service_counters(),
        "charts": [
            chart_from_rows(
                "quarantine-reasons", "Quarantined bodies by reason",
                "horizontal-bar", reasons, "reason", [("bodies", "Bodies")],
                "Reason",
            )
        ],
    }
