"""Building event envelopes in the shape of the event contract (schema 1-0-0)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

#: Envelope fields a caller may set through ``track(..., **fields)``.
ENVELOPE_FIELDS = frozenset(
    {
        "timestamp",
        "event_id",
        "anonymous_id",
        "user_id",
        "session_id",
        "persona",
        "interface",
        "page",
        "context",
        "experiments",
        "schema_version",
    }
)


class EnvelopeError(ValueError):
    """An event could not be put into an envelope."""


def format_timestamp(moment: datetime) -> str:
    """Return ``moment`` as RFC 3339 in UTC with milliseconds and a ``Z``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def utc_now() -> str:
    """Return the current time as an RFC 3339 timestamp."""
    return format_timestamp(datetime.now(UTC))


def build_envelope(
    event: str,
    payload: Mapping[str, Any],
    defaults: Mapping[str, Any],
    fields: Mapping[str, Any],
) -> dict[str, Any]:
    """Wrap ``payload`` in an envelope; ``fields`` override ``defaults``.

    ``context`` is merged key by key so that a caller adding ``user_agent``
    keeps the client's ``app_version``.
    """
    if not isinstance(event, str) or not event:
        raise EnvelopeError(f"event name {event!r} is not a non-empty string")
    if not isinstance(payload, Mapping):
        raise EnvelopeError(f"payload of {event!r} is not a mapping")
    unknown = sorted(set(fields) - ENVELOPE_FIELDS)
    if unknown:
        raise EnvelopeError(f"envelope field {unknown[0]!r} is not in the contract")

    envelope: dict[str, Any] = {"event": event}
    envelope.update(defaults)
    envelope.update(fields)
    envelope["context"] = {**defaults.get("context", {}), **fields.get("context", {})}
    if not envelope["context"]:
        del envelope["context"]
    timestamp = envelope.get("timestamp")
    if isinstance(timestamp, datetime):
        envelope["timestamp"] = format_timestamp(timestamp)
    elif timestamp is None:
        envelope["timestamp"] = utc_now()
    envelope.setdefault("event_id", str(uuid.uuid4()))
    envelope["payload"] = dict(payload)
    return envelope
