"""The state the site's handlers share, and helpers every page uses."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.templating import Jinja2Templates

from examples.opac.catalog import Catalog
from examples.opac.circulation import Library, Outcome
from examples.opac.search import SearchIndex

APP_VERSION = "2.4.1"
#: (path prefix, persona, interface) of the areas outside the patron OPAC.
AREAS = (
    ("/staff", "librarian", "staff"),
    ("/admin", "admin", "staff"),
    ("/it", "it", "staff"),
)


class CirculationTimeout(RuntimeError):
    """The circulation service did not answer; real LMSs fail like this."""


@dataclass
class Site:
    """What the handlers share: catalogue, circulation and settings."""

    catalog: Catalog
    index: SearchIndex
    library: Library
    templates: Jinja2Templates
    telemetry_url: str
    write_key: str | None
    fault_rate: float
    rng: random.Random

    def call_circulation_service(self, operation: str) -> None:
        """Fail now and then, as a real circulation back end does."""
        if self.rng.random() < self.fault_rate:
            raise CirculationTimeout(
                f"circulation service did not answer {operation} within 5000 ms"
            )


def area_of(path: str) -> tuple[str, str]:
    """(persona, interface) of the site area ``path`` is in."""
    for prefix, persona, interface in AREAS:
        if path == prefix or path.startswith(prefix + "/"):
            return persona, interface
    return "patron", "opac"


def site_of(request: Request) -> Site:
    site: Site = request.app.state.site
    return site


def render(
    request: Request, template: str, status: int = 200, **values: Any
) -> Response:
    """Render a page with what base.html needs to start the telemetry client."""
    site = site_of(request)
    persona, interface = area_of(request.url.path)
    context = {
        "telemetry_url": site.telemetry_url,
        "write_key": site.write_key,
        "persona": persona,
        "interface": interface,
        "app_version": APP_VERSION,
        "card": request.cookies.get("card"),
        **values,
    }
    return site.templates.TemplateResponse(
        request, template, context, status_code=status
    )


async def read_fields(request: Request) -> dict[str, Any]:
    """The body of a POST, sent as JSON by the pages' scripts or as a form."""
    if request.headers.get("content-type", "").startswith("application/json"):
        body = await request.json()
        return body if isinstance(body, dict) else {}
    return dict(await request.form())


def outcome_response(outcome: Outcome, **extra: Any) -> JSONResponse:
    """JSON answer to a circulation request: 200, or 409 when refused."""
    body = {"outcome": outcome.label, "reason": outcome.reason, **extra}
    if outcome.loan_id is not None:
        body["loan_id"] = outcome.loan_id
    if outcome.hold_id is not None:
        body["hold_id"] = outcome.hold_id
    if outcome.overdue_days is not None:
        body["overdue_days"] = outcome.overdue_days
    return JSONResponse(body, status_code=200 if outcome.is_success else 409)
