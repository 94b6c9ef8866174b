"""The two reference servers `bench/ingest.py` runs beside the real service.

- `ceiling`: the same HTTP stack (Starlette on uvicorn) answering 204 at once.
- `first_draft`: what a first draft looks like: one event per request,
  validated loosely, one INSERT per event into DuckDB behind a plain route.
"""

from __future__ import annotations

import json
import os
import threading
import uuid

import duckdb
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


async def nothing(request: Request) -> Response:
    await request.body()
    return Response(status_code=204)


ceiling = Starlette(routes=[Route("/api/telemetry", nothing, methods=["POST"])])

_connection: duckdb.DuckDBPyConnection | None = None
_lock = threading.Lock()


def _database() -> duckdb.DuckDBPyConnection:
    global _connection
    if _connection is None:
        _connection = duckdb.connect(os.environ.get("FIRST_DRAFT_DB", ":memory:"))
        _connection.execute(
            "CREATE TABLE IF NOT EXISTS events (event_id VARCHAR, event VARCHAR,"
            " timestamp VARCHAR, payload JSON)"
        )
    return _connection


def _insert(event: dict[str, object]) -> None:
    with _lock:
        _database().execute(
            "INSERT INTO events VALUES (?, ?, ?, ?)",
            [
                str(event.get("event_id") or uuid.uuid4()),
                event.get("event"),
                event.get("timestamp"),
                json.dumps(event.get("payload")),
            ],
        ).fetchall()


async def store_one(request: Request) -> Response:
    event = json.loads(await request.body())
    if not isinstance(event, dict) or "event" not in event:
        return JSONResponse({"error": "bad event"}, 400)
    _insert(event)
    return JSONResponse({"ok": True}, 202)


first_draft = Starlette(routes=[Route("/api/telemetry", store_one, methods=["POST"])])
