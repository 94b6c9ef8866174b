"""The batching telemetry client for LMS back ends.

``track`` only encodes the event and appends it to a bounded queue under a
short lock; a daemon thread batches the queue and sends it. Nothing the
client does raises into the host application: every event that is not
delivered is counted in ``drops`` under a reason.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections import Counter, deque
from collections.abc import Mapping
from typing import Any

import httpx
import orjson

from lms_telemetry.sdk._transport import RetryPolicy, Transport
from lms_telemetry.sdk.envelope import build_envelope

logger = logging.getLogger(__name__)

SDK_NAME = "lms-telemetry-python"
SDK_VERSION = "0.1.0"
USER_AGENT = f"{SDK_NAME}/{SDK_VERSION}"
#: Repeated warnings for the same drop reason are logged at most this often.
WARNING_INTERVAL_SECONDS = 60.0


class TelemetryClient:
    """Queue events and send them in batches from a background thread."""

    def __init__(
        self,
        endpoint: str,
        write_key: str | None = None,
        *,
        persona: str = "unknown",
        interface: str = "api",
        app_version: str | None = None,
        max_queue_events: int = 10_000,
        max_batch_events: int = 100,
        flush_interval_millis: float = 1000.0,
        retry_policy: RetryPolicy | None = None,
        timeout_seconds: float = 5.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.max_queue_events = max_queue_events
        self.max_batch_events = max_batch_events
        self._flush_interval_seconds = flush_interval_millis / 1000.0
        self._defaults = _envelope_defaults(persona, interface, app_version)
        self._pending: deque[bytes] = deque()
        self._in_flight = 0
        self._is_flush_requested = False
        self._is_closed = False
        self._condition = threading.Condition()
        self._drops: Counter[str] = Counter()
        self._last_warning: dict[str, float] = {}
        self._abort = threading.Event()
        self._http = httpx.Client(timeout=timeout_seconds, transport=transport)
        self._transport = Transport(
            self._http,
            endpoint,
            _headers(write_key),
            retry_policy or RetryPolicy(),
            self._abort,
            self._count_drop,
        )
        self._worker = threading.Thread(
            target=self._run, name="lms-telemetry-sender", daemon=True
        )
        self._worker.start()
        atexit.register(self.close)

    @property
    def drops(self) -> dict[str, int]:
        """Events not delivered so far, by reason."""
        with self._condition:
            return dict(self._drops)

    def track(self, event: str, payload: Mapping[str, Any], **fields: Any) -> bool:
        """Queue one event; return False (and count a drop) when it is not queued.

        ``fields`` are envelope fields (``persona``, ``session_id``,
        ``context``, ``timestamp``...); unknown ones drop the event.
        """
        try:
            envelope = build_envelope(event, payload, self._defaults, fields)
            encoded = orjson.dumps(envelope, default=str)
        except Exception as exc:  # noqa: BLE001 - never raise into the host
            logger.debug("event %r not encoded: %s", event, exc)
            self._count_drop("invalid_event", 1, "")
            return False
        return self._enqueue(encoded)

    def flush(self, timeout_seconds: float = 5.0) -> bool:
        """Send everything queued; return True when the queue emptied in time."""
        with self._condition:
            self._is_flush_requested = True
            self._condition.notify_all()
            return self._condition.wait_for(self._is_idle, timeout_seconds)

    def close(self, timeout_seconds: float = 5.0) -> None:
        """Flush, then stop the sender; later events are dropped as ``closed``."""
        if self._is_closed:
            return
        self.flush(timeout_seconds)
        with self._condition:
            self._is_closed = True
            self._condition.notify_all()
        self._abort.set()
        self._worker.join(timeout_seconds)
        with self._condition:
            lost = len(self._pending)
            self._pending.clear()
        if lost:
            self._count_drop("shutdown", lost, "")
        self._http.close()
        atexit.unregister(self.close)

    def _enqueue(self, encoded: bytes) -> bool:
        with self._condition:
            if self._is_closed:
                reason = "closed"
            elif len(self._pending) >= self.max_queue_events:
                reason = "queue_full"
            else:
                self._pending.append(encoded)
                if len(self._pending) >= self.max_batch_events:
                    self._condition.notify_all()
                return True
        self._count_drop(reason, 1, "")
        return False

    def _is_idle(self) -> bool:
        return not self._pending and self._in_flight == 0

    def _run(self) -> None:
        while True:
            batch = self._next_batch()
            if batch is None:
                return
            if not batch:
                continue
            try:
                self._transport.send(batch)
            except Exception:  # a bug here must not kill the sender thread
                logger.exception("telemetry batch failed unexpectedly")
                self._count_drop("internal_error", len(batch), "")
            with self._condition:
                self._in_flight = 0
                self._condition.notify_all()

    def _next_batch(self) -> list[bytes] | None:
        """Wait until a batch is due; return it, or None when closed and empty."""
        with self._condition:
            self._condition.wait_for(self._is_batch_due, self._flush_interval_seconds)
            if self._is_closed and not self._pending:
                return None
            size = min(len(self._pending), self.max_batch_events)
            batch = [self._pending.popleft() for _ in range(size)]
            self._in_flight = len(batch)
            if not self._pending:
                self._is_flush_requested = False
            return batch

    def _is_batch_due(self) -> bool:
        if len(self._pending) >= self.max_batch_events or self._is_closed:
            return True
        return self._is_flush_requested and bool(self._pending)

    def _count_drop(self, reason: str, count: int, detail: str) -> None:
        """Count ``count`` lost events; warn once per reason per interval.

        ``detail`` (such as the service's first error message) is added to
        the warning when given.
        """
        now = time.monotonic()
        with self._condition:
            self._drops[reason] += count
            last = self._last_warning.get(reason)
            is_quiet = last is not None and now - last < WARNING_INTERVAL_SECONDS
            if not is_quiet:
                self._last_warning[reason] = now
        if not is_quiet:
            logger.warning(
                "telemetry events dropped: %s%s",
                reason,
                f" ({detail})" if detail else "",
                extra={"reason": reason, "count": count},
            )


def _envelope_defaults(
    persona: str, interface: str, app_version: str | None
) -> dict[str, Any]:
    context: dict[str, Any] = {"sdk": {"name": SDK_NAME, "version": SDK_VERSION}}
    if app_version:
        context["app_version"] = app_version
    return {"persona": persona, "interface": interface, "context": context}


def _headers(write_key: str | None) -> dict[str, str]:
    headers = {"content-type": "application/json", "user-agent": USER_AGENT}
    if write_key:
        headers["x-telemetry-key"] = write_key
    return headers
