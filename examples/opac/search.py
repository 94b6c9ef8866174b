"""Catalogue search: word-prefix matching over titles and authors.

Every word of a query must start some word of the title or the authors,
after accents and case are folded away, so "pride prej" finds "Pride and
Prejudice" while a misspelt word finds nothing, as in most library
catalogues. Matches are ranked by how many query words matched whole words,
then by popularity.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable

from examples.opac.catalog import Book

_NON_WORD = re.compile(r"[^\w]+")


def fold(text: str) -> str:
    """Case-fold, drop accents and turn punctuation into spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", plain.replace("'", "")).strip()


def words_of(text: str) -> list[str]:
    return fold(text).split()


class SearchIndex:
    """An inverted index from folded words to book ids."""

    def __init__(self, books: Iterable[Book]) -> None:
        self._books = {book.book_id: book for book in books}
        self._words = {
            book.book_id: frozenset(words_of(book.title + " " + book.author_line))
            for book in self._books.values()
        }
        postings: dict[str, set[int]] = defaultdict(set)
        for book_id, words in self._words.items():
            for word in words:
                postings[word].add(book_id)
        self._postings = dict(postings)
        self._vocabulary = sorted(self._postings)

    def search(self, query: str, limit: int = 20) -> tuple[int, list[Book]]:
        """Return (number of matches, the best ``limit`` of them)."""
        query_words = words_of(query)
        if not query_words:
            return 0, []
        matches: set[int] | None = None
        for word in query_words:
            found = self._prefix_matches(word)
            matches = found if matches is None else matches & found
            if not matches:
                return 0, []
        assert matches is not None
        ranked = sorted(matches, key=lambda i: self._rank_key(i, query_words))
        return len(ranked), [self._books[i] for i in ranked[:limit]]

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        """Titles for an autocomplete list, most popular first."""
        _, books = self.search(prefix, limit)
        return [book.title for book in books]

    def _prefix_matches(self, word: str) -> set[int]:
        start = bisect.bisect_left(self._vocabulary, word)
        found: set[int] = set()
        for candidate in self._vocabulary[start:]:
            if not candidate.startswith(word):
                break
            found |= self._postings[candidate]
        return found

    def _rank_key(self, book_id: int, query_words: list[str]) -> tuple[int, int]:
        book_words = self._words[book_id]
        whole = sum(word in book_words for word in query_words)
        return (-whole, -self._books[book_id].ratings_count)
