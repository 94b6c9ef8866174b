"""Running many simulated sessions against the site, concurrently.

Every choice a session makes comes from a random generator seeded with the
run's seed and the session's number, so a seed gives the same visitors,
searches and clicks each run. What the site answers can still differ a
little between runs: sessions run at once and compete for the same copies.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from examples.opac.catalog import load_catalog
from examples.opac.simulation import personas, staff_sessions
from examples.opac.simulation.browser import (
    CRAWLER_AGENTS,
    HEADLESS_AGENT,
    BrowserSession,
    new_browser,
)
from examples.opac.simulation.visit import Popularity, Stats, Visit
from lms_telemetry.sdk.envelope import utc_now

SessionScript = Callable[[Visit], Awaitable[None]]
#: persona of the session: (share of sessions, envelope persona, interface, script)
PERSONAS: dict[str, tuple[float, str, str, SessionScript]] = {
    "patron": (0.82, "patron", "opac", personas.patron_session),
    "librarian": (0.09, "librarian", "staff", staff_sessions.librarian_session),
    "admin": (0.03, "admin", "staff", staff_sessions.admin_session),
    "it": (0.03, "it", "staff", staff_sessions.it_session),
    "crawler": (0.02, "unknown", "opac", staff_sessions.crawler_session),
    "headless": (0.01, "patron", "opac", staff_sessions.headless_session),
}
#: Relative traffic by hour of day: patrons peak late morning and after work.
PATRON_HOURS = (
    1,
    1,
    0,
    0,
    0,
    1,
    2,
    5,
    9,
    14,
    18,
    20,
    19,
    17,
    17,
    18,
    20,
    22,
    20,
    17,
    13,
    9,
    5,
    2,
)
STAFF_HOURS = (
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    2,
    10,
    14,
    14,
    13,
    10,
    12,
    14,
    13,
    11,
    8,
    2,
    0,
    0,
    0,
    0,
    0,
)
MAX_EVENTS_PER_BATCH = 200
CONNECTIONS_PER_POOL = 6


@dataclass(frozen=True)
class PlannedSession:
    number: int
    kind: str
    unit: int  # which patron or staff member: regulars come back
    start: datetime


@dataclass
class SimulationSummary:
    """What a run did, for the demo's summary."""

    sessions: Counter[str] = field(default_factory=Counter)
    requests: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    events_sent: int = 0
    events_lost: int = 0
    elapsed_seconds: float = 0.0


