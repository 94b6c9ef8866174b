"""The SDK end to end: an instrumented app reporting to the real service.

The middleware forwards each visitor's user agent, so a crawler's requests
are flagged as bot traffic while the SDK's own agent is not.
"""

from __future__ import annotations

import logging

import duckdb
import httpx
import pytest

from lms_telemetry.sdk import TelemetryClient
from tests.sdk.conftest import serve_asgi
from tests.sdk.test_asgi import make_app
from tests.service import Service

BROWSER = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/124.0.0.0 Safari/537.36"
)
CRAWLER = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def test_requests_and_exception_are_stored_by_the_service(service: Service) -> None:
    client = TelemetryClient(service.url + "/api/telemetry", app_version="3.1.0")
    with (
        serve_asgi(make_app(client)) as base_url,
        httpx.Client(base_url=base_url, headers={"user-agent": BROWSER}) as http,
    ):
        assert http.get("/items/7").status_code == 200
        assert http.post("/items/7/borrow").status_code == 409
        assert http.get("/search", headers={"user-agent": CRAWLER}).is_success
        # Last: uvicorn closes a connection on which the app raised.
        assert http.post("/loans/l-9/renew").status_code == 500
    client.close()
    assert client.drops == {}
    service.wait_loaded(5)
    assert service.status()["quarantined"] == 0
    service.stop()

    with duckdb.connect(str(service.db_path), read_only=True) as db:
        rows = db.execute(
            "SELECT event, endpoint, method, status, persona, app_version, is_bot,"
            " error_type FROM events ORDER BY event, status, endpoint"
        ).fetchall()
    assert rows == [
        (
            "api_request",
            "/items/{item_id:int}",
            "GET",
            200,
            "patron",
            "3.1.0",
            False,
            None,
        ),
        ("api_request", "/search", "GET", 200, "patron", "3.1.0", True, None),
        (
            "api_request",
            "/items/{item_id:int}/borrow",
            "POST",
            409,
            "patron",
            "3.1.0",
            False,
            None,
        ),
        (
            "api_request",
            "/loans/{loan_id}/renew",
            "POST",
            500,
            "patron",
            "3.1.0",
            False,
            None,
        ),
        (
            "backend_exception",
            "/loans/{loan_id}/renew",
            None,
            None,
            "patron",
            "3.1.0",
            False,
            "CatalogueFault",
        ),
    ]


def test_events_the_service_rejects_are_counted_as_drops(
    service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    client = TelemetryClient(service.url + "/api/telemetry")
    with caplog.at_level(logging.WARNING, logger="lms_telemetry.sdk.client"):
        assert client.track("no_such_event", {})
        assert client.flush()
        assert client.track("no_such_event", {})
        client.close()

    assert client.drops == {"rejected_by_server": 2}
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    message = warnings[0].getMessage()
    assert "rejected_by_server" in message
    assert "no_such_event" in message
