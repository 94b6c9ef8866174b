"""POST /api/telemetry against a real service: accepted, refused, limited."""

from __future__ import annotations

import gzip
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
import httpx
import pytest

from tests.service import Service


def stored_rows(service: Service, sql: str) -> list[tuple[Any, ...]]:
    """Stop the service and read its database file directly."""
    service.stop()
    with duckdb.connect(str(service.db_path), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def now_text(offset_seconds: float = 0) -> str:
    moment = datetime.now(UTC) + timedelta(seconds=offset_seconds)
    return moment.isoformat().replace("+00:00", "Z")


def search_event(**payload: Any) -> dict[str, Any]:
    return {
        "event": "search_submitted",
        "event_id": str(uuid.uuid4()),
        "timestamp": now_text(),
        "anonymous_id": "device-1",
        "persona": "patron",
        "interface": "opac",
        "payload": {"query": "dune", "results_count": 3, **payload},
    }


def test_sketch_minimal_event_is_accepted_and_reported(service: Service) -> None:
    body = {
        "event": "search_input",
        "timestamp": now_text(),
        "payload": {"query": "tolkien"},
    }

    response = service.post(body)

    assert response.status_code == 202
    assert response.json() == {"accepted": 1, "duplicates": 0, "rejected": []}
    service.wait_loaded(1)
    rows = stored_rows(service, "SELECT event, category, query, persona FROM events")
    assert rows == [("search_input", "search", "tolkien", "unknown")]


def test_batch_with_bad_event_keeps_good_neighbours(service: Service) -> None:
    good = [search_event(), search_event(results_count=0)]
    bad = search_event(results_count=-1)

    response = service.post({"sent_at": now_text(), "batch": [good[0], bad, good[1]]})

    assert response.status_code == 202
    assert response.json() == {
        "accepted": 2,
        "duplicates": 0,
        "rejected": [
            {
                "index": 1,
                "event_id": bad["event_id"],
                "errors": ["payload.results_count: must be >= 0"],
            }
        ],
    }
    service.wait_loaded(2)
    service.wait_quarantined(1)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (
            {"event": "book_teleported"},
            "event: 'book_teleported' is not a known event (add it with a schema extension)",
        ),
        ({"payload": {"query": "x"}}, "payload.results_count: is required"),
        (
            {"payload": {"query": "x", "results_count": 1, "colour": "red"}},
            "payload.colour: is not a field of this event",
        ),
        (
            {"persona": "wizard"},
            "persona: must be one of 'patron', 'librarian', 'admin', 'it', 'unknown'",
        ),
        ({"timestamp": "yesterday"}, "timestamp: must be a valid date-time"),
        ({"event_id": "not-a-uuid"}, "event_id: must be a valid uuid"),
        (
            {"payload": {"query": "x", "results_count": "3"}},
            "payload.results_count: must be of type integer",
        ),
        (
            {"payload": {"query": "q" * 513, "results_count": 1}},
            "payload.query: must be at most 512 characters long",
        ),
    ],
)
def test_invalid_event_is_refused_with_field_and_rule(
    service: Service, change: dict[str, Any], error: str
) -> None:
    event = {**search_event(), **change}

    reply = service.post({"batch": [event]}).json()

    assert reply["accepted"] == 0
    assert reply["rejected"][0]["errors"] == [error]


def test_retried_batch_is_stored_once_and_counted_as_duplicates(
    service: Service,
) -> None:
    batch = {"batch": [search_event() for _ in range(5)]}

    first = service.post(batch).json()
    second = service.post(batch).json()

    assert first == {"accepted": 5, "duplicates": 0, "rejected": []}
    assert second == {"accepted": 0, "duplicates": 5, "rejected": []}
    service.wait_loaded(5)
    assert stored_rows(service, "SELECT count(*) FROM events") == [(5,)]


def test_same_event_twice_in_one_batch_counts_one_duplicate(service: Service) -> None:
    event = search_event()

    reply = service.post({"batch": [event, event]}).json()

    assert (reply["accepted"], reply["duplicates"]) == (1, 1)


def test_text_plain_beacon_with_gzip_is_accepted(service: Service) -> None:
    body = gzip.compress(json.dumps({"batch": [search_event()]}).encode())

    response = httpx.post(
        f"{service.url}/api/telemetry",
        content=body,
        headers={
            "Content-Type": "text/plain;charset=UTF-8",
            "Content-Encoding": "gzip",
        },
    )

    assert response.status_code == 202
    assert response.json()["accepted"] == 1


