"""What the ASGI and WSGI middleware share: turning one request into events."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from lms_telemetry.sdk.client import TelemetryClient
from lms_telemetry.sdk.stack import exception_payload

logger = logging.getLogger(__name__)

#: Endpoint reported for requests no route matched. The raw path is not
#: used: probes of random URLs would make the endpoint list unbounded.
UNMATCHED_ENDPOINT = "unmatched"

#: The contract's ceiling for a duration: one hour.
MAX_DURATION_MS = 3_600_000.0

#: Gives extra envelope fields (persona, session_id...) for a request, from
#: the ASGI scope or the WSGI environ.
RequestFields = Callable[[Mapping[str, Any]], Mapping[str, Any]]


class RequestRecorder:
    """Sends the ``api_request`` and ``backend_exception`` events of requests."""

    def __init__(
        self,
        client: TelemetryClient,
        request_fields: RequestFields | None,
        is_forwarding_user_agent: bool,
    ) -> None:
        self.client = client
        self._request_fields = request_fields
        self._is_forwarding_user_agent = is_forwarding_user_agent

    def record(
        self,
        request: Mapping[str, Any],
        user_agent: str | None,
        payload: dict[str, Any],
        exc: BaseException | None,
    ) -> None:
        """Track the request (and its exception); never raise."""
        try:
            fields = self._fields(request, user_agent)
            if exc is not None:
                report = exception_payload(exc, payload["endpoint"])
                self.client.track("backend_exception", report, **fields)
            self.client.track("api_request", payload, **fields)
        except Exception:  # a telemetry fault must not change the response
            logger.debug("request telemetry failed", exc_info=True)

    def _fields(
        self, request: Mapping[str, Any], user_agent: str | None
    ) -> dict[str, Any]:
        fields = dict(self._request_fields(request)) if self._request_fields else {}
        if self._is_forwarding_user_agent and user_agent:
            context = dict(fields.get("context", {}))
            context.setdefault("user_agent", user_agent)
            fields["context"] = context
        return fields


def request_payload(
    endpoint: str, method: str, status: int, duration_ms: float
) -> dict[str, Any]:
    """Return the ``api_request`` payload."""
    return {
        "endpoint": endpoint,
        "method": method,
        "status": status,
        "duration_ms": round(min(duration_ms, MAX_DURATION_MS), 3),
    }
