"""Loading goodbooks-10k layout catalogues, skipping bad rows with a reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from examples.opac.catalog import CatalogError, load_catalog

HEADER = "book_id,isbn13,authors,original_publication_year,title,ratings_count\n"


def test_bad_rows_are_skipped_with_line_and_reason(tmp_path: Path) -> None:
    path = tmp_path / "books.csv"
    path.write_text(
        HEADER
        + '1,9.78043902348e+12,"Suzanne Collins",2008.0,The Hunger Games,4780653\n'
        + "2,,Homer,-750.0,The Odyssey,670326\n"
        + "x3,,Someone,,Broken Id,10\n"
        + "4,,,1999.0,No Author,10\n"
        + "5,,An Author,,,10\n"
        + "6,,An Author,,Negative,-4\n"
        + "1,,Again,,Duplicate,10\n"
        + '7,9780140449136,"Fyodor Dostoevsky, Oliver Ready",1866.0,Crime,abc\n',
        encoding="utf-8",
    )
    catalog = load_catalog(path)
    assert sorted(catalog.books) == [1, 2]
    assert [(row.line, row.reason) for row in catalog.skipped] == [
        (4, "book_id not an integer"),
        (5, "missing authors"),
        (6, "missing title"),
        (7, "ratings_count negative"),
        (8, "duplicate book_id"),
        (9, "ratings_count not an integer"),
    ]
    assert catalog.skip_summary()["missing title"] == 1
    hunger, odyssey = catalog.books[1], catalog.books[2]
    assert hunger.isbn13 is None  # scientific notation lost the last digits
    assert hunger.year == 2008 and odyssey.year == -750
    assert odyssey.authors == ("Homer",)


def test_missing_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "books.csv"
    path.write_text("book_id,title,authors\n1,A,B\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="no column 'ratings_count'"):
        load_catalog(path)


def test_goodbooks_catalogue_loads_every_row(shared_data: Path) -> None:
    catalog = load_catalog(shared_data / "goodbooks-10k" / "books.csv")
    assert len(catalog.books) == 10_000
    assert catalog.skipped == []
    assert catalog.books[2].authors == ("J.K. Rowling", "Mary GrandPré")
    assert catalog.books[1].ratings_count == 4_780_653
