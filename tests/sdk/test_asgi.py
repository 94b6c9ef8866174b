"""The ASGI middleware on a real Starlette app served by uvicorn on loopback."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from lms_telemetry.sdk import RetryPolicy, TelemetryClient, TelemetryMiddleware
from tests.sdk.conftest import (
    Receiver,
    assert_valid_events,
    closed_port_url,
    serve_asgi,
)

SLOW_SECONDS = 0.12


class CatalogueFault(RuntimeError):
    pass


async def show_item(request: Request) -> Response:
    return JSONResponse({"item": request.path_params["item_id"]})


async def slow_search(request: Request) -> Response:
    await asyncio.sleep(SLOW_SECONDS)
    return PlainTextResponse("results")


async def borrow(request: Request) -> Response:
    return PlainTextResponse("refused", status_code=409)


async def failing_renewal(request: Request) -> Response:
    patron_card = "2100-4477-SECRET"  # a local that must never leave the process
    raise CatalogueFault(f"renewal table locked for {len(patron_card)} rows")


def make_app(client: TelemetryClient | None) -> Starlette:
    app = Starlette(
        routes=[
            Route("/items/{item_id:int}", show_item),
            Route("/search", slow_search),
            Route("/items/{item_id:int}/borrow", borrow, methods=["POST"]),
            Route("/loans/{loan_id}/renew", failing_renewal, methods=["POST"]),
        ]
    )
    if client is not None:
        app.add_middleware(
            TelemetryMiddleware,
            client=client,
            request_fields=lambda scope: {"persona": "patron"},
        )
    return app


@pytest.fixture
def instrumented(receiver: Receiver) -> Iterator[tuple[str, TelemetryClient]]:
    client = TelemetryClient(receiver.url, "key")
    with serve_asgi(make_app(client)) as base_url:
        yield base_url, client
    client.close()


def test_each_request_becomes_one_api_request_event(
    instrumented: tuple[str, TelemetryClient], receiver: Receiver
) -> None:
    base_url, client = instrumented
    with httpx.Client(base_url=base_url) as http:
        assert http.get("/items/17").json() == {"item": 17}
        assert http.get("/items/42", headers={"user-agent": "Mozilla/5.0 x"}).is_success
        started = time.perf_counter()
        assert http.get("/search").text == "results"
        slow_wall_ms = (time.perf_counter() - started) * 1000
        assert http.post("/items/3/borrow").status_code == 409
        assert http.get("/nowhere/9").status_code == 404
    receiver.await_events(client, 5)

    events = receiver.named("api_request")
    assert_valid_events(receiver.events)
    observed = [
        (e["payload"]["endpoint"], e["payload"]["method"], e["payload"]["status"])
        for e in events
    ]
    assert observed == [
        ("/items/{item_id:int}", "GET", 200),
        ("/items/{item_id:int}", "GET", 200),
        ("/search", "GET", 200),
        ("/items/{item_id:int}/borrow", "POST", 409),
        ("unmatched", "GET", 404),
    ]
    slow = events[2]["payload"]["duration_ms"]
    assert SLOW_SECONDS * 1000 <= slow <= slow_wall_ms
    assert all(e["persona"] == "patron" and e["interface"] == "api" for e in events)
    assert events[1]["context"]["user_agent"] == "Mozilla/5.0 x"


def test_unhandled_exception_is_reported_and_reraised(
    instrumented: tuple[str, TelemetryClient], receiver: Receiver
) -> None:
    base_url, client = instrumented
    with httpx.Client(base_url=base_url) as http:
        response = http.post("/loans/abc/renew")
    assert response.status_code == 500
    assert response.text == "Internal Server Error"
    receiver.await_events(client, 2)

    (exception,) = receiver.named("backend_exception")
    (request,) = receiver.named("api_request")
    assert_valid_events(receiver.events)
    assert request["payload"]["endpoint"] == "/loans/{loan_id}/renew"
    assert request["payload"]["status"] == 500
    payload = exception["payload"]
    assert payload["type"] == "CatalogueFault"
    assert payload["message"] == "renewal table locked for 16 rows"
    assert payload["endpoint"] == "/loans/{loan_id}/renew"
    last_frame = payload["stack"].splitlines()[-1]
    assert last_frame.startswith("failing_renewal (test_asgi.py:")
    assert "SECRET" not in str(exception)
    for line in payload["stack"].splitlines():
        _function, location = line.rsplit(" (", 1)
        file_name, line_number = location.rstrip(")").split(":")
        assert "/" not in file_name and line_number.isdigit()


def test_app_unchanged_when_telemetry_endpoint_is_down() -> None:
    client = TelemetryClient(
        closed_port_url(),
        retry_policy=RetryPolicy(max_retries=1, backoff_base_millis=5),
    )
    with (
        serve_asgi(make_app(None)) as plain_url,
        serve_asgi(make_app(client)) as instrumented_url,
    ):
        for method, path in [
            ("GET", "/items/5"),
            ("GET", "/search"),
            ("POST", "/items/5/borrow"),
            ("POST", "/loans/x/renew"),
            ("GET", "/missing"),
        ]:
            plain = httpx.request(method, plain_url + path)
            instrumented = httpx.request(method, instrumented_url + path)
            assert instrumented.status_code == plain.status_code
            assert instrumented.content == plain.content
            assert instrumented.headers["content-type"] == plain.headers.get(
                "content-type"
            )
    client.close()
    # Every request's event is accounted for as a drop; one the server
    # reports after close() is counted as "closed" rather than retried.
    assert sum(client.drops.values()) == 6
    assert set(client.drops) <= {"retries_exhausted", "closed"}
