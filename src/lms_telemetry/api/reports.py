"""Query routes: every report as JSON at `GET /api/reports/{name}`.

Query parameters are the report's: since, until, tz, persona, interface, and
the options min_ids and limit. A bad parameter gets 400 with a sentence that
names it; an unknown report gets 404.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from lms_telemetry.analytics import REPORTS, ReportError, run_report
from lms_telemetry.api.auth import require_reader

logger = logging.getLogger(__name__)

SCOPE_PARAMETERS = ("since", "until", "tz", "persona", "interface")
OPTION_PARAMETERS = ("min_ids", "limit")


def _error(status: int, code: str, message: str, parameter: str | None) -> JSONResponse:
    body: dict[str, Any] = {"error": code, "message": message}
    if parameter is not None:
        body["parameter"] = parameter
    return JSONResponse(body, status_code=status)


async def get_report(request: Request) -> JSONResponse:
    await require_reader(request)
    name = request.path_params["name"]
    if name not in REPORTS:
        return _error(
            404,
            "unknown_report",
            f"Report {name!r} does not exist; choose one of {', '.join(REPORTS)}",
            None,
        )
    query = request.query_params
    for parameter in query:
        if parameter not in SCOPE_PARAMETERS + OPTION_PARAMETERS:
            return _error(
                400,
                "invalid_parameter",
                f"Parameter {parameter} is not known",
                parameter,
            )
    scope: dict[str, Any] = {key: query.get(key) or None for key in SCOPE_PARAMETERS}
    scope["tz"] = scope["tz"] or "UTC"
    options: dict[str, Any] = {k: query[k] for k in OPTION_PARAMETERS if query.get(k)}
    config = getattr(request.app.state, "config", None)
    try:
        result = await run_in_threadpool(
            run_report, name, request.app.state.store, config=config, **scope, **options
        )
    except ReportError as exc:
        return _error(400, "invalid_parameter", str(exc), exc.parameter)
    return JSONResponse(result)


routes: list[Route] = [Route("/api/reports/{name}", get_report, methods=["GET"])]
