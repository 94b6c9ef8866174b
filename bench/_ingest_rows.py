"""Realistic enriched rows for the bulk-load ceiling of `bench/ingest.py`.

The rows come out of the real pipeline (validation, privacy, enrichment) so
the bulk load stores exactly what the service would.
"""

from __future__ import annotations

import random
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lms_telemetry.config import Config
from lms_telemetry.ingest.decoding import DecodedBody
from lms_telemetry.ingest.pipeline import Ingestor
from lms_telemetry.privacy.gate import PrivacyGate, RequestFacts
from lms_telemetry.schema import EventSchema

AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/131.0 Safari/537.36"
)
PAYLOADS = (
    (
        "search_submitted",
        lambda r: {
            "query": "the hobbit",
            "results_count": r.randint(0, 500),
            "latency_ms": r.randint(5, 400),
        },
    ),
    (
        "item_viewed",
        lambda r: {"item_id": f"b{r.randint(1, 9999)}", "position": r.randint(1, 20)},
    ),
    (
        "page_viewed",
        lambda r: {
            "path": f"/catalog/item/{r.randint(1, 9999)}",
            "load_ms": r.randint(50, 3000),
        },
    ),
    (
        "api_request",
        lambda r: {
            "endpoint": "/api/items/{id}",
            "method": "GET",
            "status": 200,
            "duration_ms": r.random() * 200,
        },
    ),
    (
        "result_clicked",
        lambda r: {
            "query": "tolkien",
            "item_id": f"b{r.randint(1, 9999)}",
            "position": r.randint(1, 20),
        },
    ),
)


def envelope(generator: random.Random, number: int) -> dict[str, Any]:
    name, payload = PAYLOADS[number % len(PAYLOADS)]
    return {
        "event": name,
        "event_id": str(uuid.UUID(int=generator.getrandbits(128), version=4)),
        "timestamp": "2026-12-01T10:00:00Z",
        "anonymous_id": f"device-{generator.randint(1, 5000)}",
        "session_id": f"session-{generator.randint(1, 20000)}",
        "persona": "patron",
        "interface": "opac",
        "page": {"path": "/search", "title": "Search"},
        "context": {
            "app_version": "4.2.0",
            "locale": "en-GB",
            "screen": "1920x1080",
            "user_agent": AGENT,
        },
        "payload": payload(generator),
    }


def enriched_rows(count: int, seed: int = 1) -> list[dict[str, Any]]:
    generator = random.Random(seed)
    with tempfile.TemporaryDirectory() as folder:
        config = Config.load(
            overrides={"privacy.key_file": str(Path(folder) / "keys.json")}
        )
        schema = EventSchema.load()
        ingestor = Ingestor(config, schema, PrivacyGate(config, schema))
        facts = RequestFacts("127.0.0.1", AGENT, datetime.now(UTC))
        events = [envelope(generator, number) for number in range(count)]
        return ingestor.judge(DecodedBody(events, None, True), facts).rows
