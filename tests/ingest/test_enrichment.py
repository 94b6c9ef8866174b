"""Event time: skew correction from sent_at, and the cases it cannot fix."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lms_telemetry.ingest.enrichment import event_time, parse_time, to_micros

RECEIVED = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
SKEW_LIMIT = timedelta(minutes=5)


def test_sent_at_cancels_a_wrong_client_clock() -> None:
    # A kiosk whose clock was reset to 1970: only the difference counts.
    timestamp = datetime(1970, 1, 1, 0, 0, 10, tzinfo=UTC)
    sent_at = datetime(1970, 1, 1, 0, 0, 40, tzinfo=UTC)

    assert event_time(timestamp, sent_at, RECEIVED, SKEW_LIMIT) == (
        RECEIVED - timedelta(seconds=30),
        False,
    )


def test_event_sent_before_it_happened_becomes_receipt_time() -> None:
    timestamp = RECEIVED + timedelta(seconds=10)

    assert event_time(timestamp, RECEIVED, RECEIVED, SKEW_LIMIT) == (RECEIVED, True)


def test_clocks_millennia_apart_become_receipt_time_instead_of_failing() -> None:
    timestamp = parse_time("0164-06-07T09:34:38.355-12:32")
    sent_at = parse_time("8901-12-20T19:25:33Z")

    assert event_time(timestamp, sent_at, RECEIVED, SKEW_LIMIT) == (RECEIVED, True)


def test_future_timestamp_without_sent_at_is_flagged() -> None:
    timestamp = RECEIVED + timedelta(minutes=6)

    assert event_time(timestamp, None, RECEIVED, SKEW_LIMIT) == (RECEIVED, True)


def test_small_future_skew_without_sent_at_is_kept() -> None:
    timestamp = RECEIVED + timedelta(minutes=4)

    assert event_time(timestamp, None, RECEIVED, SKEW_LIMIT) == (timestamp, False)


def test_micros_count_from_the_unix_epoch() -> None:
    moment = datetime(1970, 1, 2, 0, 0, 0, 5, tzinfo=UTC)

    assert to_micros(moment) == 86_400 * 1_000_000 + 5
    assert parse_time("2024-01-01T00:00:00") is None  # no offset: not RFC 3339
