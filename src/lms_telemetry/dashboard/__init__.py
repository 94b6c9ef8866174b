"""The web dashboard: server-rendered pages over the report functions."""
