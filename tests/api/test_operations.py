"""Health, metrics, schema, OpenAPI and the client file, and a fuzz of the API."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid

import httpx

from tests.service import Service


def metric(text: str, name: str, labels: str = "") -> float:
    pattern = (
        re.escape(name)
        + (re.escape("{" + labels + "}") if labels else "")
        + r" ([0-9.e+]+)"
    )
    found = re.search("^" + pattern + "$", text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def test_health_answers_ok(service: Service) -> None:
    response = httpx.get(f"{service.url}/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_metrics_count_accepted_refused_and_duplicates(service: Service) -> None:
    event = {
        "event": "search_input",
        "event_id": str(uuid.uuid4()),
        "payload": {"query": "q"},
    }
    service.post({"batch": [event, event, {"event": "nope"}]})
    httpx.post(
        f"{service.url}/api/telemetry",
        content=b"[",
        headers={"Content-Type": "application/json"},
    )

    text = httpx.get(f"{service.url}/metrics").text

    assert metric(text, "lms_telemetry_events_accepted_total") == 1
    assert metric(text, "lms_telemetry_events_duplicate_total") == 1
    assert (
        metric(text, "lms_telemetry_events_refused_total", 'reason="invalid_event"')
        == 1
    )
    assert metric(text, "lms_telemetry_events_refused_total", 'reason="not_json"') == 1
    assert "lms_telemetry_request_duration_seconds_bucket" in text
    assert "lms_telemetry_spool_backlog_bytes" in text


def test_schema_is_served_with_its_version(service: Service) -> None:
    schema = httpx.get(f"{service.url}/api/schema").json()

    assert schema["x-schema-version"] == "1-0-0"
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "search_submitted" in schema["x-events"]


def test_openapi_document_describes_ingestion(service: Service) -> None:
    document = httpx.get(f"{service.url}/openapi.json").json()

    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]["/api/telemetry"]["post"]["responses"]) >= {
        "202",
        "400",
        "413",
    }


def test_privacy_notice_is_served(service: Service) -> None:
    response = httpx.get(f"{service.url}/privacy")

    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]


def test_client_file_is_served_with_caching_headers(service: Service) -> None:
    response = httpx.get(f"{service.url}/telemetry_client.js")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert "max-age=" in response.headers["cache-control"]
    assert "LmsTelemetry" in response.text


def test_api_fuzzed_from_its_openapi_document_never_answers_5xx(
    service: Service,
) -> None:
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "run",
        f"{service.url}/openapi.json",
        "--checks",
        "not_a_server_error",
        "--max-examples",
        "40",
        "--no-color",
        "--phases",
        "fuzzing",
        "--request-timeout",
        "20",
    ]

    result = subprocess.run(command, capture_output=True, text=True, timeout=600)

    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
