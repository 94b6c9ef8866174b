"""The overview report against plain-Python counts of the same events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from lms_telemetry.analytics import overview
from lms_telemetry.storage import Store
from tests.analytics import report_reference as reference
from tests.analytics.events import at, load, make_event

CHICAGO = ZoneInfo("America/Chicago")


def _hourly_events(first: datetime, hours: int) -> list[dict]:
    return [
        make_event("page_viewed", first + timedelta(hours=n), pseudonymous_id=f"id-{n}")
        for n in range(hours)
    ]


def test_daily_counts_follow_chicago_days_across_both_dst_changes(store: Store) -> None:
    # One event per real hour from Nov 2 to Nov 5 local (the fall-back day has
    # 25 hours) and from Mar 9 to Mar 12 local (spring forward: 23 hours).
    fall = _hourly_events(datetime(2024, 11, 2, tzinfo=CHICAGO).astimezone(UTC), 73)
    spring = _hourly_events(datetime(2024, 3, 9, tzinfo=CHICAGO).astimezone(UTC), 71)
    load(store, fall + spring)

    autumn = overview.report(store, "2024-11-02", "2024-11-05", tz="America/Chicago")
    vernal = overview.report(store, "2024-03-09", "2024-03-12", tz="America/Chicago")

    assert [(d["day"], d["events"]) for d in autumn["daily"]] == [
        ("2024-11-02", 24),
        ("2024-11-03", 25),
        ("2024-11-04", 24),
    ]
    assert [(d["day"], d["events"]) for d in vernal["daily"]] == [
        ("2024-03-09", 24),
        ("2024-03-10", 23),
        ("2024-03-11", 24),
    ]
    expected = reference.overview(
        reference.in_scope(
            fall,
            datetime(2024, 11, 2, tzinfo=CHICAGO),
            datetime(2024, 11, 5, tzinfo=CHICAGO),
        ),
        "America/Chicago",
    )
    assert autumn["events"] == expected["events"] == 73
    assert [d["sessions"] for d in autumn["daily"]] == [
        expected["daily_sessions"][datetime(2024, 11, day).date()] for day in (2, 3, 4)
    ]


def test_utc_day_cut_differs_from_chicago_cut(store: Store) -> None:
    # 03:00 UTC on May 7 is still May 6 in Chicago.
    load(store, [make_event("page_viewed", datetime(2024, 5, 7, 3, tzinfo=UTC))])
    utc = overview.report(store, "2024-05-06", "2024-05-08")
    chicago = overview.report(store, "2024-05-06", "2024-05-08", tz="America/Chicago")
    assert [d["events"] for d in utc["daily"]] == [0, 1]
    assert [d["events"] for d in chicago["daily"]] == [1, 0]


def test_bots_left_out_and_counted_as_excluded(store: Store) -> None:
    rows = [
        make_event("page_viewed", at(0)),
        make_event("search_submitted", at(1), query="x", results_count=1),
        make_event("page_viewed", at(2), is_bot=True, pseudonymous_id="bot"),
        make_event("page_viewed", at(3), is_bot=True, pseudonymous_id="bot"),
    ]
    load(store, rows)
    result = overview.report(store, "2024-05-06", "2024-05-07")
    assert result["events"] == 2
    assert result["bots_excluded"] == 2
    assert result["pseudonymous_ids"] == 1
    assert result["by_event"] == {"page_viewed": 1, "search_submitted": 1}
    assert result["by_category"] == {"navigation": 1, "user_action": 1}
    assert result["by_persona"] == {"patron": 2}


def test_late_and_skewed_events_count_at_their_corrected_time(store: Store) -> None:
    rows = [
        # Received two days late, but it happened on May 6.
        make_event("page_viewed", at(0), received_at=at(2 * 24 * 60)),
        # Received on May 6, but its corrected time is May 5: not in the period.
        make_event(
            "page_viewed", at(-24 * 60), received_at=at(0), is_clock_corrected=True
        ),
    ]
    load(store, rows)
    result = overview.report(store, "2024-05-06", "2024-05-07")
    assert result["events"] == 1
    assert result["daily"] == [{"day": "2024-05-06", "events": 1, "sessions": 1}]


def test_filters_apply_to_events_sessions_and_bots(store: Store) -> None:
    rows = [
        make_event("page_viewed", at(0), persona="librarian", interface="staff"),
        make_event("page_viewed", at(1), persona="patron", interface="opac"),
        make_event(
            "page_viewed", at(2), persona="librarian", interface="staff", is_bot=True
        ),
    ]
    load(store, rows)
    result = overview.report(store, "2024-05-06", "2024-05-07", persona="librarian")
    assert (result["events"], result["sessions"], result["bots_excluded"]) == (1, 1, 1)
    by_interface = overview.report(store, "2024-05-06", "2024-05-07", interface="opac")
    assert (by_interface["events"], by_interface["bots_excluded"]) == (1, 0)


def test_quarantined_bodies_received_in_period_are_counted(store: Store) -> None:
    quarantined = [
        {
            "received_at": at(n),
            "reason": "invalid",
            "errors": '["payload: bad"]',
            "event_index": 0,
            "event_id": None,
            "body": "{}",
        }
        for n in (0, 5, 24 * 60)
    ]
    store.load_spool_records([], quarantined, {})
    assert overview.report(store, "2024-05-06", "2024-05-07")["quarantined"] == 2


def test_empty_period_gives_zero_counts_and_every_day(store: Store) -> None:
    result = overview.report(store, "2024-05-06", "2024-05-08")
    assert result["events"] == result["sessions"] == result["pseudonymous_ids"] == 0
    assert result["by_event"] == {}
    assert result["daily"] == [
        {"day": "2024-05-06", "events": 0, "sessions": 0},
        {"day": "2024-05-07", "events": 0, "sessions": 0},
    ]
