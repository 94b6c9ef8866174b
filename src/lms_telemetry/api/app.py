"""The ASGI application, assembled for the role a process plays.

- "standalone": one process does everything: ingestion, the loader thread
  that owns the database, reports and the dashboard.
- "owner": the same, listening on a private Unix socket behind ingest
  workers (`lms-telemetry serve` with workers).
- "worker": ingestion only; every other route is forwarded to the owner.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import BaseRoute, Mount

from lms_telemetry.api import ingestion, metrics, operations
from lms_telemetry.api.state import IngestState
from lms_telemetry.config import Config
from lms_telemetry.ingest.dedup import SeenEventIds
from lms_telemetry.ingest.loader import Loader, LoaderThread
from lms_telemetry.ingest.pipeline import Ingestor
from lms_telemetry.ingest.spool import GroupCommitSpool, SegmentWriter
from lms_telemetry.privacy.gate import PrivacyGate
from lms_telemetry.schema import EventSchema
from lms_telemetry.storage import open_store

logger = logging.getLogger(__name__)

ROLES = ("standalone", "owner", "worker")


def _process_tag(role: str) -> str:
    return f"{role}-{os.getpid()}-{os.urandom(3).hex()}"


def _build_ingest_state(config: Config, schema: EventSchema, role: str) -> IngestState:
    spool_dir = config.spool_path
    writer = SegmentWriter(
        spool_dir, _process_tag(role), config["spool.segment_max_bytes"]
    )
    seen = SeenEventIds(spool_dir / "seen-event-ids.sqlite3")
    return IngestState(
        config=config,
        ingestor=Ingestor(config, schema, PrivacyGate(config, schema)),
        spool=GroupCommitSpool(writer, after_durable=seen.remember),
        seen=seen,
        spool_dir=spool_dir,
    )


def _owner_routes() -> list[BaseRoute]:
    # Imported here: ingest workers never load what only the owner serves.
    from lms_telemetry.api import admin, experiments, privacy_routes
    from lms_telemetry.api.reports import routes as report_routes
    from lms_telemetry.dashboard.routes import routes as dashboard_routes

    return [
        *admin.routes,
        *report_routes,
        *experiments.routes,
        *privacy_routes.routes,
        *dashboard_routes,
    ]


def _worker_routes(config: Config) -> list[BaseRoute]:
    from lms_telemetry.api.proxy import OwnerProxy

    return [Mount("/", app=OwnerProxy(owner_socket_path(config)))]


def owner_socket_path(config: Config) -> Path:
    return config.spool_path / "owner.sock"


def create_app(config: Config | None = None, role: str = "standalone") -> Starlette:
    """The service's ASGI app for ROLE (see the module docstring)."""
    if role not in ROLES:
        raise ValueError(f"role {role!r} is not one of {', '.join(ROLES)}")
    config = config or Config.load()
    schema = EventSchema.load(config["schema_extensions"])
    routes: list[BaseRoute] = [*ingestion.routes, *operations.routes]
    routes += _owner_routes() if role != "worker" else _worker_routes(config)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.ingest = _build_ingest_state(config, schema, role)
        loader_thread = None
        chores = None
        if role != "worker":
            app.state.store = open_store(config.db_path)
            loader = Loader(
                app.state.store, config.spool_path, on_loaded=metrics.EVENTS_LOADED.inc
            )
            loader_thread = LoaderThread(
                loader, config["spool.load_interval_ms"] / 1000
            )
            app.state.loader = loader
            app.state.ingest.notify_loader = loader_thread.wake.set
            loader_thread.start()
            from lms_telemetry.api import housekeeping

            housekeeping.announce_first_admin(app.state.store, config)
            chores = asyncio.create_task(housekeeping.run_daily(app))
        try:
            yield
        finally:
            if chores is not None:
                chores.cancel()
            app.state.ingest.spool.close()
            if loader_thread is not None:
                loader_thread.stop()
                app.state.store.close()
            app.state.ingest.seen.close()

    app = Starlette(
        routes=routes,
        middleware=_middleware(config),
        lifespan=lifespan,
        exception_handlers={HTTPException: _http_error},
    )
    app.state.config = config
    app.state.schema = schema
    app.state.role = role
    return app


async def _http_error(request: Request, exc: Exception) -> Response:
    """API errors as JSON with a stable code; pages keep Starlette's answer."""
    assert isinstance(exc, HTTPException)
    if not request.url.path.startswith("/api/"):
        return PlainTextResponse(exc.detail, exc.status_code, headers=exc.headers)
    codes = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}
    return JSONResponse(
        {"error": codes.get(exc.status_code, "http_error"), "message": exc.detail},
        exc.status_code,
        headers=exc.headers,
    )


def _middleware(config: Config) -> list[Middleware]:
    from lms_telemetry.dashboard.security import SecurityHeadersMiddleware

    origins: list[str] = list(config["cors_origins"])
    return [
        Middleware(SecurityHeadersMiddleware),
        Middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=[
                "Content-Type",
                "Content-Encoding",
                "X-Telemetry-Key",
                "Authorization",
            ],
            max_age=86400,
        ),
    ]


def app_factory() -> Any:
    """Entry point for an ASGI server given only a module path."""
    return create_app(Config.load(), os.environ.get("LMS_TELEMETRY_ROLE", "standalone"))
