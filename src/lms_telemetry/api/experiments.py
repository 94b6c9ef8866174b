"""Experiment routes: public definitions for clients, results, admin changes.

`GET /api/experiments` is what `telemetry_client.js` fetches to assign
variants: keys, seeds, weights and targeting, nothing else, and cacheable.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from lms_telemetry.api.auth import require_admin, require_reader
from lms_telemetry.experiments.analysis import (
    UnknownExperimentError,
    analyze_experiment,
    find_experiment_definition,
)
from lms_telemetry.experiments.definitions import public_experiment_definitions
from lms_telemetry.experiments.metrics import DefinitionError
from lms_telemetry.experiments.registry import (
    all_definitions,
    delete_definition,
    save_definition,
)

_PUBLIC_CACHE = "public, max-age=60"
ENGINES = ("frequentist", "bayesian")


def _definitions(request: Request) -> list[Any]:
    state = request.app.state
    return all_definitions(state.store, state.config, state.schema)


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status)


async def list_experiments(request: Request) -> Response:
    definitions = await asyncio.to_thread(_definitions, request)
    return JSONResponse(
        {"experiments": public_experiment_definitions(definitions)},
        headers={"Cache-Control": _PUBLIC_CACHE, "Access-Control-Allow-Origin": "*"},
    )


async def experiment_results(request: Request) -> Response:
    await require_reader(request)
    engine = request.query_params.get("engine", "frequentist")
    if engine not in ENGINES:
        return _error(
            400,
            "invalid_parameter",
            f"engine: {engine!r} must be one of {', '.join(ENGINES)}",
        )

    def analyse() -> dict[str, Any]:
        definition = find_experiment_definition(
            _definitions(request), request.path_params["key"]
        )
        return analyze_experiment(request.app.state.store, definition, engine=engine)

    try:
        return JSONResponse(await asyncio.to_thread(analyse))
    except UnknownExperimentError as exc:
        return _error(404, "unknown_experiment", str(exc))


async def save_experiment(request: Request) -> Response:
    await require_admin(request)
    try:
        table = await request.json()
    except ValueError:
        return _error(400, "not_json", "Body is not valid JSON")
    if not isinstance(table, dict):
        return _error(
            400, "bad_body", "Body must be a JSON object defining one experiment"
        )
    state = request.app.state
    try:
        definition = await asyncio.to_thread(
            save_definition, state.store, state.config, state.schema, table
        )
    except DefinitionError as exc:
        return _error(400, "invalid_experiment", str(exc))
    return JSONResponse({"saved": definition.key}, 201)


async def remove_experiment(request: Request) -> Response:
    await require_admin(request)
    key = request.path_params["key"]
    if not await asyncio.to_thread(delete_definition, request.app.state.store, key):
        return _error(
            404, "unknown_experiment", f"No stored experiment has the key {key!r}"
        )
    return Response(status_code=204)


routes = [
    Route("/api/experiments", list_experiments, methods=["GET"]),
    Route("/api/experiments/{key}/results", experiment_results, methods=["GET"]),
    Route("/api/admin/experiments", save_experiment, methods=["POST"]),
    Route("/api/admin/experiments/{key}", remove_experiment, methods=["DELETE"]),
]
