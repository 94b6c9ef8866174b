"""The events a page would send, stamped with a simulated clock.

A session keeps its own clock, which starts somewhere in the past days and
moves on with each think time; the batch carries the real ``sent_at`` so
that the service's skew correction puts every event back at its time.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from lms_telemetry.sdk.envelope import format_timestamp

#: (user agent, screen) pairs of the browsers patrons and staff use.
BROWSERS = (
    (
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
            "Gecko) Chrome/124.0.0.0 Safari/537.36"
        ),
        "1920x1080",
    ),
    (
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, "
            "like Gecko) Version/17.4 Safari/605.1.15"
        ),
        "1440x900",
    ),
    (
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 "
            "Firefox/125.0"
        ),
        "1366x768",
    ),
    (
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
        ),
        "390x844",
    ),
    (
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like "
            "Gecko) Chrome/124.0.0.0 Mobile Safari/537.36"
        ),
        "412x915",
    ),
)
CRAWLER_AGENTS = (
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "python-requests/2.31.0",
)
HEADLESS_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "HeadlessChrome/124.0.0.0 Safari/537.36"
)
JS_ERRORS = (
    (
        "TypeError: Cannot read properties of undefined (reading 'dataset')",
        "/static/opac.js",
        41,
    ),
    ("ReferenceError: renewAll is not defined", "/account/loans", 88),
    ("TypeError: suggestions.forEach is not a function", "/", 23),
)


@dataclass
class BrowserSession:
    """One visitor's tab: identity, clock and the events its pages produced."""

    persona: str
    interface: str
    user_agent: str
    screen: str
    clock: datetime
    rng: random.Random
    anonymous_id: str
    card: str | None = None
    session_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    experiments: dict[str, str] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    path: str | None = None

    def think(self, low_seconds: float, high_seconds: float) -> None:
        self.clock += timedelta(seconds=self.rng.uniform(low_seconds, high_seconds))

    def emit(self, event: str, payload: dict[str, Any]) -> None:
        envelope: dict[str, Any] = {
            "event": event,
            "timestamp": format_timestamp(self.clock),
            "event_id": str(uuid.UUID(int=self.rng.getrandbits(128), version=4)),
            "anonymous_id": self.anonymous_id,
            "session_id": self.session_id,
            "persona": self.persona,
            "interface": self.interface,
            "context": {
                "app_version": "2.4.1",
                "screen": self.screen,
                "locale": "en-GB",
                "timezone": "Europe/London",
            },
            "payload": payload,
        }
        if self.card:
            envelope["user_id"] = self.card
        if self.path:
            envelope["page"] = {"path": self.path}
        if self.experiments:
            envelope["experiments"] = dict(self.experiments)
        self.events.append(envelope)
        self.clock += timedelta(milliseconds=self.rng.uniform(20, 400))

    def open_page(self, path: str, title: str, server_ms: float) -> None:
        """A page load: page_viewed, its timing, and now and then a JS error."""
        referrer, self.path = self.path, path
        load_ms = round(server_ms + self.rng.lognormvariate(5.8, 0.45), 1)
        viewed: dict[str, Any] = {"path": path, "title": title, "load_ms": load_ms}
        if referrer:
            viewed["referrer_path"] = referrer
        self.emit("page_viewed", viewed)
        if self.rng.random() < 0.15:
            self._web_vitals(server_ms, load_ms)
        if self.rng.random() < 0.015:
            message, source, line = self.rng.choice(JS_ERRORS)
            self.emit(
                "js_error",
                {
                    "message": message,
                    "kind": "error",
                    "source": source,
                    "line": line,
                    "column": 17,
                },
            )

    def _web_vitals(self, server_ms: float, load_ms: float) -> None:
        ttfb = round(server_ms + self.rng.uniform(20, 120), 1)
        fcp = round(ttfb + self.rng.lognormvariate(5.5, 0.4), 1)
        vitals = {
            "TTFB": ttfb,
            "FCP": fcp,
            "LCP": round(max(fcp, load_ms) + self.rng.lognormvariate(5.0, 0.6), 1),
            "INP": round(self.rng.lognormvariate(4.6, 0.6), 1),
            "CLS": round(self.rng.betavariate(1.2, 18), 3),
        }
        for name, value in vitals.items():
            self.emit("web_vital", {"name": name, "value": value})


def new_browser(rng: random.Random) -> tuple[str, str]:
    """A (user agent, screen) pair, desktop browsers more common than phones."""
    return rng.choices(BROWSERS, weights=(40, 18, 12, 18, 12))[0]
