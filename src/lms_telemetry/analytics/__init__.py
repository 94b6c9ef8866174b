"""Reports: one module per report, each with its SQL beside it.

Every report is `report(store, since, until, tz="UTC", persona=None,
interface=None, **options) -> dict` and follows the definitions of
ARCHITECTURE.md ("Definitions every report uses"). `run_report` finds a report
by name and fills options that come from the configuration.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lms_telemetry.analytics import (
    content,
    errors,
    features,
    funnels,
    overview,
    performance,
    search,
    sessions,
)
from lms_telemetry.analytics._scope import Bound, ReportError
from lms_telemetry.storage.base import Store

__all__ = ["REPORTS", "ReportError", "options_from_config", "run_report"]

REPORTS: dict[str, Callable[..., dict[str, Any]]] = {
    "overview": overview.report,
    "features": features.report,
    "funnels": funnels.report,
    "search": search.report,
    "sessions": sessions.report,
    "content": content.report,
    "performance": performance.report,
    "errors": errors.report,
}

# Which configuration setting gives which report option its default.
_CONFIG_OPTIONS: dict[str, dict[str, str]] = {
    "search": {"min_ids": "privacy.min_ids"},
    "errors": {"min_ids": "privacy.min_ids"},
    "funnels": {"funnels": "reports.funnels"},
    "content": {"catalog": "reports.catalog"},
}


def options_from_config(name: str, config: Any) -> dict[str, Any]:
    """The options report NAME takes from CONFIG (a `Config` or a mapping)."""
    return {
        option: config.get(setting)
        for option, setting in _CONFIG_OPTIONS.get(name, {}).items()
        if config.get(setting) not in (None, "", [])
    }


def run_report(
    name: str,
    store: Store,
    since: Bound,
    until: Bound,
    tz: str = "UTC",
    persona: str | None = None,
    interface: str | None = None,
    config: Any = None,
    **options: Any,
) -> dict[str, Any]:
    """Run report NAME; options given here win over those from CONFIG."""
    if name not in REPORTS:
        raise ReportError(
            "name",
            f"Report {name!r} does not exist; choose one of {', '.join(REPORTS)}",
        )
    given = {key: value for key, value in options.items() if value is not None}
    merged = (options_from_config(name, config) if config is not None else {}) | given
    return REPORTS[name](store, since, until, tz, persona, interface, **merged)
