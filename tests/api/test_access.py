"""Write keys and CORS on the ingestion route."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from tests.service import Service

EVENT = {"event": "search_input", "payload": {"query": "atlas"}}


def test_write_key_missing_or_wrong_is_refused_with_401(
    start_service: Callable[..., Service],
) -> None:
    service = start_service(LMS_TELEMETRY_WRITE_KEYS="site-key-1,site-key-2")

    missing = service.post(EVENT)
    wrong = service.post(EVENT, headers={"X-Telemetry-Key": "guess"})

    assert (missing.status_code, wrong.status_code) == (401, 401)
    assert missing.json()["message"] == (
        "A valid write key is required in the X-Telemetry-Key header or the key query parameter"
    )


def test_write_key_in_header_or_query_is_accepted(
    start_service: Callable[..., Service],
) -> None:
    service = start_service(LMS_TELEMETRY_WRITE_KEYS="site-key-1,site-key-2")

    by_header = service.post(EVENT, headers={"X-Telemetry-Key": "site-key-2"})
    by_query = service.post(EVENT, params={"key": "site-key-1"})

    assert (by_header.status_code, by_query.status_code) == (202, 202)


def test_cors_preflight_answered_for_configured_origin_only(
    start_service: Callable[..., Service],
) -> None:
    service = start_service(LMS_TELEMETRY_CORS_ORIGINS="https://opac.example.org")
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-telemetry-key",
    }

    allowed = httpx.options(
        f"{service.url}/api/telemetry",
        headers={"Origin": "https://opac.example.org", **preflight},
    )
    refused = httpx.options(
        f"{service.url}/api/telemetry",
        headers={"Origin": "https://evil.example", **preflight},
    )

    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://opac.example.org"
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers


def test_overloaded_spool_answers_503_with_retry_after(
    start_service: Callable[..., Service],
) -> None:
    # A loader that looks only every ten minutes lets the spool fill up.
    service = start_service(
        LMS_TELEMETRY_SPOOL_MAX_BACKLOG_BYTES="1",
        LMS_TELEMETRY_SPOOL_LOAD_INTERVAL_MS="600000",
    )
    service.post({"batch": [EVENT] * 50})
    time.sleep(1.1)  # the backlog is measured at most once a second

    response = service.post(EVENT)

    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json()["error"] == "backlog_full"


def post_until(service: Service, status: int, seconds: float) -> int:
    """Post single events until one gets STATUS; return the last status."""
    deadline = time.monotonic() + seconds
    answer = service.post(EVENT).status_code
    while answer != status and time.monotonic() < deadline:
        time.sleep(0.2)
        answer = service.post(EVENT).status_code
    return answer


def test_service_recovers_by_itself_once_the_loader_catches_up(
    start_service: Callable[..., Service],
) -> None:
    service = start_service(
        LMS_TELEMETRY_SPOOL_MAX_BACKLOG_BYTES="1",
        LMS_TELEMETRY_SPOOL_LOAD_INTERVAL_MS="3000",
    )

    # Accepted events fill the spool until the service refuses; refused ones
    # add nothing, so the loader empties it and the service accepts again.
    refused = post_until(service, 503, seconds=10)
    accepted = post_until(service, 202, seconds=15)

    assert (refused, accepted) == (503, 202)


def test_browser_on_an_unlisted_origin_is_refused_even_by_beacon(
    start_service: Callable[..., Service],
) -> None:
    service = start_service(LMS_TELEMETRY_CORS_ORIGINS="https://opac.example.org")
    beacon = {"Content-Type": "text/plain;charset=UTF-8"}

    listed = service.post(EVENT, headers={**beacon, "Origin": "https://opac.example.org"})
    unlisted = service.post(EVENT, headers={**beacon, "Origin": "https://evil.example"})
    no_origin = service.post(EVENT)

    assert (listed.status_code, no_origin.status_code) == (202, 202)
    assert unlisted.status_code == 403
    assert unlisted.json()["message"] == (
        "Origin 'https://evil.example' is not allowed to send events; add it to cors_origins"
    )


def test_api_errors_are_json_with_a_code(service: Service) -> None:
    unauthenticated = httpx.get(f"{service.url}/api/admin/status")
    missing = httpx.get(f"{service.url}/api/no-such-route")

    assert unauthenticated.status_code == 401
    assert unauthenticated.json()["error"] == "unauthorized"
    assert missing.status_code == 404
    assert missing.json()["error"] == "not_found"
