"""Judging a body: each event on its own, good ones as rows, bad ones kept.

The order is the architecture's: decode, limits, validate, privacy, enrich.
Nothing here touches the disk; the caller spools what comes out.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import orjson

from lms_telemetry.config import Config
from lms_telemetry.ingest.decoding import (
    BodyError,
    DecodedBody,
    Limits,
    inflate,
    parse_json,
    split_events,
)
from lms_telemetry.ingest.enrichment import RowBuilder, to_micros
from lms_telemetry.privacy.gate import PrivacyGate, RequestFacts
from lms_telemetry.schema import EventSchema

# How much of a body refused as a whole is kept in quarantine.
QUARANTINED_BODY_CHARS = 4096
_PAGE_EVENTS = ("page_viewed", "page_load")


@dataclass
class Judgement:
    """What one body yields: rows to store, bodies to quarantine, the reply."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    quarantine: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)


class Ingestor:
    """Validation, privacy and enrichment for the events of one body."""

    def __init__(self, config: Config, schema: EventSchema, gate: PrivacyGate) -> None:
        self.schema = schema
        self.gate = gate
        self.limits = Limits.from_config(config)
        self.rows = RowBuilder(
            schema, timedelta(seconds=config["limits.max_future_skew_seconds"])
        )

    def decode(self, raw: bytes, content_encoding: str) -> DecodedBody:
        """The body's events; raises BodyError for a body refused as a whole."""
        body = inflate(raw, content_encoding, self.limits)
        decoded = split_events(parse_json(body), self.limits)
        if (
            not decoded.is_batch
            and self._size_of(decoded.events[0]) > self.limits.max_event_bytes
        ):
            raise BodyError(413, "event_too_large", self._too_large_message())
        return decoded

    def judge(self, decoded: DecodedBody, facts: RequestFacts) -> Judgement:
        judgement = Judgement()
        for index, item in enumerate(decoded.events):
            errors = self._errors_of(item)
            if errors:
                self._refuse(judgement, index, item, errors, facts)
                continue
            protected = self.gate.protect(item, facts)
            row = self.rows.build(protected, facts.received_at, decoded.sent_at)
            if row["event"] in _PAGE_EVENTS and row["page_path"] is None:
                row["page_path"] = (protected.get("payload") or {}).get("path")
            judgement.rows.append(row)
        return judgement

    def _errors_of(self, item: Any) -> list[str]:
        if not isinstance(item, dict):
            return ["(event): must be a JSON object"]
        if self._size_of(item) > self.limits.max_event_bytes:
            return [f"(event): {self._too_large_message()}"]
        if "event_id" not in item:
            item["event_id"] = str(uuid.uuid4())
        errors = self.schema.errors(item)
        if not errors:
            item["event_id"] = item["event_id"].lower()
        return errors

    def _too_large_message(self) -> str:
        return (
            f"Event exceeds the limit of {self.limits.max_event_bytes} bytes"
            " (max_event_bytes)"
        )

    @staticmethod
    def _size_of(item: Any) -> int:
        return len(orjson.dumps(item))

    def _refuse(
        self,
        judgement: Judgement,
        index: int,
        item: Any,
        errors: list[str],
        facts: RequestFacts,
    ) -> None:
        event_id = item.get("event_id") if isinstance(item, Mapping) else None
        event_id = (
            event_id if isinstance(event_id, str) and len(event_id) <= 64 else None
        )
        judgement.rejected.append(
            {"index": index, "event_id": event_id, "errors": errors}
        )
        judgement.quarantine.append(
            self.quarantine_row("invalid_event", errors, item, facts, index, event_id)
        )

    def quarantine_row(
        self,
        reason: str,
        errors: list[str],
        body: Any,
        facts: RequestFacts,
        index: int | None = None,
        event_id: str | None = None,
    ) -> dict[str, Any]:
        """A quarantine row with the body protected like any stored text."""
        if isinstance(body, (bytes, bytearray)):
            body = bytes(body[:QUARANTINED_BODY_CHARS]).decode("utf-8", "replace")
        return {
            "received_at": to_micros(facts.received_at),
            "reason": reason,
            "errors": orjson.dumps(errors).decode(),
            "event_index": index,
            "event_id": event_id,
            "body": self.gate.protect_rejected(body, facts),
        }
