"""Routes for operators and integrators: health, metrics, schema, client file."""

from __future__ import annotations

from importlib import resources

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from lms_telemetry.api.metrics import SPOOL_BACKLOG, render_metrics
from lms_telemetry.api.openapi import openapi_document

_CLIENT_CACHE = "public, max-age=3600, stale-while-revalidate=86400"


async def health(request: Request) -> Response:
    ingest = request.app.state.ingest
    backlog = ingest.backlog_bytes()
    return JSONResponse(
        {"status": "ok", "role": request.app.state.role, "spool_backlog_bytes": backlog}
    )


async def prometheus_metrics(request: Request) -> Response:
    SPOOL_BACKLOG.set(request.app.state.ingest.backlog_bytes())
    body, content_type = render_metrics()
    return Response(body, media_type=content_type)


async def event_schema(request: Request) -> Response:
    return JSONResponse(
        request.app.state.schema.document,
        media_type="application/schema+json",
        headers={"Cache-Control": "public, max-age=300"},
    )


async def openapi(request: Request) -> Response:
    return JSONResponse(openapi_document(request.app.state.schema))


def _static_file(name: str, media_type: str):  # type: ignore[no-untyped-def]
    async def serve(request: Request) -> Response:
        path = resources.files("lms_telemetry") / "static" / name
        if not path.is_file():
            return JSONResponse(
                {"error": "not_built", "message": f"{name} is not built"}, 404
            )
        return Response(
            path.read_bytes(),
            media_type=media_type,
            headers={
                "Cache-Control": _CLIENT_CACHE,
                "Access-Control-Allow-Origin": "*",
            },
        )

    return serve


routes = [
    Route("/healthz", health),
    Route("/metrics", prometheus_metrics),
    Route("/api/schema", event_schema),
    Route("/openapi.json", openapi),
    Route(
        "/telemetry_client.js", _static_file("telemetry_client.js", "text/javascript")
    ),
    Route(
        "/telemetry_client.mjs", _static_file("telemetry_client.mjs", "text/javascript")
    ),
]
