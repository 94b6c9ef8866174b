"""The sessions report: session_id sessions, 30-minute runs, durations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lms_telemetry.analytics import sessions
from lms_telemetry.storage import Store
from tests.analytics import report_reference as reference
from tests.analytics.events import at, load, make_event, random_stream


def test_session_crossing_an_hour_boundary_is_one_session(store: Store) -> None:
    start = datetime(2024, 5, 6, 10, 50, tzinfo=UTC)
    load(
        store,
        [make_event("page_viewed", start + timedelta(minutes=m)) for m in (0, 15, 30)],
    )
    result = sessions.report(store, "2024-05-06", "2024-05-07")
    assert result["sessions"] == 1
    assert result["duration_seconds"] == {"p50": 1800.0, "p90": 1800.0, "mean": 1800.0}
    assert result["events_per_session"] == {"p50": 3.0, "mean": 3.0}


def test_gap_over_thirty_minutes_starts_a_new_session(store: Store) -> None:
    # 30 minutes exactly keeps the session; 30 minutes and a second ends it.
    minutes = [0, 30, 60 + 1 / 60, 70]
    load(store, [make_event("page_viewed", at(m)) for m in minutes])
    result = sessions.report(store, "2024-05-06", "2024-05-07")
    assert result["sessions"] == 2
    assert result["duration_seconds"]["mean"] == pytest.approx((1800 + 599) / 2)


def test_session_id_wins_over_the_gap_rule(store: Store) -> None:
    rows = [make_event("page_viewed", at(m), session_id="s-1") for m in (0, 90)]
    rows.append(make_event("page_viewed", at(10), pseudonymous_id="id-2"))
    load(store, rows)
    result = sessions.report(store, "2024-05-06", "2024-05-07")
    assert result["sessions"] == 2
    # Durations 5400 s (session s-1) and 0 s (id-2 alone): the median is 2700.
    assert result["duration_seconds"]["p50"] == 2700.0


def test_session_persona_is_the_first_known_one(store: Store) -> None:
    rows = [
        make_event("page_viewed", at(0), persona="unknown", session_id="a"),
        make_event("page_viewed", at(1), persona="librarian", session_id="a"),
        make_event("page_viewed", at(2), persona="patron", session_id="a"),
        make_event("page_viewed", at(0), persona="unknown", session_id="b"),
    ]
    load(store, rows)
    result = sessions.report(store, "2024-05-06", "2024-05-07")
    assert result["by_persona"] == [
        {"persona": "librarian", "sessions": 1, "median_duration_seconds": 120.0},
        {"persona": "unknown", "sessions": 1, "median_duration_seconds": 0.0},
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_stream_matches_plain_python(store: Store, seed: int) -> None:
    rows = random_stream(seed)
    load(store, rows)
    start, end = at(0), at(3 * 24 * 60)
    expected = reference.session_figures(reference.in_scope(rows, start, end))
    result = sessions.report(store, start.isoformat(), end.isoformat())

    assert result["sessions"] == expected["sessions"]
    for key in ("duration_seconds", "events_per_session"):
        assert result[key] == pytest.approx(expected[key])
    by_persona = {r["persona"]: r for r in result["by_persona"]}
    assert by_persona.keys() == expected["by_persona"].keys()
    for persona, (count, median) in expected["by_persona"].items():
        assert by_persona[persona]["sessions"] == count
        assert by_persona[persona]["median_duration_seconds"] == pytest.approx(median)


def test_empty_period_gives_null_figures(store: Store) -> None:
    result = sessions.report(store, "2024-05-06", "2024-05-07")
    assert result == {
        "sessions": 0,
        "duration_seconds": {"p50": None, "p90": None, "mean": None},
        "events_per_session": {"p50": None, "mean": None},
        "by_persona": [],
    }