def plan_sessions(
    count: int, seed: int, days: int, now: datetime
) -> list[PlannedSession]:
    """Who visits when: persona shares, a daily rhythm, regulars coming back."""
    rng = random.Random(f"plan:{seed}")
    kinds = list(PERSONAS)
    shares = [PERSONAS[kind][0] for kind in kinds]
    patrons = max(20, count // 3)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    plan = []
    for number in range(count):
        kind = rng.choices(kinds, shares)[0]
        # Regulars: a Zipf-like draw makes some patrons come back often.
        unit = int(patrons * rng.random() ** 2) if kind == "patron" else number
        hours = (
            PATRON_HOURS if kind in ("patron", "crawler", "headless") else STAFF_HOURS
        )
        hour = rng.choices(range(24), hours)[0]
        start = midnight - timedelta(
            days=rng.randint(1, days), hours=-hour, seconds=-rng.uniform(0, 3600)
        )
        plan.append(PlannedSession(number, kind, unit, start))
    return plan


def open_tab(session: PlannedSession, seed: int) -> BrowserSession:
    _, persona, interface, _ = PERSONAS[session.kind]
    rng = random.Random(f"session:{seed}:{session.number}")
    unit_rng = random.Random(f"unit:{seed}:{session.kind}:{session.unit}")
    agent, screen = new_browser(unit_rng)
    if session.kind == "crawler":
        agent, screen = unit_rng.choice(CRAWLER_AGENTS), "1024x768"
    elif session.kind == "headless":
        agent = HEADLESS_AGENT
    tab = BrowserSession(
        persona=persona,
        interface=interface,
        user_agent=agent,
        screen=screen,
        clock=session.start,
        rng=rng,
        anonymous_id=str(uuid.UUID(int=unit_rng.getrandbits(128), version=4)),
        session_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
    )
    if session.kind == "patron":
        tab.card = f"P{session.unit:05d}"
    return tab


class Simulation:
    """One run: the HTTP connections, the catalogue and the counters."""

    def __init__(
        self,
        site_url: str,
        telemetry_url: str,
        catalog_path: Path,
        write_key: str | None,
        seed: int,
    ) -> None:
        self.site_url = site_url.rstrip("/")
        self.ingest_url = telemetry_url.rstrip("/") + "/api/telemetry"
        books = load_catalog(catalog_path).books
        self.books = books
        self.popularity = Popularity(sorted(books.values(), key=lambda b: b.book_id))
        self.write_key = write_key
        self.seed = seed
        self.stats = Stats()
        self.loaned_items: list[int] = []

    async def run_session(
        self,
        session: PlannedSession,
        site: httpx.AsyncClient,
        telemetry: httpx.AsyncClient,
    ) -> None:
        tab = open_tab(session, self.seed)
        visit = Visit(
            site,
            self.site_url,
            tab,
            self.popularity,
            self.books,
            self.stats,
            tab.rng,
            self.loaned_items,
        )
        try:
            await PERSONAS[session.kind][3](visit)
        except httpx.HTTPError as exc:
            self.stats.outcomes[f"session failed: {type(exc).__name__}"] += 1
        self.stats.sessions[session.kind] += 1
        await self.send_events(telemetry, tab)

    async def send_events(
        self, telemetry: httpx.AsyncClient, tab: BrowserSession
    ) -> None:
        """POST the tab's events as the page's client would, with sent_at."""
        headers = {"user-agent": tab.user_agent}
        if self.write_key:
            headers["x-telemetry-key"] = self.write_key
        for start in range(0, len(tab.events), MAX_EVENTS_PER_BATCH):
            batch = tab.events[start : start + MAX_EVENTS_PER_BATCH]
            if await post_batch(telemetry, self.ingest_url, batch, headers):
                self.stats.events_sent += len(batch)
            else:
                self.stats.events_lost += len(batch)


async def post_batch(
    telemetry: httpx.AsyncClient,
    url: str,
    batch: list[dict[str, Any]],
    headers: dict[str, str],
) -> bool:
    """Deliver one batch, retrying while the service asks to wait."""
    for attempt in range(6):
        try:
            response = await telemetry.post(
                url, json={"sent_at": utc_now(), "batch": batch}, headers=headers
            )
            if response.status_code < 300:
                return True
            if response.status_code not in (429, 503):
                return False
            wait = float(response.headers.get("retry-after", "0") or 0)
        except httpx.TransportError:
            wait = 0.0
        await asyncio.sleep(max(wait, 0.05 * 2**attempt))
    return False


async def simulate(
    site_url: str,
    telemetry_url: str,
    catalog_path: Path,
    sessions: int,
    *,
    seed: int = 1,
    days: int = 14,
    concurrency: int = 48,
    write_key: str | None = None,
    on_session_done: Callable[[], None] | None = None,
) -> SimulationSummary:
    """Run ``sessions`` sessions spread over the past ``days`` days."""
    started = time.perf_counter()
    simulation = Simulation(site_url, telemetry_url, catalog_path, write_key, seed)
    plan = plan_sessions(sessions, seed, days, datetime.now(UTC))
    done = on_session_done or (lambda: None)
    slots = asyncio.Semaphore(concurrency)
    # httpcore scans its whole pool for every request, so several small
    # pools serve many connections much faster than one large pool.
    pools = [
        httpx.AsyncClient(
            limits=httpx.Limits(max_connections=CONNECTIONS_PER_POOL), timeout=30
        )
        for _ in range(max(1, concurrency // CONNECTIONS_PER_POOL))
    ]

    async def run(session: PlannedSession) -> None:
        http = pools[session.number % len(pools)]
        async with slots:
            await simulation.run_session(session, http, http)
        done()

    try:
        await asyncio.gather(*(run(session) for session in plan))
    finally:
        for http in pools:
            await http.aclose()

    stats = simulation.stats
    return SimulationSummary(
        stats.sessions,
        stats.requests,
        stats.outcomes,
        stats.events_sent,
        stats.events_lost,
        time.perf_counter() - started,
    )


def run_simulation(
    site_url: str, telemetry_url: str, catalog_path: Path, sessions: int, **options: Any
) -> SimulationSummary:
    """Blocking form of ``simulate`` for scripts and the demo."""
    return asyncio.run(
        simulate(site_url, telemetry_url, catalog_path, sessions, **options)
    )
