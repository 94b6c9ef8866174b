"""WSGI middleware: one ``api_request`` event per HTTP request.

The endpoint is the route template the framework matched, which a framework
integration puts in ``environ["lms_telemetry.route"]``: ``instrument_flask``
copies Flask's URL rule (``/items/<int:item_id>``) there, the Django
middleware its resolved route. Flask answers unhandled exceptions itself
with a 500, so ``instrument_flask`` also listens for them; other WSGI apps'
exceptions are reported as they pass through and re-raised unchanged.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from lms_telemetry.sdk._request import (
    UNMATCHED_ENDPOINT,
    RequestFields,
    RequestRecorder,
    request_payload,
)
from lms_telemetry.sdk.client import TelemetryClient

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

ROUTE_KEY = "lms_telemetry.route"
EXCEPTION_KEY = "lms_telemetry.exception"


class TelemetryWSGIMiddleware:
    """Wrap a WSGI app: ``app.wsgi_app = TelemetryWSGIMiddleware(app.wsgi_app, c)``."""

    def __init__(
        self,
        app: WSGIApplication,
        client: TelemetryClient,
        request_fields: RequestFields | None = None,
        is_forwarding_user_agent: bool = True,
    ) -> None:
        self.app = app
        self.recorder = RequestRecorder(
            client, request_fields, is_forwarding_user_agent
        )

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        exchange = _Exchange(self.recorder, environ)
        try:
            body = self.app(environ, exchange.start_response(start_response))
        except Exception as exc:
            exchange.finish(exc)
            raise
        return _RecordedBody(body, exchange)


class _Exchange:
    """One request in flight: its start time, status and single report."""

    def __init__(self, recorder: RequestRecorder, environ: WSGIEnvironment) -> None:
        self.recorder = recorder
        self.environ = environ
        self.started = time.perf_counter()
        self.status = 500
        self.is_finished = False

    def start_response(self, start_response: StartResponse) -> StartResponse:
        def recording(status: str, headers: Any, exc_info: Any = None) -> Any:
            self.status = int(status.split(" ", 1)[0])
            return start_response(status, headers, exc_info)

        return recording

    def finish(self, exc: BaseException | None = None) -> None:
        if self.is_finished:
            return
        self.is_finished = True
        duration_ms = (time.perf_counter() - self.started) * 1000.0
        method = str(self.environ.get("REQUEST_METHOD", "GET"))
        payload = request_payload(
            route_template(self.environ), method, self.status, duration_ms
        )
        failure = exc or self.environ.get(EXCEPTION_KEY)
        agent = self.environ.get("HTTP_USER_AGENT")
        self.recorder.record(self.environ, agent, payload, failure)


class _RecordedBody:
    """The response body; the request is reported when the server closes it."""

    def __init__(self, body: Iterable[bytes], exchange: _Exchange) -> None:
        self._body = body
        self._exchange = exchange

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._body
        except Exception as exc:
            self._exchange.finish(exc)
            raise

    def close(self) -> None:
        try:
            close: Callable[[], None] | None = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            self._exchange.finish()


def route_template(environ: WSGIEnvironment) -> str:
    """The matched route's template, or ``unmatched``."""
    route = environ.get(ROUTE_KEY)
    if isinstance(route, str) and route:
        return route
    request = environ.get("werkzeug.request")
    rule = getattr(request, "url_rule", None)
    template = getattr(rule, "rule", None)
    return template if isinstance(template, str) else UNMATCHED_ENDPOINT


def instrument_flask(
    app: Any,
    client: TelemetryClient,
    request_fields: RequestFields | None = None,
) -> TelemetryWSGIMiddleware:
    """Wrap a Flask app's ``wsgi_app`` and capture the exceptions Flask handles."""
    from flask import got_request_exception, request, request_started

    # Flask clears its request from the environ when the request ends, so
    # the rule is copied while the request is live.
    def remember_route(sender: Any, **_: Any) -> None:
        rule = request.url_rule
        if rule is not None:
            request.environ[ROUTE_KEY] = rule.rule

    def remember_exception(sender: Any, exception: BaseException, **_: Any) -> None:
        request.environ[EXCEPTION_KEY] = exception

    request_started.connect(remember_route, app, weak=False)
    got_request_exception.connect(remember_exception, app, weak=False)
    middleware = TelemetryWSGIMiddleware(app.wsgi_app, client, request_fields)
    app.wsgi_app = middleware
    return middleware
