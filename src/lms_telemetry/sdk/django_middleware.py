"""Django middleware that tells the WSGI middleware which route matched.

Add ``lms_telemetry.sdk.django_middleware.RouteMiddleware`` to Django's
``MIDDLEWARE`` and wrap the WSGI application in ``TelemetryWSGIMiddleware``:
the resolved route (``items/<int:item_id>/``) becomes the endpoint, and
exceptions Django turns into a 500 page still become ``backend_exception``
events. Django itself is optional; this module only touches its request
objects.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lms_telemetry.sdk.wsgi import EXCEPTION_KEY, ROUTE_KEY


class RouteMiddleware:
    """Copy the resolved route and any unhandled exception into the environ."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = getattr(match, "route", None)
        if route is not None and hasattr(request, "environ"):
            request.environ[ROUTE_KEY] = "/" + str(route).lstrip("^")
        return response

    def process_exception(self, request: Any, exception: BaseException) -> None:
        if hasattr(request, "environ"):
            request.environ[EXCEPTION_KEY] = exception
