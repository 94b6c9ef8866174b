"""Realistic library traffic for the dashboard tests, sent over HTTP.

Sessions of patrons and librarians over the last days: searches (some finding
nothing, some clicked), item views, borrows, holds, feature use, API requests,
page loads, Web Vitals and errors. Script and HTML payloads ride in queries and
error messages, typed by enough people to pass the privacy threshold, so the
pages must show them, escaped.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

BROWSER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/126.0.0.0 Safari/537.36"
)
XSS_QUERY = "<script>alert('query')</script>"
XSS_MESSAGE = "<img src=x onerror=alert('error')> failed"
QUERIES = ["dune", "harry potter", "tolkien", "cook book", XSS_QUERY]
ZERO_RESULT_QUERIES = ["zzxqy", "necronomicon"]
ENDPOINTS = [("/api/items/{id}", "GET"), ("/api/search", "GET"), ("/api/loans", "POST")]
# Seven people per query keeps every query above the privacy threshold (k=5).
PEOPLE = 14
EXPERIMENT_KEY = "one-click-renewal"
EXPERIMENT = {
    "key": EXPERIMENT_KEY,
    "name": "One-click renewal button",
    "variants": ["control", "one-click"],
    "primary_metric": "borrow_conversion",
    "secondary_metrics": ["searches"],
}


def _event(
    name: str, at: datetime, person: dict[str, str], payload: dict[str, Any]
) -> dict[str, Any]:
    return {
        "event": name,
        "timestamp": at.isoformat(),
        "event_id": str(uuid.uuid4()),
        "anonymous_id": person["anonymous_id"],
        "session_id": person["session_id"],
        "persona": person["persona"],
        "interface": person["interface"],
        "page": {"path": "/search"},
        "payload": payload,
    }


def _search_session(
    rng: random.Random, person: dict[str, str], start: datetime, index: int
) -> list[dict[str, Any]]:
    at = start
    query = QUERIES[index % len(QUERIES)]
    variant = EXPERIMENT["variants"][int(person["anonymous_id"].split("-")[1]) % 2]
    events = [
        _event("experiment_exposure", at - timedelta(seconds=1), person, {
            "experiment": EXPERIMENT_KEY, "variant": variant,
        }),
        _event("page_viewed", at, person, {"path": "/search", "load_ms": 900}),
        _event("search_submitted", at + timedelta(seconds=5), person, {
            "query": query, "results_count": 12, "latency_ms": 100 + 10 * index,
        }),
        _event("result_clicked", at + timedelta(seconds=9), person, {
            "query": query, "item_id": f"item-{index % 4}", "position": 1 + index % 3,
        }),
        _event("item_viewed", at + timedelta(seconds=12), person, {
            "item_id": f"item-{index % 4}", "source": "search", "position": 1,
        }),
    ]
    if index % 2 == 0:
        events.append(_event("item_borrowed", at + timedelta(seconds=40), person, {
            "item_id": f"item-{index % 4}", "outcome": "success", "mode": "self",
        }))
    else:
        events.append(_event("hold_placed", at + timedelta(seconds=40), person, {
            "item_id": f"item-{index % 4}", "outcome": "success",
        }))
    zero_query = ZERO_RESULT_QUERIES[index % len(ZERO_RESULT_QUERIES)]
    events.append(_event("search_submitted", at + timedelta(seconds=70), person, {
        "query": zero_query, "results_count": 0, "latency_ms": 300 + rng.randint(0, 50),
    }))
    events.append(_event("feature_used", at + timedelta(seconds=80), person, {
        "feature": "advanced_search" if index % 3 else "export_list",
    }))
    return events


def _system_events(
    rng: random.Random, person: dict[str, str], start: datetime, index: int
) -> list[dict[str, Any]]:
    path, method = ENDPOINTS[index % len(ENDPOINTS)]
    status = 500 if index % 7 == 0 else 404 if index % 5 == 0 else 200
    return [
        _event("api_request", start, person, {
            "endpoint": path, "method": method, "status": status,
            "duration_ms": 20 + rng.randint(0, 200),
        }),
        _event("page_load", start, person, {
            "path": "/search", "ttfb_ms": 80, "dom_content_loaded_ms": 600,
            "load_ms": 900 + rng.randint(0, 900),
        }),
        _event("web_vital", start, person, {"name": "LCP", "value": 1800 + 100 * index}),
        _event("web_vital", start, person, {"name": "CLS", "value": 0.02 * (index % 8)}),
        _event("js_error", start, person, {
            "message": XSS_MESSAGE if index % 2 else "TypeError: x is undefined",
            "kind": "error", "source": "/static/app.js", "line": 10, "column": 3,
        }),
    ]


def library_traffic(now: datetime | None = None, seed: int = 7) -> list[dict[str, Any]]:
    """Events of PEOPLE people over the last three days."""
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    events: list[dict[str, Any]] = []
    for index in range(PEOPLE):
        is_librarian = index % 4 == 3
        for day in range(3):
            person = {
                "anonymous_id": f"device-{index}",
                "session_id": f"session-{index}-{day}",
                "persona": "librarian" if is_librarian else "patron",
                "interface": "staff" if is_librarian else "opac",
            }
            start = now - timedelta(days=day, hours=2, minutes=index)
            events += _search_session(rng, person, start, index + day)
            events += _system_events(rng, person, start, index + day)
    return events


def send_traffic(base_url: str, events: list[dict[str, Any]]) -> int:
    """POST EVENTS in batches as a browser would; return how many were accepted."""
    accepted = 0
    for start in range(0, len(events), 200):
        body = {
            "sent_at": datetime.now(UTC).isoformat(),
            "batch": events[start:start + 200],
        }
        response = httpx.post(
            f"{base_url}/api/telemetry", json=body, timeout=30,
            headers={"User-Agent": BROWSER_AGENT},
        )
        response.raise_for_status()
        accepted += int(response.json()["accepted"])
    return accepted


def send_refused_event(base_url: str) -> None:
    """An event of an unknown name, which ingest refuses and quarantines."""
    body = {"event": "made_up_event", "payload": {"x": 1}}
    response = httpx.post(
        f"{base_url}/api/telemetry", json=body, timeout=30,
        headers={"User-Agent": BROWSER_AGENT},
    )
    assert response.json()["rejected"], response.text
