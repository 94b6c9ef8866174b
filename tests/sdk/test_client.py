"""TelemetryClient against a real capturing endpoint on loopback."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from lms_telemetry.sdk import RetryPolicy, TelemetryClient
from tests.sdk.conftest import Receiver, closed_port_url

FAST_RETRIES = RetryPolicy(max_retries=2, backoff_base_millis=10, backoff_max_millis=20)


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_batch_carries_envelopes_sent_at_and_write_key(receiver: Receiver) -> None:
    client = TelemetryClient(receiver.url, "secret-key", app_version="4.2.0")
    before = datetime.now(UTC) - timedelta(milliseconds=1)
    client.track("feature_used", {"feature": "bulk_checkout"}, persona="librarian")
    client.track("search_submitted", {"query": "dune", "results_count": 3})
    assert client.flush()
    client.close()

    assert len(receiver.bodies) == 1
    body = receiver.bodies[0]
    assert parse_time(body["sent_at"]) >= before
    first, second = body["batch"]
    assert first["event"] == "feature_used"
    assert first["persona"] == "librarian"
    assert first["interface"] == "api"
    assert first["context"]["app_version"] == "4.2.0"
    assert first["context"]["sdk"] == {
        "name": "lms-telemetry-python",
        "version": "0.1.0",
    }
    assert first["payload"] == {"feature": "bulk_checkout"}
    assert uuid.UUID(first["event_id"]).version == 4
    assert first["event_id"] != second["event_id"]
    assert before <= parse_time(first["timestamp"]) <= parse_time(body["sent_at"])
    assert second["persona"] == "unknown"
    assert receiver.headers[0]["x-telemetry-key"] == "secret-key"
    assert receiver.headers[0]["content-type"] == "application/json"


def test_no_key_header_when_write_key_is_absent(receiver: Receiver) -> None:
    client = TelemetryClient(receiver.url)
    client.track("tab_switched", {"tab": "loans"})
    client.close()
    assert "x-telemetry-key" not in receiver.headers[0]
    assert [event["event"] for event in receiver.events] == ["tab_switched"]


def test_given_timestamp_and_context_are_kept(receiver: Receiver) -> None:
    client = TelemetryClient(receiver.url, app_version="1.0")
    moment = datetime(2024, 3, 1, 12, 30, 5, 250_000, tzinfo=UTC)
    client.track(
        "page_viewed",
        {"path": "/"},
        timestamp=moment,
        session_id="s-1",
        context={"locale": "fr-FR"},
    )
    client.close()
    (event,) = receiver.events
    assert event["timestamp"] == "2024-03-01T12:30:05.250Z"
    assert event["session_id"] == "s-1"
    assert event["context"]["app_version"] == "1.0"
    assert event["context"]["locale"] == "fr-FR"


def test_batches_split_at_max_batch_events(receiver: Receiver) -> None:
    client = TelemetryClient(receiver.url, max_batch_events=4)
    for number in range(10):
        client.track("menu_clicked", {"item": f"m{number}"})
    client.close()
    assert [len(body["batch"]) for body in receiver.bodies] == [4, 4, 2]
    items = [event["payload"]["item"] for event in receiver.events]
    assert items == [f"m{number}" for number in range(10)]


def test_unknown_envelope_field_is_dropped_not_raised(receiver: Receiver) -> None:
    client = TelemetryClient(receiver.url)
    assert client.track("page_viewed", {"path": "/"}, colour="red") is False
    assert client.track("page_viewed", "not a mapping") is False  # type: ignore[arg-type]
    client.close()
    assert client.drops == {"invalid_event": 2}
    assert receiver.bodies == []


def test_full_queue_drops_newest_and_counts_them() -> None:
    client = TelemetryClient(
        closed_port_url(),
        max_queue_events=5,
        flush_interval_millis=60_000,
        retry_policy=FAST_RETRIES,
    )
    accepted = [client.track("menu_clicked", {"item": str(n)}) for n in range(8)]
    assert accepted == [True] * 5 + [False] * 3
    client.close()
    assert client.drops == {"queue_full": 3, "retries_exhausted": 5}


def test_unreachable_endpoint_never_raises_and_counts_loss() -> None:
    client = TelemetryClient(closed_port_url(), retry_policy=FAST_RETRIES)
    assert client.track("menu_clicked", {"item": "x"}) is True
    assert client.flush(5.0)
    client.close()
    assert client.drops == {"retries_exhausted": 1}


def test_retry_after_is_honoured_on_503(receiver: Receiver) -> None:
    receiver.replies = [(503, {"retry-after": "1"})]
    client = TelemetryClient(receiver.url, retry_policy=FAST_RETRIES)
    client.track("menu_clicked", {"item": "x"})
    assert client.flush(10.0)
    client.close()
    first, second = receiver.arrival_times
    assert second - first >= 0.95
    assert len(receiver.events) == 1
    assert client.drops == {}


def test_429_then_success_delivers_once(receiver: Receiver) -> None:
    receiver.replies = [(429, {}), (500, {})]
    client = TelemetryClient(receiver.url, retry_policy=FAST_RETRIES)
    client.track("menu_clicked", {"item": "x"})
    client.close()
    assert len(receiver.arrival_times) == 3
    assert len(receiver.events) == 1


def test_client_error_drops_batch_as_rejected(receiver: Receiver) -> None:
    receiver.replies = [(400, {})]
    client = TelemetryClient(receiver.url, retry_policy=FAST_RETRIES)
    for number in range(3):
        client.track("menu_clicked", {"item": str(number)})
    client.close()
    assert len(receiver.arrival_times) == 1
    assert client.drops == {"rejected": 3}


def test_413_splits_the_batch_in_halves(receiver: Receiver) -> None:
    receiver.replies = [(413, {})]
    client = TelemetryClient(receiver.url, retry_policy=FAST_RETRIES)
    for number in range(5):
        client.track("menu_clicked", {"item": str(number)})
    client.close()
    assert [len(body["batch"]) for body in receiver.bodies] == [2, 3]
    assert client.drops == {}


def test_track_after_close_is_dropped_as_closed(receiver: Receiver) -> None:
    client = TelemetryClient(receiver.url)
    client.close()
    assert client.track("menu_clicked", {"item": "x"}) is False
    assert client.drops == {"closed": 1}


def test_events_queued_at_exit_are_flushed(receiver: Receiver, tmp_path: Path) -> None:
    script = tmp_path / "host.py"
    script.write_text(
        textwrap.dedent(
            f"""
            from lms_telemetry.sdk import TelemetryClient
            client = TelemetryClient({receiver.url!r}, flush_interval_millis=60_000)
            for number in range(3):
                client.track("menu_clicked", {{"item": str(number)}})
            """
        )
    )
    subprocess.run([sys.executable, str(script)], check=True, timeout=60)
    assert [event["payload"]["item"] for event in receiver.events] == ["0", "1", "2"]
