"""Python SDK for LMS back ends: a batching client and ASGI/WSGI middleware."""
