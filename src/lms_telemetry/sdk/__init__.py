"""Python SDK for LMS back ends: a batching client and ASGI/WSGI middleware.

client = TelemetryClient("http://telemetry.example/api/telemetry", "key")
app.add_middleware(TelemetryMiddleware, client=client)   # Starlette
instrument_flask(flask_app, client)                       # Flask
client.track("feature_used", {"feature": "bulk_checkout"}, persona="librarian")
"""

from lms_telemetry.sdk._transport import RetryPolicy
from lms_telemetry.sdk.asgi import TelemetryMiddleware
from lms_telemetry.sdk.client import TelemetryClient
from lms_telemetry.sdk.wsgi import TelemetryWSGIMiddleware, instrument_flask

__all__ = [
    "RetryPolicy",
    "TelemetryClient",
    "TelemetryMiddleware",
    "TelemetryWSGIMiddleware",
    "instrument_flask",
]
