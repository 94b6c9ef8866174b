"""The example library site: an OPAC for patrons and a staff client.

    create_app(Path("examples/opac/catalog.csv"), "http://127.0.0.1:8000")

Pages load telemetry_client.js from the telemetry service; the back end
reports every request through the SDK's ASGI middleware. A small share of
circulation requests fail the way a real LMS does when its circulation
service times out, and the admin reports are slow, so that the performance
and error reports have something to show.
"""

from __future__ import annotations

import os
import random
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from examples.opac import pages, staff
from examples.opac.catalog import load_catalog
from examples.opac.circulation import Library
from examples.opac.search import SearchIndex
from examples.opac.site import APP_VERSION, Site, area_of
from lms_telemetry.sdk import TelemetryClient, TelemetryMiddleware

TEMPLATES = Path(__file__).parent / "templates"
DEFAULT_CATALOG = Path(__file__).parent / "catalog.csv"


def request_fields(scope: Mapping[str, Any]) -> dict[str, Any]:
    """Envelope fields of a back-end event: the persona of the page's area."""
    persona, _ = area_of(str(scope.get("path", "/")))
    return {"persona": persona}


def create_app(
    catalog_path: Path | str = DEFAULT_CATALOG,
    telemetry_url: str = "http://127.0.0.1:8000",
    write_key: str | None = None,
    *,
    fault_rate: float = 0.01,
    seed: int = 7,
    telemetry_client: TelemetryClient | None = None,
) -> Starlette:
    """Build the site over the catalogue at ``catalog_path``."""
    telemetry_url = telemetry_url.rstrip("/")
    catalog = load_catalog(Path(catalog_path))
    site = Site(
        catalog=catalog,
        index=SearchIndex(catalog.books.values()),
        library=Library(catalog.books),
        templates=Jinja2Templates(directory=str(TEMPLATES)),
        telemetry_url=telemetry_url,
        write_key=write_key,
        fault_rate=fault_rate,
        rng=random.Random(seed),
    )
    client = telemetry_client or TelemetryClient(
        telemetry_url + "/api/telemetry", write_key, app_version=APP_VERSION
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        client.close()

    app = Starlette(routes=ROUTES, lifespan=lifespan)
    app.state.site = site
    app.state.telemetry = client
    app.add_middleware(
        TelemetryMiddleware, client=client, request_fields=request_fields
    )
    return app


def create_app_from_environment() -> Starlette:
    """Factory for ``uvicorn --factory``: settings from OPAC_* variables."""
    return create_app(
        os.environ.get("OPAC_CATALOG", str(DEFAULT_CATALOG)),
        os.environ.get("OPAC_TELEMETRY_URL", "http://127.0.0.1:8080"),
        os.environ.get("OPAC_WRITE_KEY") or None,
        seed=int(os.environ.get("OPAC_SEED", "7")),
    )


ROUTES = [
    Route("/", pages.home),
    Route("/login", pages.login_form),
    Route("/login", pages.login, methods=["POST"]),
    Route("/search", pages.search),
    Route("/api/suggest", pages.suggest),
    Route("/items/{book_id:int}", pages.item),
    Route("/items/{book_id:int}/borrow", pages.borrow, methods=["POST"]),
    Route("/items/{book_id:int}/holds", pages.place_hold, methods=["POST"]),
    Route("/holds/{hold_id:int}/cancel", pages.cancel_hold, methods=["POST"]),
    Route("/loans/{loan_id:int}/renew", pages.renew, methods=["POST"]),
    Route("/account/loans", pages.my_loans),
    Route("/staff", staff.desk),
    Route("/staff/checkout", staff.check_out, methods=["POST"]),
    Route("/staff/checkin", staff.check_in, methods=["POST"]),
    Route("/staff/bulk-checkout", staff.bulk_check_out, methods=["POST"]),
    Route("/admin", staff.admin_reports),
    Route("/it/status", staff.it_status),
    Route("/api/status", staff.status_json),
]
