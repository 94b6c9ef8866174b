"""The simulator: its queries, its plan, and a small run against the real site."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from starlette.applications import Starlette
from starlette.routing import Route

from examples.opac.app import DEFAULT_CATALOG, create_app
from examples.opac.catalog import Book, load_catalog
from examples.opac.simulation import run_simulation
from examples.opac.simulation.experiment import ONE_CLICK_RENEWAL
from examples.opac.simulation.queries import make_typo, plain_title
from examples.opac.simulation.runner import plan_sessions
from examples.opac.simulation.visit import Popularity
from lms_telemetry.experiments.assignment import assign_variant
from lms_telemetry.experiments.definitions import parse_experiment
from tests.sdk.conftest import Receiver, assert_valid_events, serve_asgi


def edit_distance(first: str, second: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment), computed directly."""
    rows = [
        [max(i, j) if 0 in (i, j) else 0 for j in range(len(second) + 1)]
        for i in range(len(first) + 1)
    ]
    for i in range(1, len(first) + 1):
        for j in range(1, len(second) + 1):
            cost = first[i - 1] != second[j - 1]
            rows[i][j] = min(
                rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost
            )
            if (
                i > 1
                and j > 1
                and first[i - 1] == second[j - 2]
                and first[i - 2] == second[j - 1]
            ):
                rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
    return rows[-1][-1]


def test_a_typo_is_one_edit_away() -> None:
    rng = random.Random(5)
    for title in ("Pride and Prejudice", "Moby-Dick", "Les Misérables"):
        for _ in range(50):
            assert edit_distance(make_typo(title, rng), title) <= 1


def test_series_information_is_dropped_from_titles() -> None:
    book = Book(
        1,
        "The Hunger Games (The Hunger Games, #1)",
        ("Suzanne Collins",),
        2008,
        "eng",
        4.3,
        100,
        None,
    )
    assert plain_title(book) == "The Hunger Games"


def test_popularity_draws_follow_ratings_count() -> None:
    books = [
        Book(i, f"T{i}", ("A",), None, "", 4.0, count, None)
        for i, count in enumerate((6000, 3000, 1000), start=1)
    ]
    rng = random.Random(11)
    drawn = Counter(Popularity(books).draw(rng).book_id for _ in range(30_000))
    assert abs(drawn[1] / 30_000 - 0.6) < 0.015
    assert abs(drawn[2] / 30_000 - 0.3) < 0.015
    assert abs(drawn[3] / 30_000 - 0.1) < 0.01


def test_plan_is_the_same_for_the_same_seed_and_lies_in_the_past() -> None:
    now = datetime(2024, 5, 20, 15, 0, tzinfo=UTC)
    first, again = plan_sessions(500, 3, 14, now), plan_sessions(500, 3, 14, now)
    assert first == again
    assert first != plan_sessions(500, 4, 14, now)
    assert all(now - timedelta(days=15) <= s.start < now for s in first)
    kinds = Counter(session.kind for session in first)
    assert kinds["patron"] > 350 and kinds["librarian"] > 20


def test_small_run_sends_valid_events_with_sent_at(tmp_path: Path) -> None:
    capture = Receiver()
    receiver_app = Starlette(
        routes=[Route("/api/telemetry", capture.receive, methods=["POST"])]
    )
    with serve_asgi(receiver_app) as telemetry_url:
        capture.url = telemetry_url + "/api/telemetry"
        site = create_app(DEFAULT_CATALOG, telemetry_url, fault_rate=0.0)
        with serve_asgi(site) as site_url:
            summary = run_simulation(
                site_url, telemetry_url, DEFAULT_CATALOG, 80, seed=2, days=7
            )
    assert sum(summary.sessions.values()) == 80
    assert summary.events_lost == 0
    page_events = [
        e
        for e in capture.events
        if e["event"] != "api_request" and e["event"] != "backend_exception"
    ]
    assert len(page_events) == summary.events_sent
    assert_valid_events(capture.events)
    assert all("sent_at" in body for body in capture.bodies)

    now = datetime.now(UTC)
    times = [datetime.fromisoformat(e["timestamp"]) for e in page_events]
    assert all(now - timedelta(days=8) <= moment < now for moment in times)
    assert len({e["event_id"] for e in page_events}) == len(page_events)

    titles = {
        plain_title(b).casefold() for b in load_catalog(DEFAULT_CATALOG).books.values()
    }
    queries = [
        e["payload"]["query"].casefold()
        for e in page_events
        if e["event"] == "search_submitted"
    ]
    assert sum(query in titles for query in queries) >= len(queries) // 4

    definition = parse_experiment(ONE_CLICK_RENEWAL)
    for exposure in (e for e in page_events if e["event"] == "experiment_exposure"):
        index = assign_variant(definition, exposure["anonymous_id"])
        assert exposure["payload"]["variant"] == definition.variants[index or 0].key
