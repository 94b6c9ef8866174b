"""Prometheus metrics of the service, shared by all its processes.

With several ingest processes, prometheus-client's multiprocess mode keeps
each process's values in files under PROMETHEUS_MULTIPROC_DIR and adds them
up when `/metrics` is read; the variable must be set before this module is
imported, which `lms-telemetry serve` does.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

EVENTS_ACCEPTED = Counter(
    "lms_telemetry_events_accepted_total", "Events accepted and made durable."
)
EVENTS_REFUSED = Counter(
    "lms_telemetry_events_refused_total",
    "Events or bodies refused, by reason.",
    ["reason"],
)
EVENTS_DUPLICATE = Counter(
    "lms_telemetry_events_duplicate_total", "Events sent again with a known event id."
)
EVENTS_LOADED = Counter(
    "lms_telemetry_events_loaded_total", "Events the loader stored in the database."
)
SPOOL_BACKLOG = Gauge(
    "lms_telemetry_spool_backlog_bytes",
    "Spool bytes not yet loaded into the database.",
    multiprocess_mode="max",
)
REQUEST_SECONDS = Histogram(
    "lms_telemetry_request_duration_seconds",
    "Time to answer an ingestion request.",
    ["status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)


def render_metrics() -> tuple[bytes, str]:
    """The exposition text of every process's metrics."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST
