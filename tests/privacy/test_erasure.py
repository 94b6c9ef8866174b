"""Erasure removes an id's events from the table, the quarantine and the spool."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from lms_telemetry.config import Config
from lms_telemetry.ingest.spool import encode_frame, read_frames
from lms_telemetry.privacy.erasure import ErasureError, erase
from lms_telemetry.privacy.gate import PrivacyGate, RequestFacts
from lms_telemetry.privacy.journal import journal_entries
from lms_telemetry.storage import Store
from tests.privacy.conftest import count, insert_event, insert_quarantined

MARCH = datetime(2026, 3, 14, tzinfo=UTC)
APRIL = datetime(2026, 4, 14, tzinfo=UTC)


def pseudonyms_of(gate: PrivacyGate, at: datetime, **ids: str) -> dict[str, str]:
    envelope = {"event": "page_viewed", "payload": {"path": "/"}, **ids}
    protected = gate.protect(envelope, RequestFacts(None, None, at))
    return {name: protected[name] for name in ids}


def write_segment(
    spool_dir: Path, events: list[dict[str, object]], bodies: list[str]
) -> Path:
    spool_dir.mkdir(parents=True, exist_ok=True)
    segment = spool_dir / "worker-1-000001.seg"
    quarantine = [{"reason": "invalid_event", "body": body} for body in bodies]
    segment.write_bytes(encode_frame(events, quarantine))
    return segment


def test_erasing_a_device_removes_its_rows_and_no_others(
    config: Config, gate: PrivacyGate, store: Store
) -> None:
    march = pseudonyms_of(gate, MARCH, anonymous_id="browser-1")["anonymous_id"]
    april = pseudonyms_of(gate, APRIL, anonymous_id="browser-1")["anonymous_id"]
    other = pseudonyms_of(gate, MARCH, anonymous_id="browser-2")["anonymous_id"]
    for pseudonym in (march, april, other):
        insert_event(
            store, MARCH, device_pseudonym=pseudonym, pseudonymous_id=pseudonym
        )
    insert_quarantined(store, MARCH, f'{{"anonymous_id": "{april}"}}')
    insert_quarantined(store, MARCH, f'{{"anonymous_id": "{other}"}}')

    report = erase(store, config.spool_path, gate, anonymous_id="browser-1", now=APRIL)

    assert (report.events, report.quarantine, report.spool) == (2, 1, 0)
    assert store.query("SELECT device_pseudonym FROM events").rows == [(other,)]
    assert store.query("SELECT body FROM quarantine").rows == [
        (f'{{"anonymous_id": "{other}"}}',)
    ]


def test_erasing_a_device_removes_its_spooled_rows(
    config: Config, gate: PrivacyGate, store: Store
) -> None:
    mine = pseudonyms_of(gate, MARCH, anonymous_id="browser-1")["anonymous_id"]
    other = pseudonyms_of(gate, MARCH, anonymous_id="browser-2")["anonymous_id"]
    segment = write_segment(
        config.spool_path,
        [{"device_pseudonym": mine}, {"device_pseudonym": other}],
        [f'{{"anonymous_id": "{mine}"}}'],
    )

    report = erase(store, config.spool_path, gate, anonymous_id="browser-1", now=APRIL)

    assert report.spool == 2
    frames = list(read_frames(segment, 0))
    assert [row for f in frames for row in f.events] == [{"device_pseudonym": other}]
    assert [row for f in frames for row in f.quarantine] == []


def test_erasing_an_account_matches_the_account_pseudonym(
    config: Config, gate: PrivacyGate, store: Store
) -> None:
    ids = pseudonyms_of(gate, MARCH, anonymous_id="kiosk", user_id="patron-42")
    insert_event(
        store,
        MARCH,
        device_pseudonym=ids["anonymous_id"],
        account_pseudonym=ids["user_id"],
        pseudonymous_id=ids["user_id"],
    )
    # The kiosk's events without the account are other patrons' and stay.
    insert_event(
        store,
        MARCH,
        device_pseudonym=ids["anonymous_id"],
        pseudonymous_id=ids["anonymous_id"],
    )

    report = erase(store, config.spool_path, gate, user_id="patron-42", now=APRIL)

    assert report.events == 1
    assert count(store, "events") == 1


def test_erasure_is_journalled_without_the_id(
    config: Config, gate: PrivacyGate, store: Store
) -> None:
    pseudonyms_of(gate, MARCH, user_id="patron-42")

    erase(store, config.spool_path, gate, user_id="patron-42", now=APRIL)

    entries = journal_entries(store, "erasure")
    assert entries[0]["details"] == {
        "by": "user_id",
        "events": 0,
        "quarantine": 0,
        "spool": 0,
        "keys_searched": 1,
    }
    assert "patron-42" not in str(store.query("SELECT * FROM privacy_journal").rows)


def test_erasure_without_an_id_is_refused(
    config: Config, gate: PrivacyGate, store: Store
) -> None:
    with pytest.raises(ErasureError, match="give an anonymous_id or a user_id"):
        erase(store, config.spool_path, gate)
