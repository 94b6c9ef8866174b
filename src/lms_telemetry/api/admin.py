"""Admin routes: the quarantine (list, replay) for operators."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from lms_telemetry.api.auth import require_admin
from lms_telemetry.ingest.replay import list_quarantine, replay_quarantine


async def quarantine_list(request: Request) -> Response:
    await require_admin(request)
    try:
        limit = int(request.query_params.get("limit", "50"))
    except ValueError:
        return JSONResponse(
            {"error": "bad_parameter", "message": "limit: must be a whole number"}, 400
        )
    rows = await asyncio.to_thread(list_quarantine, request.app.state.store, limit)
    return JSONResponse({"quarantine": rows})


async def quarantine_replay(request: Request) -> Response:
    await require_admin(request)
    state = request.app.state

    def replay_while_loader_waits() -> dict[str, int]:
        with state.loader.lock:
            return replay_quarantine(state.store, state.ingest.ingestor).as_dict()

    return JSONResponse(await asyncio.to_thread(replay_while_loader_waits))


async def status(request: Request) -> Response:
    """Counts an operator watches: stored, quarantined, waiting in the spool."""
    await require_admin(request)
    state = request.app.state

    def count() -> dict[str, int]:
        store = state.store
        return {
            "events": store.query("SELECT count(*) FROM events").scalar(),
            "quarantined": store.query("SELECT count(*) FROM quarantine").scalar(),
        }

    counts = await asyncio.to_thread(count)
    counts["spool_backlog_bytes"] = state.ingest.backlog_bytes()
    counts["loaded_since_start"] = state.loader.loaded_events
    return JSONResponse(counts)


routes = [
    Route("/api/admin/status", status),
    Route("/api/admin/quarantine", quarantine_list),
    Route("/api/admin/quarantine/replay", quarantine_replay, methods=["POST"]),
]
