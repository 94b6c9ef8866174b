"""What a simulated session needs: the site over HTTP, the catalogue, its tab."""

from __future__ import annotations

import bisect
import itertools
import math
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from examples.opac.catalog import Book
from examples.opac.simulation.browser import BrowserSession

_ITEM_IDS = re.compile(r'data-item-id="(\d+)"')
_RESULTS_COUNT = re.compile(r'data-results-count="(\d+)"')
_LOANS = re.compile(r'data-loan-id="(\d+)" data-item-id="(\d+)"')
_HOLDS = re.compile(r'data-hold-id="(\d+)" data-item-id="(\d+)"')


class Popularity:
    """Draws books with probability proportional to their ``ratings_count``."""

    def __init__(self, books: list[Book]) -> None:
        self.books = books
        self._cumulative = list(
            itertools.accumulate(max(b.ratings_count, 1) for b in books)
        )
        counts = [max(b.ratings_count, 1) for b in books]
        self._log_low, self._log_high = math.log(min(counts)), math.log(max(counts))

    def draw(self, rng: random.Random) -> Book:
        point = rng.random() * self._cumulative[-1]
        return self.books[bisect.bisect_right(self._cumulative, point)]

    def appeal(self, book: Book) -> float:
        """0..1: where the book sits between the least and most rated, in logs."""
        span = self._log_high - self._log_low or 1.0
        return (math.log(max(book.ratings_count, 1)) - self._log_low) / span


@dataclass
class Stats:
    """Counters the summary reports."""

    requests: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    sessions: Counter[str] = field(default_factory=Counter)
    events_sent: int = 0
    events_lost: int = 0


@dataclass
class Visit:
    """One session: its tab and the shared site, catalogue and counters."""

    http: httpx.AsyncClient
    site_url: str
    tab: BrowserSession
    popularity: Popularity
    books: dict[int, Book]
    stats: Stats
    rng: random.Random
    loaned_items: list[int]

    def _headers(self) -> dict[str, str]:
        headers = {"user-agent": self.tab.user_agent}
        if self.tab.card:
            headers["cookie"] = f"card={self.tab.card}"
        return headers

    async def request(
        self, method: str, path: str, **kwargs: Any
    ) -> tuple[httpx.Response, float]:
        """Call the site; return the response and its duration in ms."""
        started = time.perf_counter()
        response = await self.http.request(
            method, self.site_url + path, headers=self._headers(), **kwargs
        )
        elapsed_ms = (time.perf_counter() - started) * 1000
        self.stats.requests[f"{response.status_code // 100}xx"] += 1
        return response, elapsed_ms

    async def page(self, path: str, title: str, **kwargs: Any) -> httpx.Response:
        """GET a page and record the page view the browser would send."""
        response, elapsed_ms = await self.request("GET", path, **kwargs)
        self.tab.open_page(path.split("?")[0], title, elapsed_ms)
        return response

    async def action(self, path: str, **kwargs: Any) -> dict[str, Any]:
        """POST a circulation request; a failed one answers with its status."""
        response, _ = await self.request("POST", path, **kwargs)
        try:
            body = response.json()
        except ValueError:
            body = {"outcome": "error", "reason": f"http_{response.status_code}"}
        return body if isinstance(body, dict) else {}


def result_ids(page: str) -> list[int]:
    return [int(found) for found in _ITEM_IDS.findall(page)]


def results_count(page: str) -> int:
    found = _RESULTS_COUNT.search(page)
    return int(found.group(1)) if found else 0


def loans_on(page: str) -> list[tuple[int, int]]:
    return [(int(loan), int(item)) for loan, item in _LOANS.findall(page)]


def holds_on(page: str) -> list[tuple[int, int]]:
    return [(int(hold), int(item)) for hold, item in _HOLDS.findall(page)]
