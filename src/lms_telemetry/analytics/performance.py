"""The performance report: API latency and failures per endpoint, page load
times per path, and Web Vitals at their 75th percentile with a rating.

Percentiles interpolate linearly between closest ranks over raw values. The
page load time is the `load_ms` that `page_load` carries in its payload.
"""

from __future__ import annotations

from typing import Any

from lms_telemetry.analytics._rollup_scope import run_statement
from lms_telemetry.analytics._scope import (
    DEFAULT_LIMIT,
    Bound,
    number,
    positive_int,
    rate,
    reject_unknown_options,
    resolve_scope,
)
from lms_telemetry.storage.base import Store

# Published thresholds (web.dev/articles/vitals): a value up to the first is
# good, above the second is poor; CLS has no unit, the others milliseconds.
WEB_VITAL_THRESHOLDS: dict[str, tuple[float, float]] = {
    "LCP": (2500.0, 4000.0),
    "INP": (200.0, 500.0),
    "CLS": (0.1, 0.25),
    "FCP": (1800.0, 3000.0),
    "TTFB": (800.0, 1800.0),
}


def rate_web_vital(name: str, value: float | None) -> str | None:
    """ "good", "needs-improvement" or "poor" for VALUE of vital NAME."""
    if value is None or name not in WEB_VITAL_THRESHOLDS:
        return None
    good, poor = WEB_VITAL_THRESHOLDS[name]
    if value <= good:
        return "good"
    return "needs-improvement" if value <= poor else "poor"


def report(
    store: Store,
    since: Bound,
    until: Bound,
    tz: str = "UTC",
    persona: str | None = None,
    interface: str | None = None,
    *,
    limit: Any = None,
    **options: Any,
) -> dict[str, Any]:
    """Endpoints and pages ordered by volume (at most LIMIT each); vitals in
    the order LCP, INP, CLS, FCP, TTFB."""
    reject_unknown_options("performance", options)
    scope = resolve_scope(since, until, tz, persona, interface)
    top = positive_int("limit", limit, DEFAULT_LIMIT)
    row = run_statement(
        store, "performance", "performance", scope, extra={"limit": top}
    )[0]
    return {
        "endpoints": [_endpoint(found) for found in row["endpoints"] or []],
        "pages": [_page(found) for found in row["pages"] or []],
        "web_vitals": _web_vitals(row["web_vitals"] or []),
    }


def _endpoint(found: dict[str, Any]) -> dict[str, Any]:
    p50, p95, p99 = found["duration_quantiles"] or (None, None, None)
    return {
        "endpoint": found["endpoint"],
        "method": found["method"],
        "requests": found["requests"],
        "server_error_rate": rate(found["server_errors"], found["requests"]),
        "client_error_rate": rate(found["client_errors"], found["requests"]),
        "p50_ms": number(p50),
        "p95_ms": number(p95),
        "p99_ms": number(p99),
    }


def _page(found: dict[str, Any]) -> dict[str, Any]:
    p50, p95 = found["load_quantiles"] or (None, None)
    return {
        "path": found["path"],
        "loads": found["loads"],
        "p50_load_ms": number(p50),
        "p95_load_ms": number(p95),
    }


def _web_vitals(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    order = list(WEB_VITAL_THRESHOLDS)
    found = sorted(
        found,
        key=lambda row: (
            order.index(row["name"]) if row["name"] in order else len(order),
            row["name"],
        ),
    )
    return [
        {
            "name": row["name"],
            "samples": row["samples"],
            "p75": number(row["p75"]),
            "rating": rate_web_vital(row["name"], number(row["p75"])),
        }
        for row in found
    ]
