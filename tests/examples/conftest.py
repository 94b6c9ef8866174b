"""Fixtures shared with the SDK tests: the capturing telemetry endpoint."""

from tests.sdk.conftest import receiver

__all__ = ["receiver"]
