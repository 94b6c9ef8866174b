"""The audit finds personal data, raw ids and agents, and an exposed key file."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from lms_telemetry.config import Config
from lms_telemetry.ingest.spool import encode_frame
from lms_telemetry.privacy.audit import Finding, run_audit
from lms_telemetry.privacy.gate import PrivacyGate, RequestFacts
from lms_telemetry.privacy.keys import default_key_file
from lms_telemetry.storage import Store
from tests.privacy.conftest import insert_event, insert_quarantined

NOW = datetime(2026, 3, 14, tzinfo=UTC)
PSEUDONYM = "d_" + "ab" * 16


def test_clean_store_has_no_findings(config: Config, store: Store) -> None:
    insert_event(
        store,
        NOW,
        device_pseudonym=PSEUDONYM,
        pseudonymous_id=PSEUDONYM,
        page_path="/search?q=[email]",
        query="isbn 978-0-439-02348-1",
        payload='{"query": "tolkien 1954", "filters": {"year": 2001}}',
    )
    insert_quarantined(store, NOW, '{"event": "nope", "q": "[phone]"}')

    assert run_audit(store, config.spool_path, default_key_file(config)) == []


def test_findings_name_table_column_and_kind_but_not_the_value(
    config: Config, store: Store
) -> None:
    insert_event(
        store,
        NOW,
        device_pseudonym="browser-123",
        pseudonymous_id=PSEUDONYM,
        query="mail jane@example.com or jo@example.org",
        payload='{"message": "from 192.168.1.20", "ua": "Mozilla/5.0 (X11; Linux)"}',
    )
    insert_quarantined(
        store, NOW, '{"user_agent": "curl/8.5.0", "card": "4111111111111111"}'
    )

    findings = run_audit(store, config.spool_path)

    assert findings == [
        Finding("events", "device_pseudonym", "identifier", 1),
        Finding("events", "payload", "ip", 1),
        Finding("events", "payload", "user_agent", 1),
        Finding("events", "query", "email", 2),
        Finding("quarantine", "body", "card", 1),
        Finding("quarantine", "body", "user_agent", 2),
    ]
    assert "jane" not in repr(findings)


def test_spool_rows_are_scanned(config: Config, store: Store) -> None:
    config.spool_path.mkdir()
    frame = encode_frame(
        [{"device_pseudonym": PSEUDONYM, "query": "call 555-234-5678"}],
        [{"body": '{"q": "123-45-6789"}'}],
    )
    (config.spool_path / "worker-1-000001.seg").write_bytes(frame)

    assert run_audit(store, config.spool_path) == [
        Finding("spool.events", "query", "phone", 1),
        Finding("spool.quarantine", "body", "ssn", 1),
    ]


def test_key_file_readable_by_others_is_a_finding(
    config: Config, gate: PrivacyGate, store: Store
) -> None:
    gate.protect(
        {"event": "page_viewed", "anonymous_id": "x", "payload": {"path": "/"}},
        RequestFacts(None, None, NOW),
    )
    key_file: Path = default_key_file(config)
    os.chmod(key_file, 0o640)

    assert run_audit(store, config.spool_path, key_file) == [
        Finding("keys", key_file.name, "key_file_mode", 1)
    ]
