"""GET /privacy: the privacy notice, generated from the schema and settings."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from lms_telemetry.privacy.notice import render_notice


async def privacy_notice(request: Request) -> Response:
    state = request.app.state
    if request.query_params.get("format") == "md":
        return PlainTextResponse(
            render_notice(state.config, state.schema, "md"), media_type="text/markdown"
        )
    return HTMLResponse(render_notice(state.config, state.schema, "html"))


routes = [Route("/privacy", privacy_notice)]
