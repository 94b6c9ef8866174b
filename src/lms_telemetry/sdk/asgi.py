"""ASGI middleware: one ``api_request`` event per HTTP request.

Works with Starlette and FastAPI, whose router records the matched route in
``scope["route"]``; the route's path (``/items/{item_id}``) is the endpoint.
Unhandled exceptions also become ``backend_exception`` events and are
re-raised unchanged.
"""

from __future__ import annotations

import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lms_telemetry.sdk._request import (
    UNMATCHED_ENDPOINT,
    RequestFields,
    RequestRecorder,
    request_payload,
)
from lms_telemetry.sdk.client import TelemetryClient


class TelemetryMiddleware:
    """Wrap an ASGI app; add with ``app.add_middleware(TelemetryMiddleware, ...)``."""

    def __init__(
        self,
        app: ASGIApp,
        client: TelemetryClient,
        request_fields: RequestFields | None = None,
        is_forwarding_user_agent: bool = True,
    ) -> None:
        self.app = app
        self.recorder = RequestRecorder(
            client, request_fields, is_forwarding_user_agent
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the server answers when the app fails before replying

        async def send_recording_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        failure: BaseException | None = None
        try:
            await self.app(scope, receive, send_recording_status)
        except Exception as exc:
            failure = exc
            raise
        finally:
            duration_ms = (time.perf_counter() - started) * 1000.0
            payload = request_payload(
                route_template(scope), scope["method"], status, duration_ms
            )
            self.recorder.record(scope, _user_agent(scope), payload, failure)


def route_template(scope: Scope) -> str:
    """The matched route's path template, or ``unmatched``."""
    # TODO: a route inside a Mount reports its own path without the mount's
    # prefix; the router overwrites scope["route"] and keeps no template.
    route: Any = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else UNMATCHED_ENDPOINT


def _user_agent(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"user-agent":
            return bytes(value).decode("latin-1")
    return None
