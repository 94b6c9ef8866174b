"""The WSGI middleware on a real Flask app served by Werkzeug on loopback."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from lms_telemetry.sdk import RetryPolicy, TelemetryClient, instrument_flask
from tests.sdk.conftest import (
    Receiver,
    assert_valid_events,
    closed_port_url,
    serve_wsgi,
)

flask = pytest.importorskip("flask")

SLOW_SECONDS = 0.12


class HoldQueueFault(RuntimeError):
    pass


def make_app(client: TelemetryClient | None) -> object:
    app = flask.Flask("opac_under_test")

    @app.get("/items/<int:item_id>")
    def show_item(item_id: int) -> object:
        return {"item": item_id}

    @app.get("/search")
    def slow_search() -> str:
        time.sleep(SLOW_SECONDS)
        return "results"

    @app.post("/items/<int:item_id>/holds")
    def place_hold(item_id: int) -> tuple[str, int]:
        return "already held", 409

    @app.post("/holds/<hold_id>/cancel")
    def cancel_hold(hold_id: str) -> str:
        queue_owner = "patron-SECRET-77"
        raise HoldQueueFault(f"hold queue corrupt ({len(queue_owner)})")

    if client is not None:
        instrument_flask(app, client, lambda environ: {"persona": "librarian"})
    return app


@pytest.fixture
def instrumented(receiver: Receiver) -> Iterator[tuple[str, TelemetryClient]]:
    client = TelemetryClient(receiver.url, "key")
    with serve_wsgi(make_app(client)) as base_url:
        yield base_url, client
    client.close()


def test_each_request_becomes_one_api_request_event(
    instrumented: tuple[str, TelemetryClient], receiver: Receiver
) -> None:
    base_url, client = instrumented
    with httpx.Client(base_url=base_url) as http:
        assert http.get("/items/8").json() == {"item": 8}
        started = time.perf_counter()
        assert http.get("/search").text == "results"
        slow_wall_ms = (time.perf_counter() - started) * 1000
        assert http.post("/items/8/holds").status_code == 409
        assert http.get("/items/not-a-number").status_code == 404
    receiver.await_events(client, 4)

    events = receiver.named("api_request")
    assert_valid_events(receiver.events)
    observed = [
        (e["payload"]["endpoint"], e["payload"]["method"], e["payload"]["status"])
        for e in events
    ]
    assert observed == [
        ("/items/<int:item_id>", "GET", 200),
        ("/search", "GET", 200),
        ("/items/<int:item_id>/holds", "POST", 409),
        ("unmatched", "GET", 404),
    ]
    assert SLOW_SECONDS * 1000 <= events[1]["payload"]["duration_ms"] <= slow_wall_ms
    assert all(e["persona"] == "librarian" for e in events)


def test_exception_flask_answers_is_still_reported(
    instrumented: tuple[str, TelemetryClient], receiver: Receiver
) -> None:
    base_url, client = instrumented
    response = httpx.post(base_url + "/holds/h-1/cancel")
    assert response.status_code == 500
    receiver.await_events(client, 2)

    (exception,) = receiver.named("backend_exception")
    (request,) = receiver.named("api_request")
    assert_valid_events(receiver.events)
    assert request["payload"]["status"] == 500
    assert request["payload"]["endpoint"] == "/holds/<hold_id>/cancel"
    payload = exception["payload"]
    assert payload["type"] == "HoldQueueFault"
    assert payload["message"] == "hold queue corrupt (16)"
    assert payload["endpoint"] == "/holds/<hold_id>/cancel"
    assert payload["stack"].splitlines()[-1].startswith("cancel_hold (test_wsgi.py:")
    assert "SECRET" not in str(exception)


def test_app_unchanged_when_telemetry_endpoint_is_down() -> None:
    client = TelemetryClient(
        closed_port_url(),
        retry_policy=RetryPolicy(max_retries=1, backoff_base_millis=5),
    )
    with (
        serve_wsgi(make_app(None)) as plain_url,
        serve_wsgi(make_app(client)) as instrumented_url,
    ):
        for method, path in [
            ("GET", "/items/5"),
            ("POST", "/items/5/holds"),
            ("POST", "/holds/x/cancel"),
            ("GET", "/missing"),
        ]:
            plain = httpx.request(method, plain_url + path)
            instrumented = httpx.request(method, instrumented_url + path)
            assert instrumented.status_code == plain.status_code
            assert instrumented.content == plain.content
    client.close()
    # Every request's event is accounted for as a drop; one the server
    # reports after close() is counted as "closed" rather than retried.
    assert sum(client.drops.values()) == 5
    assert set(client.drops) <= {"retries_exhausted", "closed"}
