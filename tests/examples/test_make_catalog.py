"""The shipped catalogue and the ISBN check digits it was written with."""

from __future__ import annotations

import csv
from pathlib import Path

from examples.opac.catalog import load_catalog
from examples.opac.make_catalog import COLUMNS, isbn10_check_digit, isbn13_check_digit

SHIPPED = Path(__file__).resolve().parents[2] / "examples" / "opac" / "catalog.csv"


def test_check_digits_match_published_examples() -> None:
    # ISBN 978-0-306-40615-7 / 0-306-40615-2 is the standard's worked example;
    # 0-8044-2957-X is a classic ISBN-10 whose check digit is X.
    assert isbn13_check_digit("978030640615") == "7"
    assert isbn10_check_digit("030640615") == "2"
    assert isbn10_check_digit("080442957") == "X"


def is_valid_isbn13(isbn: str) -> bool:
    weights = [1, 3] * 6 + [1]
    return len(isbn) == 13 and sum(int(d) * w for d, w in zip(isbn, weights)) % 10 == 0


def is_valid_isbn10(isbn: str) -> bool:
    values = [10 if c == "X" else int(c) for c in isbn]
    return len(isbn) == 10 and sum(v * (10 - i) for i, v in enumerate(values)) % 11 == 0


def test_shipped_catalogue_has_valid_isbns_and_goodbooks_columns() -> None:
    with SHIPPED.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert reader.fieldnames == COLUMNS
    assert 300 <= len(rows) <= 600
    for row in rows:
        assert is_valid_isbn13(row["isbn13"]), row["title"]
        assert is_valid_isbn10(row["isbn"]), row["title"]
        assert row["isbn13"][3:12] == row["isbn"][:9]
        assert row["isbn13"].startswith("978")
        stars = [int(row[f"ratings_{s}"]) for s in range(1, 6)]
        assert sum(stars) == int(row["ratings_count"])
        mean = sum(s * n for s, n in zip(range(1, 6), stars)) / sum(stars)
        assert abs(mean - float(row["average_rating"])) < 0.01


def test_shipped_catalogue_loads_without_skipping_rows() -> None:
    catalog = load_catalog(SHIPPED)
    assert catalog.skipped == []
    titles = {book.title for book in catalog.books.values()}
    assert {"Pride and Prejudice", "Les Misérables", "Moby-Dick"} <= titles
    counts = [catalog.books[i].ratings_count for i in sorted(catalog.books)]
    assert counts[0] > 100 * counts[-1]
