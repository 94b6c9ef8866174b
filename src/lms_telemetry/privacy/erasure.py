"""Erasure: remove every stored event of one device or account id.

The raw id is turned into its pseudonym under every live key; rows carrying
any of them are deleted from the events table, the quarantine and the spool.
Events older than the oldest live key were made with a destroyed key: no
one can link them to the id any more, which is why they are not found.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from lms_telemetry.ingest.spool import erase_pseudonyms
from lms_telemetry.privacy.gate import PrivacyGate
from lms_telemetry.privacy.journal import record_action
from lms_telemetry.storage import Store

logger = logging.getLogger(__name__)

_EVENT_ID_COLUMNS = ("device_pseudonym", "account_pseudonym", "pseudonymous_id")


class ErasureError(Exception):
    """An erasure request names no id."""


@dataclass(frozen=True)
class ErasureReport:
    events: int
    quarantine: int
    spool: int
    keys_searched: int

    @property
    def total(self) -> int:
        return self.events + self.quarantine + self.spool


def erase(
    store: Store,
    spool_dir: Path,
    gate: PrivacyGate,
    *,
    anonymous_id: str | None = None,
    user_id: str | None = None,
    now: datetime | None = None,
) -> ErasureReport:
    """Delete the events, quarantined bodies and spooled rows of an id."""
    if not anonymous_id and not user_id:
        raise ErasureError("erase: give an anonymous_id or a user_id to erase")
    pseudonyms = gate.pseudonyms_for(anonymous_id=anonymous_id, user_id=user_id)
    events = quarantine = spool = 0
    if pseudonyms:
        events = _delete_events(store, pseudonyms)
        quarantine = _delete_quarantined(store, pseudonyms)
        spool = _erase_spool(store, spool_dir, pseudonyms)
    report = ErasureReport(events, quarantine, spool, len(pseudonyms))
    record_action(
        store,
        "erasure",
        now or datetime.now(UTC),
        {
            "by": "anonymous_id" if anonymous_id else "user_id",
            "events": events,
            "quarantine": quarantine,
            "spool": spool,
            "keys_searched": len(pseudonyms),
        },
    )
    logger.info("erasure removed %d rows", report.total)
    return report


def _delete_events(store: Store, pseudonyms: list[str]) -> int:
    placeholders = ", ".join("?" for _ in pseudonyms)
    condition = " OR ".join(
        f"{column} IN ({placeholders})" for column in _EVENT_ID_COLUMNS
    )
    return store.execute(
        f"DELETE FROM events WHERE {condition}", pseudonyms * len(_EVENT_ID_COLUMNS)
    )


def _delete_quarantined(store: Store, pseudonyms: list[str]) -> int:
    condition = " OR ".join("contains(body, ?)" for _ in pseudonyms)
    return store.execute(f"DELETE FROM quarantine WHERE {condition}", pseudonyms)


def _erase_spool(store: Store, spool_dir: Path, pseudonyms: list[str]) -> int:
    if not spool_dir.is_dir():
        return 0
    return erase_pseudonyms(spool_dir, set(pseudonyms), store)
