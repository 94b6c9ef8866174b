"""Experiment metrics: what is counted per unit after its first exposure.

Four kinds, each over the unit's events from its first exposure on:

- conversion: did the unit do the event at least once (0 or 1);
- count: how many times it did the event (0 for units that never did);
- mean: the average of a numeric column over the unit's matching events,
  over units that have at least one (e.g. search latency);
- ratio: events matching the numerator over events matching the
  denominator, summed over units (e.g. clicked searches per search).

An event selector names an event and optional conditions on typed columns
of the `events` table, e.g. `{event = "item_renewed", where = {outcome =
"success"}}` or `where = {status = {">=" = 500}}`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

METRIC_KINDS = ("conversion", "count", "mean", "ratio")
OPERATORS = ("=", "!=", ">", ">=", "<", "<=")
# Typed columns of the events table a condition may test.
FILTER_COLUMNS = frozenset(
    {
        "outcome",
        "reason",
        "mode",
        "status",
        "results_count",
        "latency_ms",
        "duration_ms",
        "item_id",
        "position",
        "endpoint",
        "method",
        "feature",
        "persona",
        "interface",
        "page_path",
        "metric_name",
        "metric_value",
        "error_type",
        "query_normalized",
        "browser_family",
        "device_class",
    }
)
NUMERIC_COLUMNS = frozenset(
    {
        "latency_ms",
        "duration_ms",
        "results_count",
        "position",
        "metric_value",
    }
)
_SELECTOR_FIELDS = frozenset({"event", "where"})
_COMMON_METRIC_FIELDS = frozenset({"kind", "name", "higher_is_better"})
# Fields a metric table may hold, by kind; a selector's fields come on top
# for the kinds whose table is itself the selector.
_METRIC_FIELDS = {
    "conversion": _COMMON_METRIC_FIELDS | _SELECTOR_FIELDS,
    "count": _COMMON_METRIC_FIELDS | _SELECTOR_FIELDS,
    "mean": _COMMON_METRIC_FIELDS | _SELECTOR_FIELDS | {"value"},
    "ratio": _COMMON_METRIC_FIELDS | {"numerator", "denominator"},
}
_KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


class DefinitionError(ValueError):
    """An experiment or metric definition that breaks a rule; names the field."""


def shown(value: Any) -> str:
    """A value as a message quotes it: text in quotes, containers by kind."""
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, (list, tuple)):
        return "a list"
    return f"a value of type {type(value).__name__}"


def invalid(field: str, value: Any, rule: str) -> DefinitionError:
    """The error for ``value`` at ``field`` breaking ``rule``; None is missing."""
    if value is None:
        return DefinitionError(f"{field}: is required")
    return DefinitionError(f"{field}: {shown(value)} {rule}")


def check_fields(table: Mapping[str, Any], field: str, known: Collection[str]) -> None:
    """Refuse a table with a field outside ``known``; a typo must not pass."""
    for name in table:
        if name not in known:
            raise DefinitionError(f"{field}.{name}: is not a known field")


@dataclass(frozen=True)
class Condition:
    column: str
    operator: str
    value: str | int | float | bool


@dataclass(frozen=True)
class EventSelector:
    event: str
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class MetricDefinition:
    key: str
    kind: str
    selector: EventSelector
    denominator: EventSelector | None = None
    value_column: str | None = None
    is_higher_better: bool = True
    name: str = ""


@cache
def catalogue_events() -> frozenset[str]:
    """Event names of the schema's catalogue."""
    schema = resources.files("lms_telemetry.schema") / "telemetry_schema.json"
    return frozenset(json.loads(schema.read_text(encoding="utf-8"))["x-events"])


def check_key(value: Any, field: str) -> str:
    if not isinstance(value, str) or not _KEY_PATTERN.match(value):
        raise invalid(
            field,
            value,
            "must match a key: lower-case letters, digits, '_', '-', '.';"
            " at most 64 characters",
        )
    return value


def _parse_condition(column: str, rule: Any, field: str) -> Condition:
    if column not in FILTER_COLUMNS:
        raise DefinitionError(
            f"{field}: column '{column}' cannot be filtered; use one of"
            f" {', '.join(sorted(FILTER_COLUMNS))}"
        )
    operator, value = "=", rule
    if isinstance(rule, Mapping):
        if len(rule) != 1 or next(iter(rule)) not in OPERATORS:
            raise DefinitionError(
                f"{field}: must be one operator of {', '.join(OPERATORS)}"
                " with its value"
            )
        operator, value = next(iter(rule.items()))
    if not isinstance(value, (str, int, float, bool)):
        raise invalid(field, value, "is not a string or number")
    return Condition(column, operator, value)


