"""Experiment definitions, parsed from the configuration's `[[experiments]]`.

One table per experiment:

    [[experiments]]
    key = "one-click-renewal"
    name = "One-click renewal button"
    start = 2024-05-01T00:00:00Z          # optional, like end
    variants = [{key = "control", weight = 1}, {key = "one-click", weight = 1}]
    coverage = 1.0                        # share of units in the experiment
    personas = ["patron"]                 # targeting; empty means everyone
    interfaces = ["opac"]
    primary_metric = "renewal_conversion"
    secondary_metrics = ["searches"]
    guardrails = ["server_error_rate", "search_zero_result_rate"]  # default

    [experiments.metrics.renewal_speed]   # metrics of this experiment
    kind = "mean"
    event = "item_renewed"
    value = "duration_ms"

The first variant is the control. Weights are relative and normalised to
sum to 1; `variants = ["control", "b"]` splits evenly. Metric names refer to
the experiment's own `metrics` tables or to the built-in metrics of
`experiments.metrics`. Every error names the field that broke a rule.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from lms_telemetry.experiments.assignment import HASH_VERSION
from lms_telemetry.experiments.metrics import (
    DEFAULT_GUARDRAILS,
    DefinitionError,
    MetricDefinition,
    built_in_metrics,
    catalogue_events,
    check_fields,
    check_key,
    invalid,
    parse_metric,
)

PERSONAS = ("patron", "librarian", "admin", "it", "unknown")
INTERFACES = ("opac", "staff", "kiosk", "api", "unknown")
EXPERIMENT_FIELDS = frozenset(
    {
        "key",
        "name",
        "seed",
        "variants",
        "coverage",
        "start",
        "end",
        "personas",
        "interfaces",
        "primary_metric",
        "secondary_metrics",
        "guardrails",
        "metrics",
    }
)
VARIANT_FIELDS = frozenset({"key", "weight", "name"})


@dataclass(frozen=True)
class Variant:
    key: str
    weight: float
    name: str


@dataclass(frozen=True)
class ExperimentDefinition:
    key: str
    name: str
    seed: str
    variants: tuple[Variant, ...]
    coverage: float
    start: datetime | None
    end: datetime | None
    personas: tuple[str, ...]
    interfaces: tuple[str, ...]
    primary_metric: MetricDefinition
    secondary_metrics: tuple[MetricDefinition, ...]
    guardrails: tuple[MetricDefinition, ...]

    @property
    def weights(self) -> list[float]:
        return [variant.weight for variant in self.variants]

    @property
    def control(self) -> Variant:
        return self.variants[0]

    def is_targeted(self, persona: str, interface: str) -> bool:
        """Whether a unit acting as persona on interface may be assigned."""
        return (not self.personas or persona in self.personas) and (
            not self.interfaces or interface in self.interfaces
        )

    def is_running(self, at: datetime) -> bool:
        return (self.start is None or self.start <= at) and (
            self.end is None or at < self.end
        )


def _parse_time(value: Any, field: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise invalid(field, value, "is not an RFC 3339 date-time") from None
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if not isinstance(value, datetime):
        raise invalid(field, value, "is not a date-time")
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _parse_variant(entry: Any, field: str) -> Variant:
    if isinstance(entry, str):
        entry = {"key": entry}
    if not isinstance(entry, Mapping):
        raise invalid(field, entry, "must be a key or a table")
    check_fields(entry, field, VARIANT_FIELDS)
    key = check_key(entry.get("key"), f"{field}.key")
    weight = entry.get("weight", 1)
    if (
        isinstance(weight, bool)
        or not isinstance(weight, (int, float))
        or not (math.isfinite(weight) and weight >= 0)
    ):
        raise invalid(f"{field}.weight", weight, "is not a non-negative number")
    return Variant(key, float(weight), str(entry.get("name", key)))


def _parse_variants(entries: Any, field: str) -> tuple[Variant, ...]:
    if entries is None:
        raise DefinitionError(f"{field}: is required")
    if (
        not isinstance(entries, Sequence)
        or isinstance(entries, str)
        or len(entries) < 2
    ):
        raise DefinitionError(f"{field}: must list at least two variants")
    variants = [
        _parse_variant(entry, f"{field}[{i}]") for i, entry in enumerate(entries)
    ]
    keys = [variant.key for variant in variants]
    for index, key in enumerate(keys):
        if key in keys[:index]:
            raise DefinitionError(f"{field}[{index}].key: '{key}' is used twice")
    total = math.fsum(variant.weight for variant in variants)
    if total <= 0:
        raise DefinitionError(f"{field}: weights must not all be zero")
    return tuple(Variant(v.key, v.weight / total, v.name) for v in variants)


def _parse_choices(value: Any, field: str, allowed: Sequence[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise invalid(field, value, "must be a list")
    for item in value:
        if item not in allowed:
            raise invalid(field, item, f"must be one of {', '.join(allowed)}")
    return tuple(value)


def _parse_coverage(value: Any, field: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not (0 <= value <= 1)
    ):
        raise invalid(field, value, "must be a number from 0 to 1")
    return float(value)


def _own_metrics(
    tables: Any, field: str, known_events: Collection[str]
) -> dict[str, MetricDefinition]:
    if tables is None:
        return {}
    if not isinstance(tables, Mapping):
        raise invalid(field, tables, "must be a table of metrics")
    return {
        key: parse_metric(key, table, f"{field}.{key}", known_events)
        for key, table in tables.items()
    }


def _resolve(
    names: Any, field: str, metrics: Mapping[str, MetricDefinition]
) -> tuple[MetricDefinition, ...]:
    if not isinstance(names, Sequence) or isinstance(names, str):
        raise invalid(field, names, "must be a list of metric names")
    resolved = []
    for index, name in enumerate(names):
        if not isinstance(name, str) or name not in metrics:
            raise invalid(
                f"{field}[{index}]",
                name,
                "is not a metric of this experiment nor a built-in metric",
            )
        resolved.append(metrics[name])
    return tuple(resolved)


def parse_experiment(
    table: Any, field: str = "experiment", known_events: Collection[str] | None = None
) -> ExperimentDefinition:
    """One experiment from its table; `field` prefixes error messages."""
    if not isinstance(table, Mapping):
        raise invalid(field, table, "must be a table")
    check_fields(table, field, EXPERIMENT_FIELDS)
    events = catalogue_events() if known_events is None else known_events
    key = check_key(table.get("key"), f"{field}.key")
    metrics = {
        **built_in_metrics(),
        **_own_metrics(table.get("metrics"), f"{field}.metrics", events),
    }
    if "primary_metric" not in table:
        raise DefinitionError(f"{field}.primary_metric: is required")
    primary = _resolve([table["primary_metric"]], f"{field}.primary_metric", metrics)[0]
    start = _parse_time(table.get("start"), f"{field}.start")
    end = _parse_time(table.get("end"), f"{field}.end")
    if start and end and end <= start:
        raise DefinitionError(f"{field}.end: {end.isoformat()} is not after start")
    seed = table.get("seed", key)
    if not isinstance(seed, str) or not seed:
        raise invalid(f"{field}.seed", seed, "must be a non-empty string")
    return ExperimentDefinition(
        key=key,
        name=str(table.get("name", key)),
        seed=seed,
        variants=_parse_variants(table.get("variants"), f"{field}.variants"),
        coverage=_parse_coverage(table.get("coverage", 1.0), f"{field}.coverage"),
        start=start,
        end=end,
        personas=_parse_choices(table.get("personas"), f"{field}.personas", PERSONAS),
        interfaces=_parse_choices(
            table.get("interfaces"), f"{field}.interfaces", INTERFACES
        ),
        primary_metric=primary,
        secondary_metrics=_resolve(
            table.get("secondary_metrics", []), f"{field}.secondary_metrics", metrics
        ),
        guardrails=_resolve(
            table.get("guardrails", list(DEFAULT_GUARDRAILS)),
            f"{field}.guardrails",
            metrics,
        ),
    )


def load_experiment_definitions(
    tables: Sequence[Mapping[str, Any]] | None,
    known_events: Collection[str] | None = None,
) -> list[ExperimentDefinition]:
    """All experiments of the configuration's `experiments` list."""
    if tables is None:
        return []
    if not isinstance(tables, Sequence) or isinstance(tables, str):
        raise invalid("experiments", tables, "must be a list of tables")
    definitions: list[ExperimentDefinition] = []
    for index, table in enumerate(tables):
        definition = parse_experiment(table, f"experiments[{index}]", known_events)
        if any(other.key == definition.key for other in definitions):
            raise DefinitionError(
                f"experiments[{index}].key: '{definition.key}' is used twice"
            )
        definitions.append(definition)
    return definitions


def _time_text(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def public_experiment_definition(definition: ExperimentDefinition) -> dict[str, Any]:
    """What a client needs to assign units; metrics stay on the server."""
    return {
        "key": definition.key,
        "seed": definition.seed,
        "hash_version": HASH_VERSION,
        "variants": [
            {"key": variant.key, "weight": variant.weight}
            for variant in definition.variants
        ],
        "coverage": definition.coverage,
        "start": _time_text(definition.start),
        "end": _time_text(definition.end),
        "personas": list(definition.personas),
        "interfaces": list(definition.interfaces),
    }


def public_experiment_definitions(
    definitions: Sequence[ExperimentDefinition],
) -> list[dict[str, Any]]:
    """The body of `GET /api/experiments`: every experiment, no secrets."""
    return [public_experiment_definition(definition) for definition in definitions]
