"""The performance report: endpoints, pages and Web Vitals."""

from __future__ import annotations

import numpy as np
import pytest

from lms_telemetry.analytics import performance
from lms_telemetry.storage import Store
from tests.analytics.events import at, load, make_event

DAY = ("2024-05-06", "2024-05-07")


def test_endpoint_error_shares_and_percentiles(store: Store) -> None:
    statuses = [200] * 6 + [404, 404, 500, 503]
    durations = [10.0, 20, 30, 40, 50, 60, 70, 80, 90, 5000]
    rows = [
        make_event(
            "api_request",
            at(n),
            endpoint="/api/loans",
            method="POST",
            status=s,
            duration_ms=d,
        )
        for n, (s, d) in enumerate(zip(statuses, durations, strict=True))
    ]
    rows.append(
        make_event(
            "api_request",
            at(1),
            endpoint="/api/x",
            method="GET",
            status=200,
            duration_ms=1.0,
        )
    )
    load(store, rows)
    endpoints = performance.report(store, *DAY)["endpoints"]
    assert endpoints[0] == pytest.approx(
        {
            "endpoint": "/api/loans",
            "method": "POST",
            "requests": 10,
            "server_error_rate": 0.2,
            "client_error_rate": 0.2,
            "p50_ms": float(np.percentile(durations, 50)),
            "p95_ms": float(np.percentile(durations, 95)),
            "p99_ms": float(np.percentile(durations, 99)),
        }
    )
    assert endpoints[1]["requests"] == 1


def test_pages_use_payload_load_time(store: Store) -> None:
    loads = [800.0, 1200.0, 3000.0]
    load(
        store,
        [
            make_event("page_load", at(n), payload={"path": "/search", "load_ms": v})
            for n, v in enumerate(loads)
        ],
    )
    pages = performance.report(store, *DAY)["pages"]
    assert len(pages) == 1
    assert pages[0] == pytest.approx(
        {
            "path": "/search",
            "loads": 3,
            "p50_load_ms": float(np.percentile(loads, 50)),
            "p95_load_ms": float(np.percentile(loads, 95)),
        }
    )


def test_web_vitals_p75_rated_by_published_thresholds(store: Store) -> None:
    samples = {
        "LCP": [2000.0, 2400, 2600, 5000],
        "CLS": [0.3, 0.3, 0.3, 0.3],
        "INP": [100.0, 150, 250, 300],
    }
    load(
        store,
        [
            make_event("web_vital", at(0), metric_name=name, metric_value=v)
            for name, values in samples.items()
            for v in values
        ],
    )
    vitals = performance.report(store, *DAY)["web_vitals"]
    p75 = {name: float(np.percentile(values, 75)) for name, values in samples.items()}
    assert vitals == [
        {"name": "LCP", "samples": 4, "p75": p75["LCP"], "rating": "needs-improvement"},
        {"name": "INP", "samples": 4, "p75": p75["INP"], "rating": "needs-improvement"},
        {"name": "CLS", "samples": 4, "p75": p75["CLS"], "rating": "poor"},
    ]
    assert performance.rate_web_vital("LCP", 2500.0) == "good"
    assert performance.rate_web_vital("TTFB", 1800.1) == "poor"


def test_empty_period_has_empty_lists(store: Store) -> None:
    assert performance.report(store, *DAY) == {
        "endpoints": [],
        "pages": [],
        "web_vitals": [],
    }
