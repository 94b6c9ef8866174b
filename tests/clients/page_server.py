"""The real service app with the browser client's test pages beside it.

Test-only: `uvicorn --factory tests.clients.page_server:create_test_app`
serves the service exactly as `create_app` builds it, plus `/test-pages/`
from tests/clients/pages on the same origin, so the client's requests are
same-origin as on an LMS site. Every request to the ingestion endpoint is
also written (transport, event ids) to the JSON-lines file named by
LMS_TELEMETRY_TEST_POSTS, so a test can tell beacons from fetches.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lms_telemetry.api.app import create_app
from lms_telemetry.config import Config

PAGES = Path(__file__).parent / "pages"
PAGES_PREFIX = "/test-pages"


def _event_ids(body: bytes) -> list[str]:
    try:
        decoded: Any = json.loads(body)
    except ValueError:
        return []
    events = decoded.get("batch", [decoded]) if isinstance(decoded, dict) else []
    return [event.get("event_id", "") for event in events if isinstance(event, dict)]


def _recording(app: ASGIApp, log_path: Path) -> ASGIApp:
    async def record(scope: Scope, receive: Receive, send: Send) -> None:
        chunks: list[bytes] = []

        async def receive_and_keep() -> Message:
            message = await receive()
            chunks.append(message.get("body", b""))
            return message

        async def send_and_log(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = dict(scope["headers"])
                entry = {
                    "status": message["status"],
                    "content_type": headers.get(b"content-type", b"").decode(),
                    "has_key_param": b"key=" in scope.get("query_string", b""),
                    "event_ids": _event_ids(b"".join(chunks)),
                }
                with log_path.open("a") as log:
                    log.write(json.dumps(entry) + "\n")
            await send(message)

        await app(scope, receive_and_keep, send_and_log)

    return record


def create_test_app() -> ASGIApp:
    service = create_app(Config.load())
    pages = StaticFiles(directory=PAGES)
    log_path = Path(os.environ["LMS_TELEMETRY_TEST_POSTS"])
    recorded_service = _recording(service, log_path)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and path.startswith(PAGES_PREFIX + "/"):
            inner = dict(scope, path=path[len(PAGES_PREFIX):], root_path="")
            await pages(inner, receive, send)
        elif scope["type"] == "http" and path == "/api/telemetry":
            await recorded_service(scope, receive, send)
        else:
            await service(scope, receive, send)

    return app
