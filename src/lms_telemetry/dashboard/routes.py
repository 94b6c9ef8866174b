"""The dashboard's routes, for the service to mount: pages, login, static files.

`routes` holds `/` (a redirect to the dashboard), every page under
`/dashboard/`, `/login`, `/logout` and the static files under
`/dashboard/static`.
"""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from lms_telemetry.api.auth import login_throttle
from lms_telemetry.dashboard.accounts import verify_login
from lms_telemetry.dashboard.login import (
    CSRF_FIELD,
    clear_login_cookie,
    is_csrf_valid,
    logged_in_account,
    set_login_cookie,
)
from lms_telemetry.dashboard.pages import PAGES, page_handler, render
from lms_telemetry.dashboard.rendering import STATIC_DIR
from lms_telemetry.dashboard.throttle import login_keys_for

logger = logging.getLogger(__name__)

DEFAULT_TARGET = "/dashboard/"
MAX_FIELD_CHARS = 1024


def safe_target(target: str | None) -> str:
    """A redirect target inside the dashboard; anything else goes home."""
    if target and target.startswith("/dashboard") and not target.startswith("//"):
        return target if "\\" not in target else DEFAULT_TARGET
    return DEFAULT_TARGET


async def home(request: Request) -> Response:
    return RedirectResponse(DEFAULT_TARGET, status_code=307)


def login_form(
    request: Request, next_target: str, message: str = "", status_code: int = 200
) -> Response:
    context = {"next_target": next_target, "message": message, "name": ""}
    return render(request, "login.html", context, status_code=status_code)


async def login_page(request: Request) -> Response:
    target = safe_target(request.query_params.get("next"))
    if await run_in_threadpool(logged_in_account, request):
        return RedirectResponse(target, status_code=303)
    return login_form(request, target)


async def login_submit(request: Request) -> Response:
    form = await request.form(max_files=0, max_fields=8)
    name = str(form.get("name", ""))[:MAX_FIELD_CHARS]
    password = str(form.get("password", ""))[:MAX_FIELD_CHARS]
    target = safe_target(str(form.get("next", "")))
    if not is_csrf_valid(request, str(form.get(CSRF_FIELD, ""))):
        return login_form(
            request, target, "The form expired: please log in again.", 403
        )
    throttle = login_throttle(request)
    client = request.client.host if request.client else "unknown"
    keys = login_keys_for(name, client)
    wait_seconds = throttle.retry_after_seconds(keys)
    if wait_seconds:
        response = login_form(
            request, target,
            f"Too many failed logins: try again in {wait_seconds} seconds.", 429,
        )
        response.headers["retry-after"] = str(wait_seconds)
        return response
    account = await run_in_threadpool(
        verify_login, request.app.state.store, name, password
    )
    if account is None:
        throttle.record_failure(key for key, _ in keys)
        logger.info("failed dashboard login", extra={"client": client})
        return login_form(request, target, "Wrong name or password.", 401)
    throttle.forget(keys[0][0])
    response = RedirectResponse(target, status_code=303)
    set_login_cookie(request, response, account)
    return response


async def logout(request: Request) -> Response:
    form = await request.form(max_files=0, max_fields=4)
    if not is_csrf_valid(request, str(form.get(CSRF_FIELD, ""))):
        return Response("CSRF token missing or wrong", status_code=403)
    response = RedirectResponse("/login", status_code=303)
    clear_login_cookie(request, response)
    return response


async def dashboard_root(request: Request) -> Response:
    return RedirectResponse(DEFAULT_TARGET, status_code=307)


routes: list[BaseRoute] = [
    Route("/", home, methods=["GET"]),
    Route("/login", login_page, methods=["GET"]),
    Route("/login", login_submit, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/dashboard", dashboard_root, methods=["GET"]),
    Mount(
        "/dashboard/static",
        app=StaticFiles(directory=str(STATIC_DIR)),
        name="dashboard-static",
    ),
    *[Route(page.path, page_handler(page), methods=["GET"]) for page in PAGES],
]
