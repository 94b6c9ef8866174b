"""SQL that turns stored events into per-variant sums for one experiment.

The unit is the pseudonymous id. A unit belongs to the variant named in its
`experiment_exposure` events and is counted from its first exposure; a unit
exposed to more than one variant is left out (and counted), and so are
bot-flagged events. Metrics aggregate each unit's events from its first
exposure up to the experiment's end, then sum over the units of a variant:
the engines only ever need n, sums, sums of squares and cross products.

Written for DuckDB's dialect, the default store.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lms_telemetry.experiments.metrics import EventSelector, MetricDefinition

# Exposures of one experiment, human traffic only, one row per unit.
# Parameters: experiment key, start, end (NULL for unbounded ends).
_EXPOSURES = """
exposures AS (
    SELECT pseudonymous_id AS unit,
           json_extract_string(payload, '$.variant') AS variant,
           event_time, is_bot
    FROM events
    WHERE event = 'experiment_exposure'
      AND json_extract_string(payload, '$.experiment') = ?
      AND pseudonymous_id IS NOT NULL
      AND (?::TIMESTAMPTZ IS NULL OR event_time >= ?::TIMESTAMPTZ)
      AND (?::TIMESTAMPTZ IS NULL OR event_time < ?::TIMESTAMPTZ)
),
units AS (
    SELECT unit, count(DISTINCT variant) AS variant_count,
           min(variant) AS variant, min(event_time) AS first_exposure
    FROM exposures WHERE NOT is_bot
    GROUP BY unit
)"""

EXPOSURE_COUNTS_SQL = f"""
WITH {_EXPOSURES},
bot_units AS (
    SELECT DISTINCT unit FROM exposures WHERE is_bot
    EXCEPT SELECT unit FROM units
)
SELECT 'single' AS kind, variant, count(*) AS units
FROM units WHERE variant_count = 1 GROUP BY variant
UNION ALL
SELECT 'multiple', e.variant, count(DISTINCT e.unit)
FROM exposures e JOIN units u USING (unit)
WHERE u.variant_count > 1 AND NOT e.is_bot GROUP BY e.variant
UNION ALL
SELECT 'multiple_total', NULL, count(*) FROM units WHERE variant_count > 1
UNION ALL
SELECT 'bot', NULL, count(*) FROM bot_units
"""


def exposure_parameters(
    experiment_key: str, start: datetime | None, end: datetime | None
) -> list[Any]:
    return [experiment_key, start, start, end, end]


def _predicate(selector: EventSelector, parameters: list[Any]) -> str:
    parts = ["e.event = ?"]
    parameters.append(selector.event)
    for condition in selector.conditions:
        # Column names and operators were checked against fixed lists when
        # the metric was parsed; only values travel as parameters.
        parts.append(f'e."{condition.column}" {condition.operator} ?')
        parameters.append(condition.value)
    return "(" + " AND ".join(parts) + ")"


def _per_unit_columns(metric: MetricDefinition) -> tuple[str, list[Any]]:
    """SELECT list of per-unit values x (and y for ratios) with its parameters."""
    if metric.kind == "ratio":
        assert metric.denominator is not None
        parameters: list[Any] = []
        main = _predicate(metric.selector, parameters)
        denominator = _predicate(metric.denominator, parameters)
        columns = (
            f"count(e.event_id) FILTER (WHERE {main}) AS x, "
            f"count(e.event_id) FILTER (WHERE {denominator}) AS y"
        )
        return columns, parameters
    if metric.kind == "conversion":
        return "(count(e.event_id) > 0)::INTEGER AS x, 0 AS y", []
    if metric.kind == "count":
        return "count(e.event_id) AS x, 0 AS y", []
    return f'avg(e."{metric.value_column}") AS x, 0 AS y', []


def _join_filter(metric: MetricDefinition) -> tuple[str, list[Any]]:
    """Which of the unit's events the metric looks at, with its parameters."""
    parameters: list[Any] = []
    main = _predicate(metric.selector, parameters)
    if metric.denominator is None:
        return main, parameters
    return f"({main} OR {_predicate(metric.denominator, parameters)})", parameters


def metric_sums_query(
    metric: MetricDefinition,
    experiment_key: str,
    start: datetime | None,
    end: datetime | None,
) -> tuple[str, list[Any]]:
    """Per variant: units with a value, sums and sums of squares of x and y,
    and the sum of x*y, over the units of the variant."""
    parameters = exposure_parameters(experiment_key, start, end)
    columns, select_parameters = _per_unit_columns(metric)
    join_filter, join_parameters = _join_filter(metric)
    sql = f"""
WITH {_EXPOSURES},
per_unit AS (
    SELECT u.variant, u.unit, {columns}
    FROM units u
    LEFT JOIN events e
      ON e.pseudonymous_id = u.unit
     AND NOT e.is_bot
     AND e.event_time >= u.first_exposure
     AND (?::TIMESTAMPTZ IS NULL OR e.event_time < ?::TIMESTAMPTZ)
     AND {join_filter}
    WHERE u.variant_count = 1
    GROUP BY u.variant, u.unit
)
SELECT variant, count(x) AS n,
       coalesce(sum(x), 0)::DOUBLE AS sum_x,
       coalesce(sum(x * x), 0)::DOUBLE AS sum_x2,
       coalesce(sum(y), 0)::DOUBLE AS sum_y,
       coalesce(sum(y * y), 0)::DOUBLE AS sum_y2,
       coalesce(sum(x * y), 0)::DOUBLE AS sum_xy
FROM per_unit GROUP BY variant
"""
    parameters += select_parameters + [end, end] + join_parameters
    return sql, parameters
