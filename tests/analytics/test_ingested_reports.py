"""The same event stream, sent over HTTP to a running service and ingested
from a file with `lms-telemetry ingest`, gives identical reports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from lms_telemetry.analytics import REPORTS, run_report
from lms_telemetry.storage import open_store
from tests.service import Service

START = datetime(2024, 5, 6, 9, 0, tzinfo=UTC)
PERIOD = {"since": "2024-05-06", "until": "2024-05-08", "tz": "America/Chicago"}


def _envelope(
    event: str, minutes: float, visitor: int, payload: dict[str, Any], **fields: Any
) -> dict[str, Any]:
    moment = START + timedelta(minutes=minutes)
    return {
        "event": event,
        "event_id": str(uuid.uuid4()),
        "timestamp": moment.isoformat().replace("+00:00", "Z"),
        "anonymous_id": f"visitor-{visitor}",
        "session_id": f"visit-{visitor}",
        "persona": "patron",
        "interface": "opac",
        "payload": payload,
        **fields,
    }


def event_stream() -> list[dict[str, Any]]:
    """Eight visitors who search (in several spellings), click, borrow and
    hit errors, plus back-end timings."""
    stream = []
    for visitor in range(8):
        base = visitor * 45
        query = ["Dune", "DUNE", " dune  ", "Le Petit Prince"][visitor % 4]
        stream += [
            _envelope("page_viewed", base, visitor, {"path": "/"}),
            _envelope(
                "search_submitted",
                base + 1,
                visitor,
                {
                    "query": query,
                    "results_count": visitor % 3,
                    "latency_ms": 80 + visitor,
                },
            ),
            _envelope(
                "result_clicked",
                base + 2,
                visitor,
                {"query": query, "item_id": "42", "position": 1 + visitor % 2},
            ),
            _envelope("item_viewed", base + 3, visitor, {"item_id": "42"}),
            _envelope(
                "item_borrowed",
                base + 4,
                visitor,
                {"item_id": "42", "outcome": "success" if visitor % 2 else "refused"},
            ),
            _envelope("feature_used", base + 5, visitor, {"feature": "share_item"}),
            _envelope(
                "page_load",
                base + 6,
                visitor,
                {"path": "/item", "load_ms": 900 + visitor},
            ),
            _envelope(
                "web_vital",
                base + 7,
                visitor,
                {"name": "LCP", "value": 2000 + 100 * visitor},
            ),
            _envelope(
                "js_error",
                base + 8,
                visitor,
                {
                    "message": f"TypeError: item {visitor} has no 'title'",
                    "kind": "error",
                },
            ),
            _envelope(
                "api_request",
                base + 9,
                visitor,
                {
                    "endpoint": "/api/loans",
                    "method": "POST",
                    "status": 500 if visitor == 3 else 200,
                    "duration_ms": 30 + visitor,
                },
            ),
        ]
    return stream


def _ingest_file(stream: list[dict[str, Any]], directory: Path) -> Path:
    lines = directory / "events.ndjson"
    lines.write_text("".join(json.dumps(e) + "\n" for e in stream), encoding="utf-8")
    db_path = directory / "ingested.duckdb"
    env = dict(
        os.environ, LMS_TELEMETRY_PRIVACY_KEY_FILE=str(directory / "file-keys.json")
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "lms_telemetry.cli",
            "ingest",
            str(lines),
            "--db",
            str(db_path),
        ],
        check=True,
        env=env,
        capture_output=True,
        timeout=120,
    )
    return db_path


BROWSER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)


def test_http_and_file_ingestion_give_identical_reports(
    service: Service, tmp_path: Path
) -> None:
    stream = event_stream()
    # A browser's agent: a scripted client's own agent would mark the events
    # as bot traffic, which a file carries no agent to do.
    reply = service.post({"batch": stream}, headers={"User-Agent": BROWSER_AGENT})
    assert reply.status_code == 202 and reply.json()["accepted"] == len(stream)
    service.wait_loaded(len(stream))
    db_path = _ingest_file(stream, tmp_path)

    store = open_store(db_path, read_only=True)
    try:
        for name in REPORTS:
            over_http = httpx.get(
                f"{service.url}/api/reports/{name}",
                params=PERIOD,
                headers=service.auth,
                timeout=60,
            )
            assert over_http.status_code == 200, (name, over_http.text)
            from_file = run_report(
                name,
                store,
                min_ids=5 if name in ("search", "errors") else None,
                **PERIOD,
            )
            assert over_http.json() == json.loads(json.dumps(from_file)), name
        searched = run_report("search", store, **PERIOD)
    finally:
        store.close()
    assert searched["searches"] == 8
    # "Dune", "DUNE" and " dune  " are one query, searched by six visitors.
    assert [(q["query"], q["searches"]) for q in searched["top_queries"]] == [
        ("dune", 6)
    ]
