"""Write catalog.csv, the example site's own catalogue, from classics.txt.

The rows follow the goodbooks-10k column layout so that the site loads this
catalogue and goodbooks-10k's books.csv the same way. Everything besides
title, authors and year is made up here, deterministically: ISBNs in the
ranges of publishers known for public-domain reprints with check digits
computed below, and popularity figures that fall off with the book's place
in classics.txt, as borrowing does in a real library.

    python -m examples.opac.make_catalog            # rewrites catalog.csv
"""

from __future__ import annotations

import csv
import random
import zlib
from pathlib import Path

HERE = Path(__file__).parent
COLUMNS = [
    "book_id",
    "goodreads_book_id",
    "best_book_id",
    "work_id",
    "books_count",
    "isbn",
    "isbn13",
    "authors",
    "original_publication_year",
    "original_title",
    "title",
    "language_code",
    "average_rating",
    "ratings_count",
    "work_ratings_count",
    "work_text_reviews_count",
    "ratings_1",
    "ratings_2",
    "ratings_3",
    "ratings_4",
    "ratings_5",
    "image_url",
    "small_image_url",
]
#: ISBN-10 publisher prefixes (group + publisher) of classic-reprint houses;
#: the title number that completes the nine digits is made up per book.
PUBLISHER_PREFIXES = ("0486", "014", "019", "185326", "0553", "0451")
TOP_RATINGS_COUNT = 2_400_000
ZIPF_EXPONENT = 1.05


def isbn10_check_digit(first_nine: str) -> str:
    """ISBN-10 check digit: weights 10..2, modulo 11, 10 written as X."""
    total = sum((10 - index) * int(digit) for index, digit in enumerate(first_nine))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def isbn13_check_digit(first_twelve: str) -> str:
    """ISBN-13 check digit: weights alternating 1 and 3, modulo 10."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first_twelve))
    return str((10 - total % 10) % 10)


def make_isbns(rng: random.Random) -> tuple[str, str]:
    """A plausible (ISBN-10, ISBN-13) pair, both with valid check digits."""
    prefix = rng.choice(PUBLISHER_PREFIXES)
    title_digits = 9 - len(prefix)
    nine = prefix + f"{rng.randrange(10**title_digits):0{title_digits}d}"
    twelve = "978" + nine
    return nine + isbn10_check_digit(nine), twelve + isbn13_check_digit(twelve)


def read_classics(path: Path) -> list[tuple[int, str, str]]:
    """(year, authors, title) of each non-comment line of ``path``."""
    classics = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            year, authors, title = line.split("|")
            classics.append((int(year), authors, title))
    return classics


def star_histogram(count: int, average: float) -> list[int]:
    """Split ``count`` ratings over 1..5 stars so that their mean is ``average``."""
    # Fixed small tails (1 and 2 stars) and 4-star share; the 5-star share is
    # solved from mean = 3 - 3 * LOW + FOUR + 2 * five.
    low, four = 0.02, 0.2
    five = (average - 3.0 + 3 * low - four) / 2.0
    shares = [low, low, 1 - 2 * low - four - five, four, five]
    counts = [round(share * count) for share in shares]
    counts[2] += count - sum(counts)
    return counts


def make_row(book_id: int, year: int, authors: str, title: str) -> dict[str, object]:
    rng = random.Random(zlib.crc32(title.encode("utf-8")))
    isbn10, isbn13 = make_isbns(rng)
    popularity = TOP_RATINGS_COUNT / book_id**ZIPF_EXPONENT
    ratings_count = int(popularity * rng.uniform(0.8, 1.25)) + rng.randrange(900, 3000)
    average = round(rng.uniform(3.55, 4.35), 2)
    return {
        "book_id": book_id,
        "work_id": book_id,
        "books_count": max(5, int(900 / book_id**0.5 * rng.uniform(0.7, 1.3))),
        "isbn": isbn10,
        "isbn13": isbn13,
        "authors": authors,
        "original_publication_year": f"{year:.1f}",
        "original_title": title,
        "title": title,
        "language_code": "eng",
        "average_rating": f"{average:.2f}",
        "ratings_count": ratings_count,
        "work_ratings_count": int(ratings_count * rng.uniform(1.01, 1.12)),
        "work_text_reviews_count": int(ratings_count * rng.uniform(0.02, 0.05)),
        **dict(
            zip(
                [f"ratings_{s}" for s in range(1, 6)],
                star_histogram(ratings_count, average),
            )
        ),
    }


def write_catalog(classics: Path, target: Path) -> int:
    """Write the catalogue; return the number of rows written."""
    rows = [
        make_row(book_id, year, authors, title)
        for book_id, (year, authors, title) in enumerate(read_classics(classics), 1)
    ]
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, COLUMNS, restval="")
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


if __name__ == "__main__":
    written = write_catalog(HERE / "classics.txt", HERE / "catalog.csv")
    print(f"wrote {written} books to {HERE / 'catalog.csv'}")
