"""POST /api/telemetry: take events, make them durable, say what happened.

Only after the frame holding an event is fsynced does the reply count it as
accepted; a client that gets no reply sends again, and the event id turns
the repeat into a counted duplicate instead of a second row.
"""

from __future__ import annotations

import hmac
import logging
import time
from datetime import UTC, datetime

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from lms_telemetry.api import metrics
from lms_telemetry.api.state import IngestState
from lms_telemetry.ingest.decoding import BodyError
from lms_telemetry.ingest.pipeline import QUARANTINED_BODY_CHARS, Judgement
from lms_telemetry.ingest.spool import encode_frame
from lms_telemetry.privacy.gate import RequestFacts

logger = logging.getLogger(__name__)

_CONTENT_TYPES = ("application/json", "text/plain", "")


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status, headers=headers)


def _has_valid_key(request: Request, keys: list[str]) -> bool:
    given = request.headers.get("x-telemetry-key") or request.query_params.get("key")
    if not given:
        return False
    return any(hmac.compare_digest(given, key) for key in keys)


def _facts(request: Request) -> RequestFacts:
    return RequestFacts(
        client_ip=request.client.host if request.client else None,
        user_agent=request.headers.get("user-agent"),
        received_at=datetime.now(UTC),
    )


async def _read_body(request: Request, limit: int) -> bytes:
    # Stop reading once past the limit: even compressed, a body that large
    # cannot inflate to something allowed.
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        chunks.append(chunk)
        if size > limit:
            error = BodyError(
                413,
                "body_too_large",
                f"Body exceeds the limit of {limit} bytes (max_body_bytes)",
            )
            error.body_prefix = b"".join(chunks)[:QUARANTINED_BODY_CHARS]
            raise error
    return b"".join(chunks)


def _overload(state: IngestState) -> Response | None:
    if state.spool.pending_events > state.max_pending_events:
        return error_response(
            503,
            "overloaded",
            "The service is busy writing; retry shortly",
            {"Retry-After": "1"},
        )
    if state.backlog_bytes() > state.max_backlog_bytes:
        return error_response(
            503,
            "backlog_full",
            "The spool is full until the loader catches up",
            {"Retry-After": "5"},
        )
    return None


async def receive_events(request: Request) -> Response:
    started = time.perf_counter()
    response = await _receive(request)
    metrics.REQUEST_SECONDS.labels(str(response.status_code)).observe(
        time.perf_counter() - started
    )
    return response


def _is_allowed_origin(request: Request, allowed: list[str]) -> bool:
    # Browsers send Origin on every cross-site POST, also on a beacon, which
    # needs no preflight: CORS alone would not keep other sites out.
    origin = request.headers.get("origin")
    if origin is None or "*" in allowed or origin in allowed:
        return True
    own = f"{request.url.scheme}://{request.headers.get('host', '')}"
    return origin == own


async def _receive(request: Request) -> Response:
    state: IngestState = request.app.state.ingest
    if not _is_allowed_origin(request, state.config["cors_origins"]):
        metrics.EVENTS_REFUSED.labels("origin_not_allowed").inc()
        return error_response(
            403,
            "origin_not_allowed",
            f"Origin {request.headers['origin'][:200]!r} is not allowed to send events; add it to cors_origins",
        )
    keys = state.config["write_keys"]
    if keys and not _has_valid_key(request, keys):
        metrics.EVENTS_REFUSED.labels("unauthorized").inc()
        return error_response(
            401,
            "unauthorized",
            "A valid write key is required in the X-Telemetry-Key header or the key query parameter",
        )
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in _CONTENT_TYPES:
        metrics.EVENTS_REFUSED.labels("unsupported_media_type").inc()
        return error_response(
            415,
            "unsupported_media_type",
            f"Content-Type {content_type!r} is not supported; use application/json or text/plain",
        )
    busy = _overload(state)
    if busy is not None:
        metrics.EVENTS_REFUSED.labels(busy_reason(busy)).inc()
        return busy
    facts = _facts(request)
    raw = b""
    try:
        raw = await _read_body(request, state.ingestor.limits.max_body_bytes)
        decoded = state.ingestor.decode(
            raw, request.headers.get("content-encoding", "")
        )
    except ClientDisconnect:
        return Response(status_code=400)
    except BodyError as error:
        kept = raw or error.body_prefix
        if request.headers.get("content-encoding", "identity") != "identity":
            kept = b""  # compressed bytes say nothing to a reader
        await _quarantine_body(state, error, kept, facts)
        return error_response(error.status, error.code, error.message)
    judgement = state.ingestor.judge(decoded, facts)
    return await _store(state, judgement)


def busy_reason(response: Response) -> str:
    return (
        "overloaded" if response.headers.get("retry-after") == "1" else "backlog_full"
    )


async def _quarantine_body(
    state: IngestState, error: BodyError, raw: bytes, facts: RequestFacts
) -> None:
    metrics.EVENTS_REFUSED.labels(error.code).inc()
    row = state.ingestor.quarantine_row(error.code, [error.message], raw, facts)
    await state.spool.append(encode_frame([], [row]), [])


async def _store(state: IngestState, judgement: Judgement) -> Response:
    ids = [row["event_id"] for row in judgement.rows]
    known = state.seen.known(ids)
    fresh, seen_here = [], set()
    for row in judgement.rows:
        if row["event_id"] in known or row["event_id"] in seen_here:
            continue
        seen_here.add(row["event_id"])
        fresh.append(row)
    if fresh or judgement.quarantine:
        fresh_ids = [row["event_id"] for row in fresh]
        await state.spool.append(encode_frame(fresh, judgement.quarantine), fresh_ids)
    duplicates = len(judgement.rows) - len(fresh)
    metrics.EVENTS_ACCEPTED.inc(len(fresh))
    metrics.EVENTS_DUPLICATE.inc(duplicates)
    if judgement.rejected:
        metrics.EVENTS_REFUSED.labels("invalid_event").inc(len(judgement.rejected))
    state.notify_loader()
    return JSONResponse(
        {
            "accepted": len(fresh),
            "duplicates": duplicates,
            "rejected": judgement.rejected,
        },
        202,
    )


routes = [Route("/api/telemetry", receive_events, methods=["POST"])]
