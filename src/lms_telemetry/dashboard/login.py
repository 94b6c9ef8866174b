"""Signed login cookies and CSRF tokens for the dashboard.

A login is a cookie signed with the dashboard secret key: it names the
account and the time its password last changed, so a new password or a
removed account ends it. It is HttpOnly, SameSite=Strict, and Secure when the
request came over TLS. Forms carry a CSRF token: an HMAC of a random per-browser
cookie, which a page on another site can neither read nor forge.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from lms_telemetry.config import Config
from lms_telemetry.dashboard.accounts import Account, find_account

logger = logging.getLogger(__name__)

LOGIN_COOKIE = "lms_telemetry_login"
CSRF_COOKIE = "lms_telemetry_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
LOGIN_MAX_AGE_SECONDS = 12 * 3600


def secret_key_path(config: Config) -> Path:
    return Path(f"{config['db']}.secret")


def load_secret_key(config: Config) -> bytes:
    """The configured key, else the key file beside the database (made once)."""
    configured = str(config.get("dashboard.secret_key") or "")
    if configured:
        return configured.encode()
    path = secret_key_path(config)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two processes starting at once must not overwrite each other.
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_bytes().strip()
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
        logger.info("generated the dashboard secret key", extra={"path": str(path)})
    return path.read_bytes().strip()


@dataclass
class LoginKeys:
    """Everything signed with the secret key, built once per application."""

    secret_key: bytes

    def __post_init__(self) -> None:
        self.serializer = URLSafeTimedSerializer(self.secret_key, salt="login")

    def sign_login(self, account: Account) -> str:
        return self.serializer.dumps(
            {"name": account.name, "changed": account.password_changed_at}
        )

    def read_login(self, cookie: str) -> dict[str, Any] | None:
        try:
            value = self.serializer.loads(cookie, max_age=LOGIN_MAX_AGE_SECONDS)
        except BadSignature:
            return None
        return value if isinstance(value, dict) else None

    def csrf_token(self, browser_secret: str) -> str:
        return hmac.new(
            self.secret_key, b"csrf:" + browser_secret.encode(), hashlib.sha256
        ).hexdigest()


def login_keys(request: Request) -> LoginKeys:
    """The application's keys, loaded from the configuration on first use."""
    state = request.app.state
    keys = getattr(state, "dashboard_login_keys", None)
    if keys is None:
        keys = LoginKeys(load_secret_key(state.config))
        state.dashboard_login_keys = keys
    return keys


def logged_in_account(request: Request) -> Account | None:
    """The account of a valid login cookie, or None."""
    cookie = request.cookies.get(LOGIN_COOKIE)
    if not cookie:
        return None
    claims = login_keys(request).read_login(cookie)
    if claims is None:
        return None
    account = find_account(request.app.state.store, str(claims.get("name")))
    if account is None or account.password_changed_at != claims.get("changed"):
        return None
    return account


def is_tls(request: Request) -> bool:
    return request.url.scheme == "https"


def set_login_cookie(request: Request, response: Response, account: Account) -> None:
    response.set_cookie(
        LOGIN_COOKIE,
        login_keys(request).sign_login(account),
        max_age=LOGIN_MAX_AGE_SECONDS,
        path="/",
        secure=is_tls(request),
        httponly=True,
        samesite="strict",
    )


def clear_login_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(
        LOGIN_COOKIE, path="/", secure=is_tls(request), httponly=True, samesite="strict"
    )


def browser_secret(request: Request) -> tuple[str, bool]:
    """The browser's CSRF secret and whether it is new (needs setting)."""
    existing = request.cookies.get(CSRF_COOKIE, "")
    if len(existing) >= 32:
        return existing, False
    return secrets.token_urlsafe(32), True


def csrf_token_for(request: Request, response_cookies: dict[str, str]) -> str:
    """The token a form must carry; records a new browser secret to set."""
    secret, is_new = browser_secret(request)
    if is_new:
        response_cookies[CSRF_COOKIE] = secret
    return login_keys(request).csrf_token(secret)


def set_csrf_cookie(request: Request, response: Response, secret: str) -> None:
    response.set_cookie(
        CSRF_COOKIE,
        secret,
        path="/",
        secure=is_tls(request),
        httponly=True,
        samesite="strict",
    )


def is_csrf_valid(request: Request, submitted: str | None) -> bool:
    """Whether a submitted token matches this browser's secret and origin."""
    secret = request.cookies.get(CSRF_COOKIE, "")
    if not secret or not submitted or not is_same_origin(request):
        return False
    return hmac.compare_digest(submitted, login_keys(request).csrf_token(secret))


def is_same_origin(request: Request) -> bool:
    # Browsers send Origin on every POST; a mismatch means another site's form.
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    expected = f"{request.url.scheme}://{request.url.netloc}"
    return origin == expected
