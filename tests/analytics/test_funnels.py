"""The funnels report: the borrow funnel and configured ones."""

from __future__ import annotations

import pytest

from lms_telemetry.analytics import ReportError, funnels
from lms_telemetry.storage import Store
from tests.analytics import report_reference as reference
from tests.analytics.events import at, load, make_event, random_stream

DAY = ("2024-05-06", "2024-05-07")


def _steps(result: dict, name: str = "borrow") -> list[tuple]:
    funnel = next(f for f in result["funnels"] if f["name"] == name)
    return [
        (
            s["step"],
            s["sessions"],
            s["conversion_from_previous"],
            s["conversion_from_start"],
            s["median_seconds_from_previous"],
        )
        for s in funnel["steps"]
    ]


def test_borrow_funnel_needs_order_and_success(store: Store) -> None:
    rows = [
        # a: search, view, borrow: the whole funnel, 60 s then 120 s apart.
        make_event(
            "search_submitted", at(0), session_id="a", query="x", results_count=1
        ),
        make_event("item_viewed", at(1), session_id="a", item_id="1"),
        make_event(
            "item_borrowed", at(3), session_id="a", item_id="1", outcome="success"
        ),
        # b: view before search: reaches the search step only.
        make_event("item_viewed", at(0), session_id="b", item_id="1"),
        make_event(
            "search_submitted", at(1), session_id="b", query="x", results_count=1
        ),
        # c: hold refused: stops at the view, 240 s after the search.
        make_event(
            "search_submitted", at(0), session_id="c", query="x", results_count=1
        ),
        make_event("item_viewed", at(4), session_id="c", item_id="1"),
        make_event(
            "hold_placed", at(5), session_id="c", item_id="1", outcome="refused"
        ),
        # d: a successful hold ends the funnel too.
        make_event(
            "search_submitted", at(0), session_id="d", query="x", results_count=1
        ),
        make_event("item_viewed", at(2), session_id="d", item_id="1"),
        make_event(
            "hold_placed", at(3), session_id="d", item_id="1", outcome="success"
        ),
    ]
    load(store, rows)
    assert _steps(funnels.report(store, *DAY)) == [
        ("search_submitted", 4, None, 1.0, None),
        ("item_viewed", 3, 3 / 4, 3 / 4, 120.0),
        ("item_borrowed|hold_placed", 2, 2 / 3, 2 / 4, 90.0),
    ]


def test_configured_funnel_with_window_takes_the_best_start(store: Store) -> None:
    rows = [
        # The first page view is too early for the 10-minute window; the
        # second one starts a chain that completes.
        make_event("page_viewed", at(0), session_id="a"),
        make_event("page_viewed", at(50), session_id="a"),
        make_event("item_viewed", at(55), session_id="a", item_id="1"),
        make_event("page_viewed", at(0), session_id="b"),
        make_event("item_viewed", at(11), session_id="b", item_id="1"),
    ]
    load(store, rows)
    definition = {
        "name": "browse",
        "steps": ["page_viewed", "item_viewed"],
        "window_minutes": 10,
    }
    result = funnels.report(store, *DAY, funnels=[definition])
    assert _steps(result, "browse") == [
        ("page_viewed", 2, None, 1.0, None),
        ("item_viewed", 1, 0.5, 0.5, 300.0),
    ]


@pytest.mark.parametrize("seed", [7, 8])
def test_random_stream_matches_plain_python(store: Store, seed: int) -> None:
    rows = random_stream(seed, sessions=200)
    load(store, rows)
    start, end = at(0), at(3 * 24 * 60)
    steps = [("search_submitted",), ("item_viewed",), ("item_borrowed", "hold_placed")]
    expected = reference.funnel(reference.in_scope(rows, start, end), steps)
    result = funnels.report(store, start, end)["funnels"][0]["steps"]
    assert [s["sessions"] for s in result] == [count for count, _ in expected]
    assert [s["median_seconds_from_previous"] for s in result] == pytest.approx(
        [median for _, median in expected]
    )


def test_empty_period_gives_null_conversions(store: Store) -> None:
    steps = funnels.report(store, *DAY)["funnels"][0]["steps"]
    assert [s["sessions"] for s in steps] == [0, 0, 0]
    assert all(s["conversion_from_start"] is None for s in steps)
    assert all(s["median_seconds_from_previous"] is None for s in steps)


@pytest.mark.parametrize(
    ("definition", "words"),
    [
        ({"steps": ["a", "b"]}, "has no name"),
        ({"name": "x", "steps": ["page_viewed"]}, "two or more steps"),
        ({"name": "x", "steps": ["page_viewed", "DROP TABLE"]}, "not an event name"),
        ({"name": "x", "steps": ["a", "b"], "window_minutes": -1}, "positive number"),
    ],
)
def test_bad_funnel_definition_is_refused_with_reason(
    store: Store, definition: dict, words: str
) -> None:
    with pytest.raises(ReportError, match=words):
        funnels.report(store, *DAY, funnels=[definition])
