"""Forwarding from an ingest worker to the owner process.

Workers share the public port; only the owner holds the database. A request
for a report, the dashboard or an admin action that reaches a worker is
passed through unchanged over the owner's Unix socket.
"""

from __future__ import annotations

import http.cookiejar
from pathlib import Path

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

# Hop-by-hop headers are about one connection, not the request (RFC 9110 7.6.1).
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "content-length",
}


class OwnerProxy:
    """An ASGI app that replays each HTTP request against the owner."""

    def __init__(self, socket_path: Path) -> None:
        self.socket_path = socket_path
        self._client: httpx.AsyncClient | None = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            transport = httpx.AsyncHTTPTransport(uds=str(self.socket_path))
            # A cookie jar that keeps nothing: the proxy serves many browsers,
            # and one browser's login cookie must never ride on another's request.
            no_cookies = http.cookiejar.CookieJar(
                policy=http.cookiejar.DefaultCookiePolicy(allowed_domains=[])
            )
            self._client = httpx.AsyncClient(
                transport=transport,
                base_url="http://owner",
                timeout=120,
                cookies=no_cookies,
            )
        return self._client

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        response = await self._forward(request)
        await response(scope, receive, send)

    async def _forward(self, request: Request) -> Response:
        headers = [
            (k, v) for k, v in request.headers.items() if k.lower() not in _HOP_BY_HOP
        ]
        client_host = request.client.host if request.client else ""
        headers.append(("x-forwarded-for", client_host))
        headers.append(("x-forwarded-proto", request.url.scheme))
        # The raw target, exactly as the client sent it: decoding and encoding
        # it again could change it, or fail on characters a URL cannot hold.
        target = request.scope.get("raw_path") or request.url.path.encode()
        if request.scope.get("query_string"):
            target += b"?" + request.scope["query_string"]
        try:
            url = httpx.URL(scheme="http", host="owner", raw_path=target)
            upstream = await self._http().request(
                request.method, url, headers=headers, content=await request.body()
            )
        except httpx.InvalidURL:
            return JSONResponse(
                {"error": "bad_path", "message": "The request path is not a valid URL"},
                400,
            )
        except httpx.TransportError:
            return JSONResponse(
                {
                    "error": "owner_unavailable",
                    "message": "The database owner process is not reachable; retry shortly",
                },
                503,
                headers={"Retry-After": "2"},
            )
        kept = {
            k: v
            for k, v in upstream.headers.multi_items()
            if k.lower() not in _HOP_BY_HOP and k.lower() != "content-encoding"
        }
        response = Response(upstream.content, status_code=upstream.status_code)
        response.headers.update(
            {k: v for k, v in kept.items() if k.lower() != "set-cookie"}
        )
        for cookie in upstream.headers.get_list("set-cookie"):
            response.raw_headers.append((b"set-cookie", cookie.encode("latin-1")))
        return response
