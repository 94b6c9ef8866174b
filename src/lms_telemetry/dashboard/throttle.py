"""Rate limiting of failed logins, per account name and per client address.

Failures are counted in a sliding window; once a key has too many, every
attempt on it is refused until the oldest failure leaves the window, even with
the right password, so guessing gains nothing by continuing.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable

logger = logging.getLogger(__name__)

MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 30
WINDOW_SECONDS = 15 * 60
# Bounds memory when many names or addresses are tried.
MAX_TRACKED_KEYS = 10_000


class LoginThrottle:
    """Counts failed logins and tells how long a key must wait."""

    def __init__(
        self,
        window_seconds: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.window_seconds = window_seconds
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after_seconds(self, keys: Iterable[tuple[str, int]]) -> int:
        """Seconds until every (key, limit) pair is under its limit; 0 if now."""
        now = self._clock()
        wait = 0.0
        with self._lock:
            for key, limit in keys:
                failures = self._recent(key, now)
                if len(failures) >= limit:
                    wait = max(wait, failures[-limit] + self.window_seconds - now)
        return int(wait) + 1 if wait > 0 else 0

    def record_failure(self, keys: Iterable[str]) -> None:
        now = self._clock()
        with self._lock:
            if len(self._failures) > MAX_TRACKED_KEYS:
                self._forget_expired(now)
            for key in keys:
                self._failures.setdefault(key, deque()).append(now)

    def forget(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.get(key, deque())
        while failures and failures[0] <= now - self.window_seconds:
            failures.popleft()
        return failures

    def _forget_expired(self, now: float) -> None:
        for key in list(self._failures):
            if not self._recent(key, now):
                del self._failures[key]


def login_keys_for(account_name: str, client_address: str) -> list[tuple[str, int]]:
    """The throttle keys of one login attempt with their failure limits."""
    return [
        (f"account:{account_name.lower()}", MAX_FAILURES_PER_ACCOUNT),
        (f"address:{client_address}", MAX_FAILURES_PER_ADDRESS),
    ]
