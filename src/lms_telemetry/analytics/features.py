"""The features report: which features each persona uses, and how many
pseudonymous ids use them."""

from __future__ import annotations

from typing import Any

from lms_telemetry.analytics._rollup_scope import run_statement
from lms_telemetry.analytics._scope import (
    Bound,
    reject_unknown_options,
    resolve_scope,
)
from lms_telemetry.storage.base import Store


def report(
    store: Store,
    since: Bound,
    until: Bound,
    tz: str = "UTC",
    persona: str | None = None,
    interface: str | None = None,
    **options: Any,
) -> dict[str, Any]:
    """Rows ordered by persona, then events descending, then feature."""
    reject_unknown_options("features", options)
    scope = resolve_scope(since, until, tz, persona, interface)
    return {"rows": run_statement(store, "features", "rows", scope)}
