"""Simulated experiments: false positives under A/A and power under a lift.

Data are drawn with numpy in bulk (binomial counts, per-unit values), then
each simulated experiment goes through `frequentist_test` as the analysis
would send it. Seeds are fixed so a run is reproducible.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats as scipy_stats

from lms_telemetry.stats import MeanStats, ProportionStats, frequentist_test

EXPERIMENTS = 2000
ALPHA = 0.05


def _proportion_rejection_rate(
    units: int,
    control_rate: float,
    treatment_rate: float,
    experiments: int,
    seed: int,
) -> float:
    rng = np.random.default_rng(seed)
    control = rng.binomial(units, control_rate, experiments)
    treatment = rng.binomial(units, treatment_rate, experiments)
    rejected = sum(
        frequentist_test(
            ProportionStats(units, int(a)), ProportionStats(units, int(b)), alpha=ALPHA
        ).p_value
        < ALPHA
        for a, b in zip(control, treatment)
    )
    return rejected / experiments


def test_aa_proportion_false_positive_rate_is_near_alpha() -> None:
    rate = _proportion_rejection_rate(2000, 0.2, 0.2, EXPERIMENTS, seed=11)
    assert 0.035 <= rate <= 0.065


def test_aa_skewed_mean_false_positive_rate_is_near_alpha() -> None:
    rng = np.random.default_rng(12)
    values = rng.lognormal(1.0, 1.0, size=(EXPERIMENTS, 2, 400))
    sums, squares = values.sum(axis=2), (values**2).sum(axis=2)
    rejected = 0
    for experiment in range(EXPERIMENTS):
        a = MeanStats(400, float(sums[experiment, 0]), float(squares[experiment, 0]))
        b = MeanStats(400, float(sums[experiment, 1]), float(squares[experiment, 1]))
        rejected += frequentist_test(a, b).p_value < ALPHA
    assert 0.035 <= rejected / EXPERIMENTS <= 0.065


def _predicted_power(units: int, control_rate: float, lift: float) -> float:
    """Two-sided power of the relative test, Normal approximation.

    Variance of the lift by the delta method at the true rates; the test
    rejects when |lift / sd| exceeds the 1 - alpha/2 Normal quantile.
    """
    treatment_rate = control_rate * (1 + lift)
    variance = treatment_rate * (1 - treatment_rate) / (
        units * control_rate**2
    ) + control_rate * (1 - control_rate) * treatment_rate**2 / (
        units * control_rate**4
    )
    shift = lift / math.sqrt(variance)
    critical = scipy_stats.norm.ppf(1 - ALPHA / 2)
    return float(
        scipy_stats.norm.cdf(shift - critical) + scipy_stats.norm.cdf(-shift - critical)
    )


def test_five_percent_lift_found_with_predicted_power() -> None:
    units, control_rate, lift = 15000, 0.20, 0.05
    predicted = _predicted_power(units, control_rate, lift)
    # 4,000 experiments put the Monte Carlo error near 0.8 points, well
    # inside the 3-point tolerance.
    observed = _proportion_rejection_rate(
        units, control_rate, control_rate * (1 + lift), 4000, seed=13
    )

    assert 0.5 < predicted < 0.65
    assert abs(observed - predicted) <= 0.03
