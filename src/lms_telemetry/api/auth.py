"""Who may read reports and change settings.

Three ways in: the admin API token (Bearer), an account over HTTP Basic, or
the dashboard's login cookie. Report and admin routes call `require_reader`
or `require_admin`; both raise `HTTPException` (401 without credentials, 403
with too little rights). The login cookie opens safe methods only, unless the
request also carries the dashboard's CSRF token header, so a page on another
site cannot make a logged-in browser change anything.
"""

from __future__ import annotations

import base64
import binascii
import hmac

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request

from lms_telemetry.dashboard.accounts import verify_login
from lms_telemetry.dashboard.login import (
    CSRF_HEADER,
    is_csrf_valid,
    logged_in_account,
)
from lms_telemetry.dashboard.throttle import LoginThrottle, login_keys_for

ROLES = ("viewer", "admin")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def basic_credentials(request: Request) -> tuple[str, str] | None:
    """The (name, password) of an HTTP Basic header, or None."""
    header = request.headers.get("authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    name, separator, password = decoded.partition(":")
    return (name, password) if separator else None


def login_throttle(request: Request) -> LoginThrottle:
    """The application's throttle of failed logins, shared with the dashboard."""
    throttle = getattr(request.app.state, "login_throttle", None)
    if throttle is None:
        throttle = LoginThrottle()
        request.app.state.login_throttle = throttle
    return throttle


async def basic_role(request: Request, name: str, password: str) -> str | None:
    throttle = login_throttle(request)
    client = request.client.host if request.client else "unknown"
    keys = login_keys_for(name, client)
    if throttle.retry_after_seconds(keys):
        raise HTTPException(
            429,
            "Too many failed logins: try again later",
            headers={"Retry-After": str(throttle.retry_after_seconds(keys))},
        )
    # TODO: every Basic request pays one argon2 verification (about 0.1 s);
    # a short-lived cache of verified credentials would spare repeat calls.
    account = await run_in_threadpool(
        verify_login, request.app.state.store, name, password
    )
    if account is None:
        throttle.record_failure(key for key, _ in keys)
        return None
    return account.role


async def cookie_role(request: Request) -> str | None:
    is_allowed = request.method in SAFE_METHODS or is_csrf_valid(
        request, request.headers.get(CSRF_HEADER)
    )
    if not is_allowed:
        return None
    account = await run_in_threadpool(logged_in_account, request)
    return account.role if account else None


async def current_role(request: Request) -> str | None:
    """The role of whoever sent the request, or None when unauthenticated."""
    token = bearer_token(request)
    if token is not None:
        admin_token = request.app.state.config["admin_token"]
        if admin_token and hmac.compare_digest(token, admin_token):
            return "admin"
        return None
    credentials = basic_credentials(request)
    if credentials is not None:
        return await basic_role(request, *credentials)
    return await cookie_role(request)


async def require_reader(request: Request) -> str:
    role = await current_role(request)
    if role is None:
        raise HTTPException(
            401,
            "Authentication is required: send a Bearer token, an account's"
            " HTTP Basic credentials, or log in to the dashboard",
            headers={
                "WWW-Authenticate": 'Basic realm="lms-telemetry",'
                ' Bearer realm="lms-telemetry"'
            },
        )
    return role


async def require_admin(request: Request) -> str:
    role = await require_reader(request)
    if role != "admin":
        raise HTTPException(403, "This route needs the admin role")
    return role
