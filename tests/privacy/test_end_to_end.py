"""Personal data sent over HTTP to a real service never reaches storage, and
an erased id's events go while everyone else's stay."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner

from lms_telemetry.privacy.commands import erase, privacy
from tests.privacy.corpus import LOOK_ALIKES, pii_cases
from tests.service import Service

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/124.0.0.0 Safari/537.36"
)
RAW_IDS = ("browser-A-7f3", "browser-B-9c1", "patron-42-acct", "session-xyz-1")


def envelope(
    event: str, anonymous_id: str, payload: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    return {
        "event": event,
        "event_id": str(uuid.uuid4()),
        "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "anonymous_id": anonymous_id,
        "session_id": "session-xyz-1",
        "payload": payload,
        **extra,
    }


def traffic() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Valid events carrying the corpus and the look-alikes, and refused ones."""
    events = []
    for index, case in enumerate(pii_cases()):
        device = RAW_IDS[index % 2]
        extra: dict[str, Any] = {"context": {"user_agent": CHROME}}
        if index % 5 == 0:
            extra["user_id"] = "patron-42-acct"
        if "\n" in case.text:
            payload = {"message": "failed", "stack": case.text}
            events.append(envelope("js_error", device, payload, **extra))
        else:
            payload = {"query": case.text, "results_count": 0}
            events.append(
                envelope(
                    "search_submitted",
                    device,
                    payload,
                    page={"path": f"/opac/search?q={case.text}&token=t0k3n"},
                    **extra,
                )
            )
    for text in LOOK_ALIKES:
        events.append(envelope("search_input", RAW_IDS[1], {"query": text}))
    refused = [
        envelope(
            "search_submitted", RAW_IDS[0], {"query": case.text, "nope": case.value}
        )
        for case in pii_cases()[:20]
    ]
    return events, refused


def stored_text(service: Service) -> str:
    """Every stored value of the events and quarantine tables, as one text."""
    with duckdb.connect(str(service.db_path), read_only=True) as connection:
        rows = connection.execute("SELECT * FROM events").fetchall()
        rows += connection.execute("SELECT * FROM quarantine").fetchall()
    return "\n".join(repr(row) for row in rows)


def send_traffic(service: Service) -> list[str]:
    """Send the traffic, wait until it is stored, stop the service; return
    the CLI arguments that reach its database and keys."""
    events, refused = traffic()
    for start in range(0, len(events), 100):
        batch = {"batch": events[start : start + 100]}
        assert service.post(batch, headers={"User-Agent": CHROME}).status_code == 202
    assert service.post({"batch": refused}).status_code == 202
    service.wait_loaded(len(events))
    service.wait_quarantined(len(refused))
    service.stop()
    return ["--db", str(service.db_path)]


def key_env(service: Service) -> dict[str, str]:
    return {"LMS_TELEMETRY_PRIVACY_KEY_FILE": str(service.directory / "keys.json")}


def test_pii_sent_over_http_is_not_stored_and_audit_is_clean(service: Service) -> None:
    database = send_traffic(service)

    audit = CliRunner().invoke(privacy, ["audit", *database], env=key_env(service))
    text = stored_text(service)

    assert audit.exit_code == 0, audit.output
    # Values under six characters ("51") would match timestamps; the unit
    # tests check those cases' exact output.
    leaked = [c.value for c in pii_cases() if len(c.value) >= 6 and c.value in text]
    leaked += [raw for raw in (*RAW_IDS, "t0k3n", "Chrome/124.0.0.0") if raw in text]
    assert leaked == []
    for look_alike in LOOK_ALIKES:
        assert repr(look_alike)[1:-1] in text


def test_erasing_a_device_after_http_traffic_leaves_the_others(
    service: Service,
) -> None:
    database = send_traffic(service)

    erased = CliRunner().invoke(
        erase, ["--anonymous-id", RAW_IDS[0], *database], env=key_env(service)
    )

    if erased.exception is not None and not isinstance(erased.exception, SystemExit):
        raise erased.exception
    assert erased.exit_code == 0, erased.output
    with duckdb.connect(str(service.db_path), read_only=True) as connection:
        devices = connection.execute(
            "SELECT count(DISTINCT device_pseudonym), count(*) FROM events"
        ).fetchone()
        quarantined = connection.execute("SELECT count(*) FROM quarantine").fetchone()
    device_b = len(pii_cases()) // 2
    assert devices == (1, device_b + len(LOOK_ALIKES))
    assert quarantined == (0,)
    assert f"events deleted: {len(pii_cases()) - device_b}" in erased.output
