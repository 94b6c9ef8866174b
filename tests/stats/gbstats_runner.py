"""Runs GrowthBook's gbstats on JSON cases; executed in gbstats' own venv.

Reads a JSON list of cases on stdin and prints a JSON list of results. It
imports nothing from lms_telemetry: gbstats pins an old numpy, so it lives
in a separate virtual environment and only JSON crosses over.
"""

import json
import sys

from gbstats.bayesian.tests import (
    EffectBayesianABTest,
    EffectBayesianConfig,
    GaussianPrior,
)
from gbstats.frequentist.tests import (
    FrequentistConfig,
    OneSidedTreatmentGreaterTTest,
    OneSidedTreatmentLesserTTest,
    SequentialConfig,
    SequentialTwoSidedTTest,
    TwoSidedTTest,
)
from gbstats.models.statistics import (
    ProportionStatistic,
    RatioStatistic,
    RegressionAdjustedStatistic,
    SampleMeanStatistic,
)
from gbstats.utils import check_srm

FIXED_TESTS = {
    "two-sided": TwoSidedTTest,
    "greater": OneSidedTreatmentGreaterTTest,
    "less": OneSidedTreatmentLesserTTest,
}


def statistic(spec):
    kind = spec["type"]
    if kind == "proportion":
        return ProportionStatistic(n=spec["n"], sum=spec["sum"])
    if kind == "mean":
        return SampleMeanStatistic(
            n=spec["n"], sum=spec["sum"], sum_squares=spec["sum_squares"]
        )
    if kind == "ratio":
        return RatioStatistic(
            n=spec["n"],
            m_statistic=statistic(spec["numerator"]),
            d_statistic=statistic(spec["denominator"]),
            m_d_sum_of_products=spec["cross"],
        )
    return RegressionAdjustedStatistic(
        n=spec["n"],
        post_statistic=statistic(spec["post"]),
        pre_statistic=statistic(spec["pre"]),
        post_pre_sum_of_products=spec["cross"],
        theta=0,
    )


def frequentist(case):
    a, b = statistic(case["control"]), statistic(case["treatment"])
    common = {"difference_type": case["difference"], "alpha": case["alpha"]}
    if case.get("sequential_tuning"):
        config = SequentialConfig(
            **common, sequential_tuning_parameter=case["sequential_tuning"]
        )
        result = SequentialTwoSidedTTest(a, b, config).compute_result()
    else:
        test = FIXED_TESTS[case["alternative"]]
        result = test(a, b, FrequentistConfig(**common)).compute_result()
    return {
        "effect": result.expected,
        "ci": list(result.ci),
        "effect_stddev": result.uplift.stddev,
        "p_value": result.p_value,
        "error": result.error_message,
    }


def bayesian(case):
    a, b = statistic(case["control"]), statistic(case["treatment"])
    prior = case.get("prior")
    config = EffectBayesianConfig(
        difference_type=case["difference"],
        prior_type=case["difference"],
        prior_effect=GaussianPrior(
            mean=prior["mean"] if prior else 0,
            variance=prior["variance"] if prior else 1,
            proper=prior is not None,
        ),
    )
    result = EffectBayesianABTest(a, b, config).compute_result()
    return {
        "effect": result.expected,
        "ci": list(result.ci),
        "effect_stddev": result.uplift.stddev,
        "chance_to_win": result.chance_to_win,
        "risk": list(result.risk),
        "error": result.error_message,
    }


def run(case):
    kind = case["kind"]
    if kind == "frequentist":
        return frequentist(case)
    if kind == "bayesian":
        return bayesian(case)
    if kind == "risk":
        return list(EffectBayesianABTest.get_risk(case["mu"], case["sigma"]))
    if kind == "srm":
        return float(check_srm(case["units"], case["weights"]))
    raise ValueError(f"unknown case kind {kind!r}")


def to_float(value):
    return float(value) if value is not None else None


if __name__ == "__main__":
    cases = json.load(sys.stdin)
    json.dump([run(case) for case in cases], sys.stdout, default=to_float)
