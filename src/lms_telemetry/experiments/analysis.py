"""Analysis of one experiment: exposures, metrics, tests, split check, verdict.

`analyze_experiment(store, definition)` reads the sums per variant with SQL
(see `_queries`), runs each metric of each treatment variant against the
control with the chosen engine, checks the split against the weights (SRM)
and applies Holm's correction across all frequentist comparisons of the
experiment. The result is a JSON-ready dict (unbounded interval ends are
None) whose "verdict" is one plain-language line.

Targeting is applied by the clients at assignment; the analysis takes the
exposures as recorded.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from lms_telemetry.experiments import _queries
from lms_telemetry.experiments.definitions import ExperimentDefinition
from lms_telemetry.experiments.metrics import MetricDefinition
from lms_telemetry.experiments.verdict import verdict_line
from lms_telemetry.stats import (
    SRM_P_VALUE_THRESHOLD,
    GaussianPrior,
    MeanStats,
    ProportionStats,
    RatioStats,
    bayesian_test,
    frequentist_test,
    holm_adjusted_p_values,
    is_sample_ratio_mismatch,
    srm_p_value,
)
from lms_telemetry.stats.models import VariantStats

# What the SQL yields per variant.
# TODO: no CUPED in the analysis yet; the SQL does not sum pre-exposure values.
PlainStats = MeanStats | ProportionStats | RatioStats
from lms_telemetry.storage.base import Store

logger = logging.getLogger(__name__)

ENGINES = ("frequentist", "bayesian")


class UnknownExperimentError(LookupError):
    """No experiment definition has the requested key."""


def find_experiment_definition(
    definitions: Sequence[ExperimentDefinition], key: str
) -> ExperimentDefinition:
    for definition in definitions:
        if definition.key == key:
            return definition
    raise UnknownExperimentError(f"No experiment has the key {key!r}")


def _finite(value: float) -> float | None:
    return value if value not in (float("inf"), float("-inf")) else None


def _exposure_counts(store: Store, definition: ExperimentDefinition) -> dict[str, Any]:
    parameters = _queries.exposure_parameters(
        definition.key, definition.start, definition.end
    )
    rows = store.query(_queries.EXPOSURE_COUNTS_SQL, parameters).rows
    single = {variant: int(units) for kind, variant, units in rows if kind == "single"}
    multiple = {v: int(units) for kind, v, units in rows if kind == "multiple"}
    totals = {
        kind: int(units) for kind, _, units in rows if kind.endswith(("_total", "bot"))
    }
    keys = [variant.key for variant in definition.variants]
    return {
        "units": [single.get(key, 0) for key in keys],
        "multiple": [multiple.get(key, 0) for key in keys],
        "multiple_total": totals.get("multiple_total", 0),
        "bots": totals.get("bot", 0),
        "unknown": sum(units for key, units in single.items() if key not in keys),
    }


def _variant_stats(metric: MetricDefinition, row: dict[str, Any]) -> PlainStats:
    n = int(row["n"])
    if metric.kind == "conversion":
        return ProportionStats(n, round(row["sum_x"]))
    x = MeanStats(n, row["sum_x"], row["sum_x2"])
    if metric.kind != "ratio":
        return x
    y = MeanStats(n, row["sum_y"], row["sum_y2"])
    return RatioStats(n, x, y, row["sum_xy"])


def _metric_stats(
    store: Store, definition: ExperimentDefinition, metric: MetricDefinition
) -> list[PlainStats]:
    sql, parameters = _queries.metric_sums_query(
        metric, definition.key, definition.start, definition.end
    )
    rows = {row["variant"]: row for row in store.query(sql, parameters).dicts()}
    empty = {
        "n": 0,
        "sum_x": 0.0,
        "sum_x2": 0.0,
        "sum_y": 0.0,
        "sum_y2": 0.0,
        "sum_xy": 0.0,
    }
    return [
        _variant_stats(metric, rows.get(variant.key, empty))
        for variant in definition.variants
    ]


def _compare(
    control: VariantStats,
    treatment: VariantStats,
    options: dict[str, Any],
) -> dict[str, Any]:
    if options["engine"] == "bayesian":
        posterior = bayesian_test(
            control,
            treatment,
            options["difference"],
            options["prior"],
            options["alpha"],
        )
        return {
            "effect": posterior.effect,
            "ci": [_finite(end) for end in posterior.ci],
            "effect_stddev": posterior.effect_stddev,
            "chance_to_win": posterior.chance_to_win,
            "risk": {"control": posterior.risk[0], "treatment": posterior.risk[1]},
            "error": posterior.error,
        }
    result = frequentist_test(
        control,
        treatment,
        options["difference"],
        options["alpha"],
        sequential_tuning=options["sequential_tuning"],
    )
    return {
        "effect": result.effect,
        "ci": [_finite(end) for end in result.ci],
        "effect_stddev": result.effect_stddev,
        "p_value": result.p_value,
        "adjusted_p_value": None,
        "error": result.error,
    }


def _metric_result(
    definition: ExperimentDefinition,
    metric: MetricDefinition,
    role: str,
    stats: list[PlainStats],
    options: dict[str, Any],
) -> dict[str, Any]:
    variants = []
    for index, (variant, variant_stats) in enumerate(zip(definition.variants, stats)):
        entry: dict[str, Any] = {
            "variant": variant.key,
            "units": variant_stats.n,
            "value": variant_stats.mean if variant_stats.n else None,
            "lift": None,
        }
        if index > 0:
            entry["lift"] = _compare(stats[0], variant_stats, options)
        variants.append(entry)
    return {
        "key": metric.key,
        "name": metric.name,
        "kind": metric.kind,
        "role": role,
        "higher_is_better": metric.is_higher_better,
        "variants": variants,
    }


def _apply_holm(metrics: list[dict[str, Any]], alpha: float) -> None:
    lifts = [
        variant["lift"]
        for metric in metrics
        for variant in metric["variants"]
        if variant["lift"] is not None and variant["lift"]["error"] is None
    ]
    adjusted = holm_adjusted_p_values([lift["p_value"] for lift in lifts])
    for lift, p_value in zip(lifts, adjusted):
        lift["adjusted_p_value"] = p_value
    for metric in metrics:
        for variant in metric["variants"]:
            if variant["lift"] is not None and "p_value" in variant["lift"]:
                adjusted_p = variant["lift"]["adjusted_p_value"]
                variant["lift"]["is_significant"] = (
                    adjusted_p is not None and adjusted_p < alpha
                )


def _srm(definition: ExperimentDefinition, units: list[int]) -> dict[str, Any]:
    p_value = srm_p_value(units, definition.weights)
    is_mismatch = is_sample_ratio_mismatch(p_value)
    warning = None
    if is_mismatch:
        warning = (
            f"Sample ratio mismatch: units per variant {units} do not match the"
            f" weights (p = {p_value:.2g}); the results cannot be trusted"
        )
        logger.warning(
            "sample ratio mismatch in experiment %s (p=%.3g)", definition.key, p_value
        )
    return {
        "p_value": p_value,
        "is_mismatch": is_mismatch,
        "threshold": SRM_P_VALUE_THRESHOLD,
        "warning": warning,
    }


def _check_options(engine: str, alpha: float) -> None:
    if engine not in ENGINES:
        raise ValueError(f"engine {engine!r} must be one of {', '.join(ENGINES)}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha {alpha!r} must be between 0 and 1")


def analyze_experiment(
    store: Store,
    definition: ExperimentDefinition,
    engine: str = "frequentist",
    difference: str = "relative",
    alpha: float = 0.05,
    sequential_tuning: float | None = None,
    prior: GaussianPrior | None = None,
) -> dict[str, Any]:
    """Results of every metric of the experiment, the split check and a verdict."""
    _check_options(engine, alpha)
    options = {
        "engine": engine,
        "difference": difference,
        "alpha": alpha,
        "sequential_tuning": sequential_tuning,
        "prior": prior,
    }
    exposures = _exposure_counts(store, definition)
    roles = [("primary", definition.primary_metric)]
    roles += [("secondary", metric) for metric in definition.secondary_metrics]
    roles += [("guardrail", metric) for metric in definition.guardrails]

    metrics = [
        _metric_result(
            definition, metric, role, _metric_stats(store, definition, metric), options
        )
        for role, metric in roles
    ]
    if engine == "frequentist":
        _apply_holm(metrics, alpha)
    result = {
        "experiment": definition.key,
        "name": definition.name,
        "engine": engine,
        "difference": difference,
        "alpha": alpha,
        "sequential": sequential_tuning is not None,
        "control": definition.control.key,
        "units": {
            "analysed": sum(exposures["units"]),
            "in_multiple_variants": exposures["multiple_total"],
            "bots_excluded": exposures["bots"],
            "unknown_variant": exposures["unknown"],
        },
        "variants": [
            {
                "key": variant.key,
                "name": variant.name,
                "weight": variant.weight,
                "units": units,
                "units_in_multiple_variants": multiple,
            }
            for variant, units, multiple in zip(
                definition.variants, exposures["units"], exposures["multiple"]
            )
        ],
        "srm": _srm(definition, exposures["units"]),
        "metrics": metrics,
    }
    result["verdict"] = verdict_line(result)
    return result