def parse_selector(
    table: Any,
    field: str,
    known_events: Collection[str],
    extra_fields: frozenset[str] = frozenset(),
) -> EventSelector:
    """An event selector from `{event = ..., where = {...}}`.

    ``extra_fields`` are the other fields allowed in the same table, as when
    a metric's own table is its selector.
    """
    if not isinstance(table, Mapping):
        raise invalid(field, table, "must be a table with 'event'")
    event = table.get("event")
    if event not in known_events:
        raise invalid(f"{field}.event", event, "is not a known event name")
    check_fields(table, field, _SELECTOR_FIELDS | extra_fields)
    where = table.get("where", {})
    if not isinstance(where, Mapping):
        raise invalid(f"{field}.where", where, "must be a table")
    conditions = tuple(
        _parse_condition(column, rule, f"{field}.where.{column}")
        for column, rule in where.items()
    )
    return EventSelector(str(event), conditions)


def parse_metric(
    key: str, table: Any, field: str, known_events: Collection[str]
) -> MetricDefinition:
    """A metric from its TOML table; `field` names it in error messages."""
    check_key(key, field)
    if not isinstance(table, Mapping):
        raise invalid(field, table, "must be a table")
    kind = table.get("kind")
    if kind not in METRIC_KINDS:
        raise invalid(
            f"{field}.kind", kind, f"must be one of {', '.join(METRIC_KINDS)}"
        )
    check_fields(table, field, _METRIC_FIELDS[kind])
    is_higher_better = table.get("higher_is_better", True)
    if not isinstance(is_higher_better, bool):
        raise invalid(
            f"{field}.higher_is_better", is_higher_better, "is not true or false"
        )
    name = str(table.get("name", key))

    if kind == "ratio":
        numerator = parse_selector(
            table.get("numerator"), f"{field}.numerator", known_events
        )
        denominator = parse_selector(
            table.get("denominator"), f"{field}.denominator", known_events
        )
        return MetricDefinition(
            key, kind, numerator, denominator, None, is_higher_better, name
        )
    selector = parse_selector(table, field, known_events, _METRIC_FIELDS[kind])
    value_column = None
    if kind == "mean":
        value_column = table.get("value")
        if value_column not in NUMERIC_COLUMNS:
            raise invalid(
                f"{field}.value",
                value_column,
                f"must be one of {', '.join(sorted(NUMERIC_COLUMNS))}",
            )
    return MetricDefinition(
        key, kind, selector, None, value_column, is_higher_better, name
    )


_BUILT_IN_TABLES: dict[str, dict[str, Any]] = {
    "server_error_rate": {
        "kind": "ratio",
        "name": "Server error rate",
        "higher_is_better": False,
        "numerator": {"event": "api_request", "where": {"status": {">=": 500}}},
        "denominator": {"event": "api_request"},
    },
    "search_zero_result_rate": {
        "kind": "ratio",
        "name": "Search zero-result rate",
        "higher_is_better": False,
        "numerator": {"event": "search_submitted", "where": {"results_count": 0}},
        "denominator": {"event": "search_submitted"},
    },
    "searches": {
        "kind": "count",
        "name": "Searches per unit",
        "event": "search_submitted",
    },
    "search_click_through": {
        "kind": "ratio",
        "name": "Result clicks per search",
        "numerator": {"event": "result_clicked"},
        "denominator": {"event": "search_submitted"},
    },
    "borrow_conversion": {
        "kind": "conversion",
        "name": "Borrowed an item",
        "event": "item_borrowed",
        "where": {"outcome": "success"},
    },
    "renewal_conversion": {
        "kind": "conversion",
        "name": "Renewed an item",
        "event": "item_renewed",
        "where": {"outcome": "success"},
    },
    "hold_conversion": {
        "kind": "conversion",
        "name": "Placed a hold",
        "event": "hold_placed",
        "where": {"outcome": "success"},
    },
}
DEFAULT_GUARDRAILS = ("server_error_rate", "search_zero_result_rate")


@cache
def built_in_metrics() -> dict[str, MetricDefinition]:
    """Metrics every experiment may name without defining them."""
    events = catalogue_events()
    return {
        key: parse_metric(key, table, f"built-in metric {key}", events)
        for key, table in _BUILT_IN_TABLES.items()
    }
