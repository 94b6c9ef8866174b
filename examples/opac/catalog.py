"""Loading a catalogue in the goodbooks-10k CSV layout.

Rows that cannot be used are skipped and reported with the reason, so that a
user pointing the site at their own export sees what was left out.
"""

from __future__ import annotations

import csv
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

logger = logging.getLogger(__name__)

REQUIRED_COLUMNS = ("book_id", "title", "authors", "ratings_count")


class CatalogError(ValueError):
    """The catalogue file cannot be loaded at all."""


@dataclass(frozen=True)
class Book:
    """One title of the catalogue."""

    book_id: int
    title: str
    authors: tuple[str, ...]
    year: int | None
    language_code: str
    average_rating: float
    ratings_count: int
    isbn13: str | None

    @property
    def author_line(self) -> str:
        return ", ".join(self.authors)


@dataclass(frozen=True)
class SkippedRow:
    """A row left out, with its line number in the file and why."""

    line: int
    reason: str


@dataclass
class Catalog:
    """The loaded books, by id, and the rows that were skipped."""

    books: dict[int, Book] = field(default_factory=dict)
    skipped: list[SkippedRow] = field(default_factory=list)

    def skip_summary(self) -> dict[str, int]:
        """Number of skipped rows by reason."""
        return dict(Counter(row.reason for row in self.skipped))


def load_catalog(path: Path) -> Catalog:
    """Read ``path``; raise CatalogError when a required column is missing."""
    catalog = Catalog()
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise CatalogError(
                f"catalogue {path.name!r} has no column {missing[0]!r}; "
                f"expected the goodbooks-10k layout"
            )
        for row in reader:
            _add_row(catalog, row, reader.line_num)
    if catalog.skipped:
        logger.warning(
            "catalogue rows skipped: %s", catalog.skip_summary(), extra={"file": path}
        )
    return catalog


def _add_row(catalog: Catalog, row: dict[str, str], line: int) -> None:
    try:
        book = parse_row(row)
    except ValueError as exc:
        catalog.skipped.append(SkippedRow(line, str(exc)))
        return
    if book.book_id in catalog.books:
        catalog.skipped.append(SkippedRow(line, "duplicate book_id"))
        return
    catalog.books[book.book_id] = book


def parse_row(row: dict[str, str]) -> Book:
    """Turn one CSV row into a Book; ValueError names what is wrong."""
    book_id = _parse_int(row.get("book_id"), "book_id")
    title = (row.get("title") or row.get("original_title") or "").strip()
    if not title:
        raise ValueError("missing title")
    authors = tuple(
        a.strip() for a in (row.get("authors") or "").split(",") if a.strip()
    )
    if not authors:
        raise ValueError("missing authors")
    ratings_count = _parse_int(row.get("ratings_count"), "ratings_count")
    return Book(
        book_id=book_id,
        title=title,
        authors=authors,
        year=_parse_year(row.get("original_publication_year")),
        language_code=(row.get("language_code") or "").strip(),
        average_rating=_parse_float(row.get("average_rating")),
        ratings_count=ratings_count,
        isbn13=_parse_isbn13(row.get("isbn13")),
    )


def _parse_int(text: str | None, column: str) -> int:
    if text is None or not text.strip():
        raise ValueError(f"missing {column}")
    try:
        value = int(float(text)) if "." in text else int(text)
    except ValueError:
        raise ValueError(f"{column} not an integer") from None
    if value < 0:
        raise ValueError(f"{column} negative")
    return value


def _parse_year(text: str | None) -> int | None:
    try:
        return int(float(text)) if text and text.strip() else None
    except ValueError:
        return None


def _parse_float(text: str | None) -> float:
    try:
        return float(text) if text else 0.0
    except ValueError:
        return 0.0


def _parse_isbn13(text: str | None) -> str | None:
    """Keep only a plain 13-digit ISBN; goodbooks' scientific notation lost digits."""
    text = (text or "").strip()
    return text if len(text) == 13 and text.isdigit() else None
