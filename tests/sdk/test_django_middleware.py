"""The WSGI middleware with Django's resolved route, when Django is installed."""

from __future__ import annotations

import httpx
import pytest

from lms_telemetry.sdk import TelemetryClient, TelemetryWSGIMiddleware
from tests.sdk.conftest import Receiver, assert_valid_events, serve_wsgi

django = pytest.importorskip("django", reason="Django is optional and not installed")


class ShelfFault(RuntimeError):
    pass


def show_item(request: object, item_id: int) -> object:
    from django.http import JsonResponse

    return JsonResponse({"item": item_id})


def reshelve(request: object) -> object:
    raise ShelfFault("shelf map missing")


urlpatterns: list[object] = []


def configure_django() -> object:
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application
    from django.urls import path

    urlpatterns[:] = [
        path("items/<int:item_id>/", show_item),
        path("staff/reshelve/", reshelve),
    ]
    if not settings.configured:
        settings.configure(
            DEBUG=False,
            ALLOWED_HOSTS=["127.0.0.1"],
            ROOT_URLCONF=__name__,
            SECRET_KEY="test-only",
            MIDDLEWARE=["lms_telemetry.sdk.django_middleware.RouteMiddleware"],
            LOGGING_CONFIG=None,
        )
    return get_wsgi_application()


def test_django_route_and_exception_are_reported(receiver: Receiver) -> None:
    client = TelemetryClient(receiver.url)
    app = TelemetryWSGIMiddleware(configure_django(), client)  # type: ignore[arg-type]
    with serve_wsgi(app) as base_url:
        assert httpx.get(base_url + "/items/12/").json() == {"item": 12}
        assert httpx.get(base_url + "/staff/reshelve/").status_code == 500
        receiver.await_events(client, 3)
    client.close()

    assert_valid_events(receiver.events)
    requests = [e["payload"] for e in receiver.named("api_request")]
    assert [(r["endpoint"], r["status"]) for r in requests] == [
        ("/items/<int:item_id>/", 200),
        ("/staff/reshelve/", 500),
    ]
    (exception,) = receiver.named("backend_exception")
    assert exception["payload"]["type"] == "ShelfFault"
    assert exception["payload"]["endpoint"] == "/staff/reshelve/"
