"""Who may read reports and change settings: the admin API token.

Report and admin routes call `require_reader` or `require_admin`; both raise
`HTTPException` (401 without credentials, 403 with too little rights).
"""

from __future__ import annotations

import hmac

from starlette.exceptions import HTTPException
from starlette.requests import Request

ROLES = ("viewer", "admin")


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def current_role(request: Request) -> str | None:
    """The role of whoever sent the request, or None when unauthenticated."""
    token = bearer_token(request)
    admin_token = request.app.state.config["admin_token"]
    if token and admin_token and hmac.compare_digest(token, admin_token):
        return "admin"
    return None


async def require_reader(request: Request) -> str:
    role = await current_role(request)
    if role is None:
        raise HTTPException(
            401,
            "Authentication is required: send a Bearer token",
            headers={"WWW-Authenticate": 'Bearer realm="lms-telemetry"'},
        )
    return role


async def require_admin(request: Request) -> str:
    role = await require_reader(request)
    if role != "admin":
        raise HTTPException(403, "This route needs the admin role")
    return role
