"""The dashboard's report pages: one handler per page, all built alike.

A page needs a login (else a redirect to /login), admin pages need the admin
role (else 403), and its filters come from the URL (a bad one gives 400 with
the field and the rule). The report calls run in a worker thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from lms_telemetry.config import Config
from lms_telemetry.dashboard import experiments_view, page_data, quality, settings_view
from lms_telemetry.dashboard.accounts import Account
from lms_telemetry.dashboard.filters import (
    INTERFACES,
    PERIOD_PRESETS,
    PERSONAS,
    FilterError,
    ReportFilters,
    common_time_zones,
    parse_filters,
)
from lms_telemetry.dashboard.login import (
    CSRF_FIELD,
    csrf_token_for,
    logged_in_account,
    set_csrf_cookie,
)
from lms_telemetry.dashboard.rendering import ENVIRONMENT
from lms_telemetry.storage.base import Store

logger = logging.getLogger(__name__)

Builder = Callable[[Store, ReportFilters, Config], dict[str, Any]]


@dataclass(frozen=True)
class Page:
    key: str
    title: str
    path: str
    build: Builder
    is_admin_only: bool = False
    has_filters: bool = True

    @property
    def template(self) -> str:
        return f"{self.key}.html"


PAGES: tuple[Page, ...] = (
    Page("overview", "Overview", "/dashboard/",
         page_data.overview_context),
    Page("features", "Features", "/dashboard/features",
         page_data.features_context),
    Page("workflows", "Workflows", "/dashboard/workflows",
         page_data.workflows_context),
    Page("search", "Search", "/dashboard/search",
         page_data.search_context),
    Page("content", "Content", "/dashboard/content",
         page_data.content_context),
    Page("performance", "Performance", "/dashboard/performance",
         page_data.performance_context),
    Page("errors", "Errors", "/dashboard/errors",
         page_data.errors_context),
    Page("experiments", "Experiments", "/dashboard/experiments",
         experiments_view.experiments_context, has_filters=False),
    Page("quality", "Data quality", "/dashboard/data-quality",
         quality.quality_context, is_admin_only=True),
    Page("configuration", "Configuration", "/dashboard/configuration",
         settings_view.configuration_context, is_admin_only=True,
         has_filters=False),
    Page("privacy", "Privacy notice", "/dashboard/privacy",
         settings_view.privacy_context, has_filters=False),
)


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    status_code: int = 200,
) -> HTMLResponse:
    """Render TEMPLATE with a CSRF token for its forms; pages are never cached."""
    new_cookies: dict[str, str] = {}
    token = csrf_token_for(request, new_cookies)
    html = ENVIRONMENT.get_template(template).render(
        request=request, csrf_field=CSRF_FIELD, csrf_token=token, **context
    )
    response = HTMLResponse(html, status_code=status_code)
    response.headers["cache-control"] = "no-store"
    for secret in new_cookies.values():
        set_csrf_cookie(request, response, secret)
    return response


def login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


def page_frame(request: Request, page: Page, account: Account) -> dict[str, Any]:
    """What the layout needs on every page: navigation, account, filter choices."""
    return {
        "page": page,
        "pages": [p for p in PAGES if account.is_admin or not p.is_admin_only],
        "account": account,
        "presets": PERIOD_PRESETS,
        "personas": PERSONAS,
        "interfaces": INTERFACES,
        "time_zones": common_time_zones(),
    }


def page_handler(page: Page) -> Callable[[Request], Any]:
    """The request handler of one page."""

    async def handle(request: Request) -> Response:
        account = await run_in_threadpool(logged_in_account, request)
        if account is None:
            return login_redirect(request)
        frame = page_frame(request, page, account)
        if page.is_admin_only and not account.is_admin:
            frame["message"] = f"The {page.title} page needs the admin role."
            return render(request, "error.html", frame, status_code=403)
        try:
            filters = parse_filters(request.query_params)
        except FilterError as exc:
            frame["message"] = str(exc)
            frame["field"] = exc.field
            return render(request, "error.html", frame, status_code=400)
        store = request.app.state.store
        context = await run_in_threadpool(
            page.build, store, filters, request.app.state.config
        )
        return render(
            request, page.template, {**frame, **context, "filters": filters}
        )

    handle.__name__ = f"{page.key}_page"
    return handle