def test_unsupported_content_type_is_refused(service: Service) -> None:
    response = httpx.post(
        f"{service.url}/api/telemetry",
        content=b"<event/>",
        headers={"Content-Type": "application/xml"},
    )

    assert response.status_code == 415
    assert response.json()["message"] == (
        "Content-Type 'application/xml' is not supported; use application/json or text/plain"
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            b"{not json",
            "Body is not valid JSON: Expecting property name enclosed in double quotes",
        ),
        (
            b'{"event": "search_input", "payload": {"query": NaN}}',
            "Body is not valid JSON: NaN is not a JSON number",
        ),
        (
            b'{"batch": [{"event": "x", "n": Infinity}]}',
            "Body is not valid JSON: Infinity is not a JSON number",
        ),
        (
            b"[1, 2]",
            'Body must be a JSON object: one event, or {"sent_at": ..., "batch": [...]}',
        ),
        (b'{"batch": {"event": "x"}}', "batch: must be an array of events"),
        (b'{"sent_at": "nope", "batch": []}', "sent_at: must be a valid date-time (RFC 3339)"),
        (b'{"event": "search_submitted", "payload": {"results_count": ' + b"9" * 5000 + b"}}",
         "Body is not valid JSON: a number has too many digits"),
    ],
)
def test_undecodable_body_is_refused_with_400(
    service: Service, body: bytes, message: str
) -> None:
    response = httpx.post(
        f"{service.url}/api/telemetry",
        content=body,
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert response.json()["message"] == message


def test_undecodable_body_is_quarantined_with_its_reason(service: Service) -> None:
    httpx.post(
        f"{service.url}/api/telemetry",
        content=b"{broken",
        headers={"Content-Type": "application/json"},
    )

    service.wait_quarantined(1)
    rows = httpx.get(
        f"{service.url}/api/admin/quarantine", headers=service.auth
    ).json()["quarantine"]

    assert [(r["reason"], r["body"]) for r in rows] == [("not_json", "{broken")]


def test_nul_characters_removed_and_lone_surrogates_replaced(service: Service) -> None:
    body = (
        b'{"event": "search_input", "timestamp": "'
        + now_text().encode()
        + b'", "payload": {"query": "ab\\u0000c\\ud800d"}}'
    )

    response = httpx.post(
        f"{service.url}/api/telemetry",
        content=body,
        headers={"Content-Type": "application/json"},
    )

    assert response.json()["accepted"] == 1
    service.wait_loaded(1)
    assert stored_rows(service, "SELECT query FROM events") == [("abc\ufffdd",)]


def test_body_over_one_mebibyte_is_refused_with_413(service: Service) -> None:
    body = json.dumps({"batch": [], "padding": "x" * (1024 * 1024)}).encode()

    response = httpx.post(f"{service.url}/api/telemetry", content=body)

    assert response.status_code == 413
    assert (
        response.json()["message"]
        == "Body exceeds the limit of 1048576 bytes (max_body_bytes)"
    )


def test_gzip_bomb_stops_at_the_inflated_limit(service: Service) -> None:
    bomb = gzip.compress(b" " * (200 * 1024 * 1024))

    response = httpx.post(
        f"{service.url}/api/telemetry",
        content=bomb,
        headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
    )

    assert len(bomb) < 1024 * 1024
    assert response.status_code == 413
    assert response.json()["error"] == "body_too_large"


def test_batch_over_500_events_is_refused_with_413(service: Service) -> None:
    response = service.post({"batch": [{"event": "search_input"}] * 501})

    assert response.status_code == 413
    assert response.json()["message"] == (
        "Batch has 501 events, over the limit of 500 (max_batch_events)"
    )


def test_single_event_over_32_kib_is_refused_with_413(service: Service) -> None:
    event = {"event": "js_error", "payload": {"message": "m", "stack": "s" * 40000}}

    response = service.post(event)

    assert response.status_code == 413
    assert (
        response.json()["message"]
        == "Event exceeds the limit of 32768 bytes (max_event_bytes)"
    )


def test_event_over_32_kib_in_a_batch_is_refused_alone(service: Service) -> None:
    large = {"event": "js_error", "payload": {"message": "m", "stack": "s" * 40000}}

    reply = service.post({"batch": [search_event(), large]}).json()

    assert reply["accepted"] == 1
    assert reply["rejected"][0]["errors"] == [
        "(event): Event exceeds the limit of 32768 bytes (max_event_bytes)"
    ]


def test_nesting_deeper_than_10_levels_is_refused_with_413(service: Service) -> None:
    nested: Any = "leaf"
    for _ in range(11):
        nested = {"n": nested}

    response = service.post({"event": "search_input", "payload": nested})

    assert response.status_code == 413
    assert (
        response.json()["message"]
        == "Body nests deeper than the limit of 10 levels (max_depth)"
    )


def test_clock_skew_is_corrected_from_sent_at(service: Service) -> None:
    # The client clock runs two hours fast; the event happened 30 s before sending.
    skew = timedelta(hours=2)
    client_now = datetime.now(UTC) + skew
    event = search_event()
    event["timestamp"] = (client_now - timedelta(seconds=30)).isoformat()

    service.post({"sent_at": client_now.isoformat(), "batch": [event]})

    service.wait_loaded(1)
    [(lag, corrected)] = stored_rows(
        service,
        "SELECT epoch(received_at) - epoch(event_time), is_clock_corrected FROM events",
    )
    assert lag == pytest.approx(30, abs=1.0)
    assert corrected is False


def test_future_timestamp_without_sent_at_becomes_receipt_time(
    service: Service,
) -> None:
    event = search_event()
    event["timestamp"] = now_text(offset_seconds=3600)

    service.post(event)

    service.wait_loaded(1)
    [(lag, corrected)] = stored_rows(
        service,
        "SELECT epoch(received_at) - epoch(event_time), is_clock_corrected FROM events",
    )
    assert (lag, corrected) == (0, True)
