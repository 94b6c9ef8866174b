"""Quarantine replay: judge refused events again, store those that now pass.

After a schema extension or a fix, an event refused yesterday may be valid.
Its stored body already went through the privacy gate, so its identifiers
are pseudonyms: they are set aside during the second judgement, which would
otherwise pseudonymize them twice, and put back afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from lms_telemetry.ingest.decoding import DecodedBody
from lms_telemetry.ingest.enrichment import to_micros
from lms_telemetry.ingest.pipeline import Ingestor
from lms_telemetry.privacy.gate import RequestFacts
from lms_telemetry.storage.base import Store

_IDENTIFIERS = ("anonymous_id", "user_id", "session_id")


@dataclass(frozen=True)
class ReplayResult:
    examined: int
    stored: int
    duplicates: int
    still_refused: int

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def _replayable(store: Store) -> list[dict[str, Any]]:
    return store.query(
        "SELECT quarantine_id, received_at, body FROM quarantine"
        " WHERE reason = 'invalid_event' AND replayed_at IS NULL"
        " ORDER BY quarantine_id"
    ).dicts()


def _judge_again(ingestor: Ingestor, entry: dict[str, Any]) -> dict[str, Any] | None:
    try:
        event = orjson.loads(entry["body"])
    except orjson.JSONDecodeError:
        return None
    if not isinstance(event, dict):
        return None
    pseudonyms = {key: event.pop(key) for key in _IDENTIFIERS if key in event}
    facts = RequestFacts(None, None, entry["received_at"].astimezone(UTC))
    judgement = ingestor.judge(DecodedBody([event], None, False), facts)
    if not judgement.rows:
        return None
    row = judgement.rows[0]
    row["device_pseudonym"] = pseudonyms.get("anonymous_id")
    row["account_pseudonym"] = pseudonyms.get("user_id")
    row["session_id"] = pseudonyms.get("session_id")
    row["pseudonymous_id"] = row["account_pseudonym"] or row["device_pseudonym"]
    return row


def replay_quarantine(store: Store, ingestor: Ingestor) -> ReplayResult:
    """Judge every unreplayed refused event again; store and mark those that pass."""
    entries = _replayable(store)
    rows, passed = [], []
    for entry in entries:
        row = _judge_again(ingestor, entry)
        if row is not None:
            rows.append(row)
            passed.append(entry["quarantine_id"])
    stored = store.load_spool_records(rows, [], {}) if rows else 0
    if passed:
        marks = ",".join("?" * len(passed))
        store.execute(
            f"UPDATE quarantine SET replayed_at = ? WHERE quarantine_id IN ({marks})",
            [datetime.now(UTC), *passed],
        )
    return ReplayResult(
        len(entries), stored, len(rows) - stored, len(entries) - len(rows)
    )


def list_quarantine(store: Store, limit: int = 50) -> list[dict[str, Any]]:
    """The newest quarantine rows, newest first."""
    rows = store.query(
        "SELECT quarantine_id, received_at, reason, errors, event_index, event_id,"
        " body, replayed_at FROM quarantine ORDER BY quarantine_id DESC LIMIT ?",
        [limit],
    ).dicts()
    for row in rows:
        row["errors"] = orjson.loads(row["errors"])
        row["received_at"] = row["received_at"].isoformat()
        if row["replayed_at"] is not None:
            row["replayed_at"] = row["replayed_at"].isoformat()
    return rows


__all__ = ["ReplayResult", "list_quarantine", "replay_quarantine", "to_micros"]
