"""From a protected envelope to a stored row: event time, category, hot fields.

Event time follows the contract: `received_at - (sent_at - timestamp)` when
the client says when it sent the event, so a wrong client clock cancels out;
without `sent_at`, a timestamp too far in the future becomes the receipt time
and the row is flagged.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from lms_telemetry.analytics.error_groups import error_kind, fingerprint_error
from lms_telemetry.analytics.queries import normalize_query
from lms_telemetry.schema import EventSchema

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ERROR_EVENTS = ("js_error", "backend_exception")
# Payload fields copied into typed columns of the same name.
_HOT_FIELDS = (
    "results_count",
    "latency_ms",
    "item_id",
    "position",
    "outcome",
    "reason",
    "mode",
    "endpoint",
    "method",
    "status",
    "duration_ms",
    "feature",
    "message",
)


def parse_time(value: Any) -> datetime | None:
    """An aware datetime from an RFC 3339 string, or None."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def to_micros(moment: datetime | None) -> int | None:
    """Microseconds since the Unix epoch, the spool's time format."""
    if moment is None:
        return None
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def event_time(
    timestamp: datetime | None,
    sent_at: datetime | None,
    received_at: datetime,
    max_future_skew: timedelta,
) -> tuple[datetime, bool]:
    """The corrected event time and whether it was replaced by receipt time."""
    if timestamp is None:
        return received_at, False
    if sent_at is not None:
        try:
            corrected = received_at - (sent_at - timestamp)
        except OverflowError:
            # Clocks thousands of years apart: no correction means anything.
            return received_at, True
        if corrected > received_at:
            return received_at, True
        return corrected, False
    if timestamp - received_at > max_future_skew:
        return received_at, True
    return timestamp, False


class RowBuilder:
    """Builds the row the loader stores for one protected envelope."""

    def __init__(self, schema: EventSchema, max_future_skew: timedelta) -> None:
        self.schema = schema
        self.max_future_skew = max_future_skew

    def build(
        self,
        envelope: Mapping[str, Any],
        received_at: datetime,
        batch_sent_at: Any = None,
    ) -> dict[str, Any]:
        name = envelope["event"]
        timestamp = parse_time(envelope.get("timestamp"))
        sent_at = parse_time(envelope.get("sent_at") or batch_sent_at)
        moment, is_corrected = event_time(
            timestamp, sent_at, received_at, self.max_future_skew
        )
        row = self._identity(envelope)
        row.update(
            event_id=envelope["event_id"],
            event=name,
            category=self.schema.category_of(name),
            event_time=to_micros(moment),
            client_time=to_micros(timestamp),
            sent_at=to_micros(sent_at),
            received_at=to_micros(received_at),
            is_clock_corrected=is_corrected,
            schema_version=envelope.get("schema_version") or self.schema.version,
        )
        row.update(self._payload_fields(name, envelope.get("payload") or {}))
        return row

    @staticmethod
    def _identity(envelope: Mapping[str, Any]) -> dict[str, Any]:
        page = envelope.get("page") or {}
        context = envelope.get("context") or {}
        device = envelope.get("device") or {}
        experiments = envelope.get("experiments")
        return {
            "pseudonymous_id": envelope.get("user_id") or envelope.get("anonymous_id"),
            "device_pseudonym": envelope.get("anonymous_id"),
            "account_pseudonym": envelope.get("user_id"),
            "session_id": envelope.get("session_id"),
            "persona": envelope.get("persona") or "unknown",
            "interface": envelope.get("interface") or "unknown",
            "page_path": page.get("path"),
            "referrer_path": page.get("referrer_path"),
            "page_title": page.get("title"),
            "app_version": context.get("app_version"),
            "locale": context.get("locale"),
            "timezone": context.get("timezone"),
            "screen": context.get("screen"),
            "browser_family": device.get("browser_family"),
            "browser_major": device.get("browser_major"),
            "os_family": device.get("os_family"),
            "device_class": device.get("device_class"),
            "is_bot": bool(device.get("is_bot", False)),
            "experiments": orjson.dumps(experiments).decode() if experiments else None,
        }

    @staticmethod
    def _payload_fields(name: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        fields = {field: payload.get(field) for field in _HOT_FIELDS}
        query = payload.get("query")
        fields["query"] = query
        fields["query_normalized"] = normalize_query(query)
        if name == "web_vital":
            fields["metric_name"] = payload.get("name")
            fields["metric_value"] = payload.get("value")
        if name in ("page_viewed", "page_load"):
            fields["duration_ms"] = payload.get("load_ms")
        if name in _ERROR_EVENTS:
            error_type = payload.get("type")
            fingerprint, _ = fingerprint_error(
                error_kind(name, payload.get("kind")),
                error_type,
                payload.get("message"),
                payload.get("stack"),
            )
            fields["error_type"] = error_type
            fields["error_fingerprint"] = fingerprint
        fields["payload"] = orjson.dumps(payload).decode()
        return fields
