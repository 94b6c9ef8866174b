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


# What the statistics' error codes mean, for people reading the page.
LIFT_ERROR_TEXTS = {
    "NO_UNITS_IN_VARIANT": "no units were exposed to one of the variants yet",
    "ZERO_NEGATIVE_VARIANCE": "every unit has the same value, so there is no"
    " spread to compare",
    "ZERO_CONTROL_MEAN": "the control's value is zero, so a relative lift"
    " cannot be computed",
}


def lift_error_text(code: str) -> str:
    """A short sentence for a lift's error code; unknown codes stay as given."""
    return LIFT_ERROR_TEXTS.get(code, code)


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
                "lift_error": _lift_error(variant["lift"]),
                "bayesian": variant_b["lift"],
            })
    return rows


def readable_verdict(verdict: str) -> str:
    """The verdict line with its error codes, given in brackets, as sentences."""
    # TODO: experiments.verdict writes the raw codes, which the CLI and API
    # show too; the sentences belong there once that module can change.
    for code, text in LIFT_ERROR_TEXTS.items():
        verdict = verdict.replace(f"({code})", f"({text})")
    return verdict


def _lift_error(lift: dict[str, Any] | None) -> str | None:
    if lift is None or lift["error"] is None:
        return None
    return lift_error_text(lift["error"])


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
        frequentist["verdict"] = readable_verdict(frequentist["verdict"])
        experiments.append({
            "result": frequentist,
            "rows": metric_rows(frequentist, bayesian),
            "charts": experiment_charts(index, frequentist),
        })
    return {"experiments": experiments}
