"""The Experiments page: each configured experiment as the analysis gives it.

Every figure comes from `experiments.analysis.analyze_experiment`, the same
function behind the CLI and the API; the page shows both engines side by side
(frequentist lift, interval and Holm-adjusted p-value; Bayesian chance to win
and risk) and never computes a statistic of its own. Experiments carry their
own period, so the report filters do not apply here.
"""

from __future__ import annotations

import logging
from typing import Any

from lms_telemetry.config import Config
from lms_telemetry.dashboard.charts import Chart, Series, chart_from_rows
from lms_telemetry.dashboard.filters import ReportFilters
from lms_telemetry.storage.base import Store

logger = logging.getLogger(__name__)


def load_definitions(store: Store, config: Config) -> list[Any]:
    """The configured and the stored experiments, as the API lists them."""
    from lms_telemetry.experiments.registry import all_definitions
    from lms_telemetry.schema import EventSchema

    return all_definitions(store, config, EventSchema.load(config["schema_extensions"]))


def metric_rows(
    frequentist: dict[str, Any], bayesian: dict[str, Any]
) -> list[dict[str, Any]]:
    """One row per metric and variant, joining the two engines' answers."""
    rows = []
    for metric, metric_b in zip(frequentist["metrics"], bayesian["metrics"]):
        for variant, variant_b in zip(metric["variants"], metric_b["variants"]):
            rows.append({
                "metric": metric["name"],
                "metric_key": metric["key"],
                "role": metric["role"],
                "variant": variant["variant"],
                "units": variant["units"],
                "value": variant["value"],
                "lift": variant["lift"],
                "bayesian": variant_b["lift"],
            })
    return rows


def experiment_charts(index: int, result: dict[str, Any]) -> list[Chart]:
    primary = result["metrics"][0]
    return [
        chart_from_rows(
            f"experiment-{index}-units", "Units exposed per variant", "bar",
            result["variants"], "key", [("units", "Units")], "Variant",
        ),
        Chart(
            f"experiment-{index}-primary", f"Primary metric: {primary['name']}",
            "bar", [variant["variant"] for variant in primary["variants"]],
            [Series(primary["name"], [v["value"] for v in primary["variants"]])],
            label_heading="Variant",
        ),
    ]


def experiments_context(
    store: Store, filters: ReportFilters, config: Config
) -> dict[str, Any]:
    from lms_telemetry.experiments.analysis import analyze_experiment

    experiments = []
    for index, definition in enumerate(load_definitions(store, config)):
        frequentist = analyze_experiment(store, definition, engine="frequentist")
        bayesian = analyze_experiment(store, definition, engine="bayesian")
        experiments.append({
            "result": frequentist,
            "rows": metric_rows(frequentist, bayesian),
            "charts": experiment_charts(index, frequentist),
        })
    return {"experiments": experiments}
