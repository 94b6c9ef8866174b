"""Delivery of encoded batches over HTTP with retries and backoff.

The transport runs on the client's background thread only. It retries
network errors, 5xx and 429 with exponential backoff and full jitter,
honours ``Retry-After`` on 429 and 503, splits a batch the service found
too large (413) and drops a batch the service refused for any other 4xx.
Events the service refused one by one inside an accepted batch (a 2xx
reply listing them under ``rejected``) are counted as drops too.
"""

from __future__ import annotations

import email.utils
import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson

from lms_telemetry.sdk.envelope import utc_now

logger = logging.getLogger(__name__)

RETRY_AFTER_STATUSES = frozenset({429, 503})
#: A Retry-After longer than this is cut short: a host process should not
#: hold events for minutes because one reply asked it to.
MAX_RETRY_AFTER_SECONDS = 60.0


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a batch is retried."""

    max_retries: int = 5
    backoff_base_millis: float = 200.0
    backoff_max_millis: float = 30_000.0

    def backoff_seconds(self, attempt: int, rng: random.Random) -> float:
        """Full-jitter exponential delay before retry number ``attempt``."""
        ceiling = min(self.backoff_max_millis, self.backoff_base_millis * 2**attempt)
        return rng.uniform(0.0, ceiling) / 1000.0


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER_SECONDS)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    wait = (moment - datetime.now(UTC)).total_seconds()
    return min(max(wait, 0.0), MAX_RETRY_AFTER_SECONDS)


def encode_batch(events: list[bytes]) -> bytes:
    """Join pre-encoded envelopes into a batch body stamped with ``sent_at``."""
    head = b'{"sent_at":"' + utc_now().encode() + b'","batch":['
    return head + b",".join(events) + b"]}"


class Transport:
    """Sends batches to one endpoint; reports losses through ``count_drop``."""

    def __init__(
        self,
        client: httpx.Client,
        endpoint: str,
        headers: dict[str, str],
        policy: RetryPolicy,
        abort: threading.Event,
        count_drop: Callable[[str, int, str], None],
        rng: random.Random | None = None,
    ) -> None:
        self._client = client
        self._endpoint = endpoint
        self._headers = headers
        self._policy = policy
        self._abort = abort
        self._count_drop = count_drop
        self._rng = rng or random.Random()

    def send(self, events: list[bytes]) -> None:
        """Deliver ``events``, splitting on 413; count whatever is lost."""
        for attempt in range(self._policy.max_retries + 1):
            status, wait, body = self._post(events)
            if status is not None and status < 300:
                self._count_refused_events(body)
                return
            if status == 413 and len(events) > 1:
                middle = len(events) // 2
                self.send(events[:middle])
                self.send(events[middle:])
                return
            if status is not None and _is_final(status):
                logger.debug("batch refused with status %d", status)
                self._count_drop("rejected", len(events), "")
                return
            if attempt == self._policy.max_retries:
                break
            delay = wait if wait is not None else self._backoff(attempt)
            if self._abort.wait(delay):
                self._count_drop("shutdown", len(events), "")
                return
        self._count_drop("retries_exhausted", len(events), "")

    def _backoff(self, attempt: int) -> float:
        return self._policy.backoff_seconds(attempt, self._rng)

    def _count_refused_events(self, body: bytes) -> None:
        """Count the events an accepted batch's reply lists as ``rejected``."""
        refused = _refused_events(body)
        if refused:
            detail = _first_error(refused)
            self._count_drop("rejected_by_server", len(refused), detail)

    def _post(self, events: list[bytes]) -> tuple[int | None, float | None, bytes]:
        """POST once; return (status or None on a network error, Retry-After, body)."""
        try:
            response = self._client.post(
                self._endpoint, content=encode_batch(events), headers=self._headers
            )
        except httpx.HTTPError as exc:
            logger.debug("telemetry endpoint unreachable: %s", exc)
            return None, None, b""
        wait = None
        if response.status_code in RETRY_AFTER_STATUSES:
            wait = parse_retry_after(response.headers.get("retry-after"))
        return response.status_code, wait, response.content


def _is_final(status: int) -> bool:
    """4xx other than 408 and 429 will not succeed on a retry."""
    return 400 <= status < 500 and status not in (408, 429)


def _refused_events(body: bytes) -> list[Any]:
    """The ``rejected`` entries of a reply body; none when it is not that shape."""
    try:
        reply = orjson.loads(body)
    except orjson.JSONDecodeError:
        return []
    refused = reply.get("rejected") if isinstance(reply, dict) else None
    return refused if isinstance(refused, list) else []


def _first_error(refused: list[Any]) -> str:
    """The first error message the service gave for a refused event."""
    for entry in refused:
        errors = entry.get("errors") if isinstance(entry, dict) else None
        if isinstance(errors, list) and errors:
            return str(errors[0])
    return ""
