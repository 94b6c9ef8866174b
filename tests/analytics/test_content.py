"""The content report: popular items, successful outcomes only."""

from __future__ import annotations

from pathlib import Path

import pytest

from lms_telemetry.analytics import ReportError, content
from lms_telemetry.storage import Store
from tests.analytics.events import at, load, make_event

DAY = ("2024-05-06", "2024-05-07")


def _rows() -> list[dict]:
    rows = [make_event("item_viewed", at(n), item_id="1") for n in range(3)]
    rows += [make_event("item_viewed", at(n), item_id="2") for n in range(5)]
    rows += [
        make_event("item_borrowed", at(9), item_id="1", outcome="success"),
        make_event("item_borrowed", at(9), item_id="2", outcome="refused"),
        make_event("item_borrowed", at(9), item_id="3"),  # outcome unknown
        make_event("hold_placed", at(9), item_id="3", outcome="success"),
        make_event("item_renewed", at(9), item_id="3", outcome="success"),
        make_event("item_viewed", at(9), item_id="4", is_bot=True),
    ]
    return rows


def test_items_ordered_by_successful_borrows_then_views(store: Store) -> None:
    load(store, _rows())
    assert content.report(store, *DAY)["items"] == [
        {"item_id": "1", "views": 3, "borrows": 1, "holds": 0, "renewals": 0},
        {"item_id": "2", "views": 5, "borrows": 0, "holds": 0, "renewals": 0},
        {"item_id": "3", "views": 0, "borrows": 0, "holds": 1, "renewals": 1},
    ]
    assert len(content.report(store, *DAY, limit=2)["items"]) == 2


def test_catalogue_adds_title_and_authors(store: Store, tmp_path: Path) -> None:
    catalogue = tmp_path / "books.csv"
    catalogue.write_text(
        'book_id,title,authors\n1,"Dune",Frank Herbert\n', encoding="utf-8"
    )
    load(store, _rows())
    items = content.report(store, *DAY, catalog=str(catalogue))["items"]
    assert (items[0]["title"], items[0]["authors"]) == ("Dune", "Frank Herbert")
    assert (items[1]["title"], items[1]["authors"]) == (None, None)


def test_missing_catalogue_is_named_in_the_error(store: Store, tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="missing.csv"):
        content.report(store, *DAY, catalog=str(tmp_path / "missing.csv"))


def test_empty_period_has_no_items(store: Store) -> None:
    assert content.report(store, *DAY) == {"items": []}
