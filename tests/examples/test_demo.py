"""The demo end to end: real service, real site, simulated visitors, summary."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import numpy as np
import pytest

from examples.opac.demo import run_demo


def test_small_demo_stores_events_and_prints_the_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_demo(sessions=60, directory=tmp_path, exit_after=True, seed=4) == 0
    printed = capsys.readouterr().out
    for heading in (
        "Events by persona",
        "Top searches",
        "Zero-result rate",
        "Slowest endpoint",
        "Most popular",
        "one-click-renewal",
    ):
        assert heading in printed
    with duckdb.connect(str(tmp_path / "telemetry.duckdb"), read_only=True) as db:
        events, quarantined = db.execute(
            "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM quarantine)"
        ).fetchone() or (0, 0)
        endpoints = {
            row[0]
            for row in db.execute(
                "SELECT DISTINCT endpoint FROM events WHERE event = 'api_request'"
            ).fetchall()
        }
    assert quarantined == 0
    assert events > 60 * 5
    assert {"/search", "/items/{book_id:int}", "/"} <= endpoints


@pytest.mark.shared_data
@pytest.mark.timeout(900)
def test_goodbooks_popularity_flows_through_the_pipeline(
    tmp_path: Path, shared_data: Path
) -> None:
    books_csv = shared_data / "goodbooks-10k" / "books.csv"
    assert (
        run_demo(
            sessions=2000, catalog_path=books_csv, directory=tmp_path, exit_after=True
        )
        == 0
    )
    with books_csv.open(encoding="utf-8", newline="") as handle:
        ratings = {
            row["book_id"]: int(row["ratings_count"]) for row in csv.DictReader(handle)
        }
    with duckdb.connect(str(tmp_path / "telemetry.duckdb"), read_only=True) as db:
        interest = dict(
            db.execute(
                "SELECT item_id, count(*) FILTER (WHERE event = 'item_viewed')"
                " + count(*) FILTER (WHERE event IN ('item_borrowed', 'hold_placed')"
                "   AND outcome = 'success')"
                " FROM events WHERE NOT is_bot AND item_id IS NOT NULL GROUP BY 1"
            ).fetchall()
        )
        views = dict(
            db.execute(
                "SELECT item_id, count(*) FROM events"
                " WHERE event = 'item_viewed' AND NOT is_bot GROUP BY 1"
            ).fetchall()
        )
    ids = list(ratings)
    correlation = np.corrcoef(
        [interest.get(i, 0) for i in ids], [ratings[i] for i in ids]
    )[0, 1]
    assert correlation >= 0.6
    most_viewed = sorted(views, key=lambda item: -views[item])[:10]
    most_rated = sorted(ratings, key=lambda item: -ratings[item])[:3]
    assert set(most_rated) <= set(most_viewed)
