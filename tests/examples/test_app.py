"""The example site served on loopback, reporting to a capturing endpoint."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator

import httpx
import pytest

from examples.opac.app import DEFAULT_CATALOG, create_app
from lms_telemetry.sdk import TelemetryClient
from tests.sdk.conftest import (
    Receiver,
    assert_valid_events,
    serve_asgi,
)

TELEMETRY_URL = "http://telemetry.invalid:9"


@pytest.fixture
def site(receiver: Receiver) -> Iterator[tuple[httpx.Client, TelemetryClient]]:
    client = TelemetryClient(receiver.url)
    app = create_app(
        DEFAULT_CATALOG,
        TELEMETRY_URL,
        "site-key",
        fault_rate=0.0,
        telemetry_client=client,
    )
    with serve_asgi(app) as base_url, httpx.Client(base_url=base_url) as http:
        yield http, client
    client.close()


def test_pages_load_the_browser_client_from_the_service(
    site: tuple[httpx.Client, TelemetryClient],
) -> None:
    http, _ = site
    for path, persona, interface in [
        ("/", "patron", "opac"),
        ("/staff", "librarian", "staff"),
        ("/admin", "admin", "staff"),
        ("/it/status", "it", "staff"),
    ]:
        page = http.get(path).text
        assert f'<script src="{TELEMETRY_URL}/telemetry_client.js"></script>' in page
        assert 'endpoint: telemetry_url + "/api/telemetry"' in page
        assert f'persona: "{persona}"' in page
        assert f'interface: "{interface}"' in page
        assert 'writeKey: "site-key"' in page


def test_search_lists_matching_titles_most_popular_first(
    site: tuple[httpx.Client, TelemetryClient],
) -> None:
    http, _ = site
    page = http.get("/search", params={"q": "charles DICK"}).text
    count = int(re.search(r'data-results-count="(\d+)"', page).group(1))  # type: ignore[union-attr]
    assert count == 6
    first = re.search(r'data-item-id="(\d+)"[^>]*>([^<]+)</a>', page)
    with DEFAULT_CATALOG.open(encoding="utf-8", newline="") as handle:
        dickens = [
            r for r in csv.DictReader(handle) if r["authors"] == "Charles Dickens"
        ]
    most_popular = max(dickens, key=lambda row: int(row["ratings_count"]))
    assert len(dickens) == count
    assert first is not None and first.group(2) == most_popular["title"]
    assert "0 results" in http.get("/search", params={"q": "charles dikens"}).text
    suggestions = http.get("/api/suggest", params={"q": "sherlo"}).json()
    assert suggestions["suggestions"] == ["The Adventures of Sherlock Holmes"]


def test_borrow_renew_and_hold_report_route_templates(
    site: tuple[httpx.Client, TelemetryClient], receiver: Receiver
) -> None:
    http, client = site
    http.post("/login", data={"card": "P00002"})
    borrowed = http.post("/items/1/borrow").json()
    assert borrowed["outcome"] == "success"
    renewed = http.post(f"/loans/{borrowed['loan_id']}/renew")
    assert renewed.json()["outcome"] == "success"
    assert http.post("/items/1/holds").json()["reason"] == "already_on_loan"
    assert http.get("/account/loans").status_code == 200
    receiver.await_events(client, 5)

    assert_valid_events(receiver.events)
    seen = [
        (e["payload"]["endpoint"], e["payload"]["status"], e["persona"])
        for e in receiver.named("api_request")
    ]
    assert seen == [
        ("/login", 303, "patron"),
        ("/items/{book_id:int}/borrow", 200, "patron"),
        ("/loans/{loan_id:int}/renew", 200, "patron"),
        ("/items/{book_id:int}/holds", 409, "patron"),
        ("/account/loans", 200, "patron"),
    ]


def test_circulation_fault_becomes_backend_exception(receiver: Receiver) -> None:
    client = TelemetryClient(receiver.url)
    app = create_app(
        DEFAULT_CATALOG, TELEMETRY_URL, fault_rate=1.0, telemetry_client=client
    )
    with serve_asgi(app) as base_url:
        response = httpx.post(
            base_url + "/staff/checkout", json={"card": "P1", "book_id": "3"}
        )
        assert response.status_code == 500
        receiver.await_events(client, 2)
    client.close()
    (exception,) = receiver.named("backend_exception")
    assert exception["persona"] == "librarian"
    assert exception["payload"]["type"] == "CirculationTimeout"
    assert exception["payload"]["endpoint"] == "/staff/checkout"
