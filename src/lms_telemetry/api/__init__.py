"""ASGI application: ingestion routes, query routes, authentication and CORS."""
