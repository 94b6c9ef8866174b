"""Loopback servers for the SDK tests: apps under test and a capturing receiver."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import orjson
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp
from werkzeug.serving import make_server


@contextmanager
def serve_asgi(app: ASGIApp) -> Iterator[str]:
    """Run ``app`` under uvicorn on a free loopback port; yield its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]})
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@contextmanager
def serve_wsgi(app: Any) -> Iterator[str]:
    """Run a WSGI ``app`` under Werkzeug's threaded server on loopback."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        thread.join(10)


def closed_port_url() -> str:
    """A loopback URL on which nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/telemetry"


@dataclass
class Receiver:
    """A stand-in telemetry endpoint that records every POST it gets."""

    url: str = ""
    bodies: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    arrival_times: list[float] = field(default_factory=list)
    #: Statuses to answer, first to last; 202 once they run out.
    replies: list[tuple[int, dict[str, str]]] = field(default_factory=list)

    @property
    def events(self) -> list[dict[str, Any]]:
        return [event for body in self.bodies for event in body.get("batch", [body])]

    def named(self, name: str) -> list[dict[str, Any]]:
        return [event for event in self.events if event["event"] == name]

    def await_events(
        self, client: Any, count: int, timeout_seconds: float = 10
    ) -> None:
        """Flush ``client`` until ``count`` events arrived.

        A server reports a request after the response went out, so the
        caller may see the response before its event is queued.
        """
        deadline = time.monotonic() + timeout_seconds
        while len(self.events) < count and time.monotonic() < deadline:
            client.flush()
            time.sleep(0.02)
        assert len(self.events) == count

    async def receive(self, request: Request) -> Response:
        self.arrival_times.append(time.monotonic())
        self.headers.append(dict(request.headers))
        if self.replies:
            status, headers = self.replies.pop(0)
            return Response(status_code=status, headers=headers)
        self.bodies.append(orjson.loads(await request.body()))
        return Response(b'{"accepted": true}', status_code=202)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    capture = Receiver()
    app = Starlette(routes=[Route("/api/telemetry", capture.receive, methods=["POST"])])
    with serve_asgi(app) as base_url:
        capture.url = base_url + "/api/telemetry"
        yield capture


def _contract_validator() -> Any:
    import json
    from importlib import resources

    import jsonschema_rs

    text = (
        resources.files("lms_telemetry.schema")
        .joinpath("telemetry_schema.json")
        .read_text(encoding="utf-8")
    )
    return jsonschema_rs.validator_for(json.loads(text), validate_formats=True)


CONTRACT = _contract_validator()


def assert_valid_events(events: list[dict[str, Any]]) -> None:
    """Every event must satisfy the event contract (schema 1-0-0)."""
    for event in events:
        CONTRACT.validate(event)
