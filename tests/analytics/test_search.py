"""The search report against the definitions computed in plain Python."""

from __future__ import annotations

import numpy as np
import pytest

from lms_telemetry.analytics import search
from lms_telemetry.storage import Store
from tests.analytics import report_reference as reference
from tests.analytics.events import at, load, make_event, random_stream

DAY = ("2024-05-06", "2024-05-07")


def _search(minute: float, query: str, owner: str = "id-1", **fields: object) -> dict:
    fields.setdefault("results_count", 4)
    return make_event(
        "search_submitted", at(minute), query=query, pseudonymous_id=owner, **fields
    )


def _click(minute: float, query: str, position: int, owner: str = "id-1") -> dict:
    return make_event(
        "result_clicked",
        at(minute),
        query=query,
        item_id="7",
        position=position,
        pseudonymous_id=owner,
    )


def test_queries_differing_in_case_width_or_spacing_are_one_row(store: Store) -> None:
    spellings = ["Dune", "DUNE", "  dune ", "\uff24\uff35\uff2e\uff25", "dune"]
    load(
        store,
        [_search(10 * n, text, owner=f"id-{n}") for n, text in enumerate(spellings)],
    )
    result = search.report(store, *DAY)
    assert result["top_queries"] == [
        {
            "query": "dune",
            "searches": 5,
            "pseudonymous_ids": 5,
            "zero_result_searches": 0,
            "clicked_searches": 0,
        }
    ]


def test_privacy_threshold_shows_query_at_k_ids_and_folds_it_at_k_minus_one(
    store: Store,
) -> None:
    rows = [_search(n, "tolkien", owner=f"id-{n}") for n in range(5)]
    rows += [_search(n, "my own name", owner=f"id-{n}") for n in range(4)]
    rows += [_search(10, "my own name", owner="id-0")]  # same id again: still 4
    load(store, rows)
    result = search.report(store, *DAY, min_ids=5)
    assert [row["query"] for row in result["top_queries"]] == ["tolkien"]
    assert result["other"] == {"queries": 1, "searches": 5}
    lowered = search.report(store, *DAY, min_ids=4)
    assert [row["query"] for row in lowered["top_queries"]] == [
        "my own name",
        "tolkien",
    ]
    assert lowered["other"] == {"queries": 0, "searches": 0}


def test_click_counts_only_with_same_query_before_next_search(store: Store) -> None:
    rows = [
        _search(0, "Dune"),
        _click(0.5, "dune", 3),
        _click(0.7, "dune", 1),
        _search(1, "tolkien"),
        _click(1.5, "other", 2),  # another query's click
        _search(5, "le petit prince", results_count=0),  # reformulated, no click
        _search(5.5, "petit prince"),  # last: not reformulated
    ]
    load(store, rows)
    result = search.report(store, *DAY, min_ids=1)
    assert result["searches"] == 4
    assert result["click_through_rate"] == 1 / 4
    assert result["mean_click_position"] == 3.0  # the first click, not the best
    assert result["zero_result_rate"] == 1 / 4
    # "tolkien" was followed 4 min later: too late; "le petit prince" within 30 s.
    assert result["reformulation_rate"] == 1 / 4
    assert result["zero_result_queries"] == [
        {
            "query": "le petit prince",
            "searches": 1,
            "pseudonymous_ids": 1,
            "zero_result_searches": 1,
            "clicked_searches": 0,
        }
    ]


def test_p99_latency_with_one_huge_outlier_among_a_thousand(store: Store) -> None:
    latencies = [100.0] * 1000 + [60_000.0]
    load(
        store,
        [
            _search(n / 100, "q", latency_ms=value, owner=f"id-{n % 7}")
            for n, value in enumerate(latencies)
        ],
    )
    result = search.report(store, *DAY)
    assert result["latency_ms"] == {
        "p50": float(np.percentile(latencies, 50)),
        "p95": float(np.percentile(latencies, 95)),
        "p99": float(np.percentile(latencies, 99)),
    }
    # Linear interpolation between closest ranks: the outlier is the last of
    # 1001 values, so p99 (rank 990) is still 100 ms.
    assert result["latency_ms"]["p99"] == 100.0


def test_suggestion_clicks_and_their_mean_position(store: Store) -> None:
    rows = [
        make_event("suggestion_clicked", at(n), query="du", position=p)
        for n, p in enumerate([1, 2, 6])
    ]
    load(store, rows)
    result = search.report(store, *DAY)
    assert (result["suggestion_clicks"], result["mean_suggestion_position"]) == (3, 3.0)


def test_bots_searches_are_left_out(store: Store) -> None:
    load(store, [_search(0, "dune"), _search(1, "dune", owner="bot", is_bot=True)])
    assert search.report(store, *DAY, min_ids=1)["searches"] == 1


@pytest.mark.parametrize("seed", [4, 5, 6])
def test_random_stream_matches_plain_python(store: Store, seed: int) -> None:
    rows = random_stream(seed)
    load(store, rows)
    start, end = at(0), at(3 * 24 * 60)
    expected = reference.search(
        reference.in_scope(rows, start, end), min_ids=3, limit=4
    )
    result = search.report(store, start, end, min_ids=3, limit=4)
    for key, value in expected.items():
        if isinstance(value, dict | list):
            assert result[key] == value, key  # counts and exact percentiles
        else:
            assert result[key] == pytest.approx(value), key


def test_empty_period_gives_null_rates(store: Store) -> None:
    result = search.report(store, *DAY)
    assert result["searches"] == 0
    for key in (
        "zero_result_rate",
        "click_through_rate",
        "mean_click_position",
        "reformulation_rate",
        "mean_suggestion_position",
    ):
        assert result[key] is None
    assert result["latency_ms"] == {"p50": None, "p95": None, "p99": None}
    assert result["other"] == {"queries": 0, "searches": 0}
