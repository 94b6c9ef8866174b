"""Search queries as patrons type them: partial, misspelt, oddly cased.

A query starts from a real title or author of the catalogue and is then
changed the way people change them: series information dropped, only the
first words typed, the author's surname alone, letters swapped or lost,
capitals forgotten or stuck.
"""

from __future__ import annotations

import random
import re

from examples.opac.catalog import Book

_SERIES = re.compile(r"\s*\([^)]*#[^)]*\)\s*$")
_KEYBOARD_NEIGHBOURS = {
    "a": "sq",
    "e": "wr",
    "i": "uo",
    "o": "ip",
    "n": "bm",
    "r": "et",
    "s": "ad",
    "t": "ry",
    "l": "k",
    "h": "gj",
    "c": "xv",
    "m": "n",
}
TYPO_SHARE = 0.12


def plain_title(book: Book) -> str:
    """The title without goodbooks' "(Series, #1)" suffix."""
    return _SERIES.sub("", book.title).strip() or book.title


def make_typo(text: str, rng: random.Random) -> str:
    """One slip of the finger: a swap, a dropped letter or a neighbour key."""
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    if len(letters) < 4:
        return text
    at = rng.choice(letters[1:-1])
    kind = rng.random()
    if kind < 0.4 and at + 1 < len(text):
        return text[:at] + text[at + 1] + text[at] + text[at + 2 :]
    if kind < 0.7:
        return text[:at] + text[at + 1 :]
    neighbours = _KEYBOARD_NEIGHBOURS.get(text[at].lower(), "e")
    return text[:at] + rng.choice(neighbours) + text[at + 1 :]


def change_case(text: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.55:
        return text.lower()
    if roll < 0.62:
        return text.upper()
    return text


def make_query(book: Book, rng: random.Random) -> str:
    """A query a patron looking for ``book`` might type."""
    title = plain_title(book)
    words = title.split()
    roll = rng.random()
    if roll < 0.45:
        query = title
    elif roll < 0.65 and len(words) > 2:
        query = " ".join(words[: rng.randint(1, 2)] + [words[2][:3]])
    elif roll < 0.85:
        query = book.authors[0].split()[-1] if rng.random() < 0.6 else book.authors[0]
    else:
        query = f"{words[0]} {book.authors[0].split()[-1]}"
    if rng.random() < TYPO_SHARE:
        query = make_typo(query, rng)
    return change_case(query, rng)
