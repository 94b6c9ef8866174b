"""frequentist_test against gbstats 0.8.0, scipy's Welch test and the formulas.

Reference values come from GrowthBook's gbstats run in its own venv (see
conftest.py); where that release departs from the textbook formula the test
says why and checks the formula instead.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from scipy import stats as scipy_stats

from lms_telemetry.stats import (
    NO_UNITS_IN_VARIANT,
    ZERO_CONTROL_MEAN,
    ZERO_NEGATIVE_VARIANCE,
    MeanStats,
    ProportionStats,
    RatioStats,
    StatsError,
    frequentist_test,
)
from lms_telemetry.stats.models import VariantStats
from tests.stats.conftest import RunGbstats
from tests.stats.reference import assert_close, mean_stats, spec

RNG = np.random.default_rng(20240501)
SEARCHES_A = RNG.poisson(3.0, 800).astype(float)
SEARCHES_B = RNG.poisson(3.3, 760).astype(float)
LATENCY_A = RNG.gamma(2.0, 150.0, 300)
LATENCY_B = RNG.gamma(2.2, 140.0, 420)
CLICKS_A = RNG.binomial(SEARCHES_A.astype(int), 0.30).astype(float)
CLICKS_B = RNG.binomial(SEARCHES_B.astype(int), 0.34).astype(float)


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> RatioStats:
    return RatioStats(
        len(numerator),
        mean_stats(numerator.tolist()),
        mean_stats(denominator.tolist()),
        float(np.sum(numerator * denominator)),
    )


CONVERSIONS = (ProportionStats(4000, 800), ProportionStats(4100, 902))
SEARCHES = (mean_stats(SEARCHES_A.tolist()), mean_stats(SEARCHES_B.tolist()))
LATENCY = (mean_stats(LATENCY_A.tolist()), mean_stats(LATENCY_B.tolist()))
CLICKS_PER_SEARCH = (_ratio(CLICKS_A, SEARCHES_A), _ratio(CLICKS_B, SEARCHES_B))
SMALL = (ProportionStats(40, 9), ProportionStats(38, 14))

# (id, control, treatment, difference, alpha, alternative, sequential_tuning)
AGREEING_CASES: list[
    tuple[str, VariantStats, VariantStats, str, float, str, float | None]
] = [
    (
        "proportion-relative-two-sided",
        *CONVERSIONS,
        "relative",
        0.05,
        "two-sided",
        None,
    ),
    (
        "proportion-absolute-two-sided",
        *CONVERSIONS,
        "absolute",
        0.05,
        "two-sided",
        None,
    ),
    ("mean-relative-two-sided", *SEARCHES, "relative", 0.05, "two-sided", None),
    ("mean-absolute-two-sided-alpha-0.1", *LATENCY, "absolute", 0.1, "two-sided", None),
    (
        "ratio-relative-two-sided",
        *CLICKS_PER_SEARCH,
        "relative",
        0.05,
        "two-sided",
        None,
    ),
    (
        "small-proportion-relative-two-sided",
        *SMALL,
        "relative",
        0.05,
        "two-sided",
        None,
    ),
    ("proportion-relative-greater", *CONVERSIONS, "relative", 0.05, "greater", None),
    ("mean-absolute-greater", *LATENCY, "absolute", 0.05, "greater", None),
    (
        "proportion-relative-sequential",
        *CONVERSIONS,
        "relative",
        0.05,
        "two-sided",
        5000,
    ),
    ("mean-absolute-sequential", *SEARCHES, "absolute", 0.05, "two-sided", 20000),
    ("small-sequential-alpha-0.1", *SMALL, "relative", 0.1, "two-sided", 1000),
]


def _case(
    control: VariantStats,
    treatment: VariantStats,
    difference: str,
    alpha: float,
    alternative: str,
    tuning: float | None,
) -> dict[str, Any]:
    return {
        "kind": "frequentist",
        "control": spec(control),
        "treatment": spec(treatment),
        "difference": difference,
        "alpha": alpha,
        "alternative": alternative,
        "sequential_tuning": tuning,
    }


@pytest.fixture(scope="module")
def reference(gbstats: RunGbstats) -> dict[str, Any]:
    cases = {case[0]: _case(*case[1:]) for case in AGREEING_CASES}
    cases["less-relative"] = _case(*CONVERSIONS, "relative", 0.05, "less", None)
    cases["less-absolute"] = _case(*LATENCY, "absolute", 0.05, "less", None)
    cases["zero-variance"] = _case(
        ProportionStats(100, 0),
        ProportionStats(100, 0),
        "relative",
        0.05,
        "two-sided",
        None,
    )
    cases["zero-control-absolute"] = _case(
        MeanStats(50, 0.0, 10.0),
        MeanStats(50, 5.0, 12.0),
        "absolute",
        0.05,
        "two-sided",
        None,
    )
    return dict(zip(cases, gbstats(list(cases.values()))))


@pytest.mark.parametrize(
    "case", AGREEING_CASES, ids=[case[0] for case in AGREEING_CASES]
)
def test_result_matches_gbstats(
    case: tuple[Any, ...], reference: dict[str, Any]
) -> None:
    name, control, treatment, difference, alpha, alternative, tuning = case
    ours = frequentist_test(control, treatment, difference, alpha, alternative, tuning)
    theirs = reference[name]

    assert theirs["error"] is None and ours.error is None
    assert_close(ours.effect, theirs["effect"], "effect")
    assert_close(ours.ci, theirs["ci"], "ci")
    assert_close(ours.effect_stddev, theirs["effect_stddev"], "effect_stddev")
    assert_close(ours.p_value, theirs["p_value"], "p_value")


@pytest.mark.parametrize(
    "name,stats",
    [
        ("less-relative", (*CONVERSIONS, "relative")),
        ("less-absolute", (*LATENCY, "absolute")),
    ],
)
def test_less_alternative_bounds_interval_above_the_effect(
    name: str, stats: tuple[Any, ...], reference: dict[str, Any]
) -> None:
    control, treatment, difference = stats
    ours = frequentist_test(control, treatment, difference, alternative="less")
    theirs = reference[name]
    assert_close(ours.effect, theirs["effect"], "effect")
    assert_close(ours.p_value, theirs["p_value"], "p_value")

    # gbstats 0.8.0 returns (-inf, effect - width): an interval that excludes
    # its own point estimate. The upper bound of a one-sided interval for
    # "treatment below control" is effect + t(1 - alpha) sd (GrowthBook's
    # later releases fixed it the same way).
    dof_check = frequentist_test(control, treatment, difference, alpha=0.1)
    width = dof_check.ci[1] - dof_check.effect
    assert ours.ci[0] == -math.inf
    assert ours.ci[1] == pytest.approx(ours.effect + width, rel=1e-12)
    assert theirs["ci"][1] == pytest.approx(ours.effect - width, rel=1e-9)


def test_absolute_difference_allowed_when_control_mean_is_zero(
    reference: dict[str, Any],
) -> None:
    control, treatment = MeanStats(50, 0.0, 10.0), MeanStats(50, 5.0, 12.0)
    ours = frequentist_test(control, treatment, "absolute")

    # gbstats 0.8.0 refuses any test whose control mean is 0, but only the
    # relative lift divides by it; the absolute difference is well defined.
    assert reference["zero-control-absolute"]["error"] is not None
    welch = scipy_stats.ttest_ind_from_stats(
        0.1,
        math.sqrt(control.variance),
        50,
        0.0,
        math.sqrt(treatment.variance),
        50,
        equal_var=False,
    )
    assert ours.error is None
    assert ours.effect == pytest.approx(0.1)
    assert ours.p_value == pytest.approx(welch.pvalue, rel=1e-9)


def test_zero_variance_returns_error_result(reference: dict[str, Any]) -> None:
    result = frequentist_test(
        ProportionStats(100, 0), ProportionStats(100, 0), "absolute"
    )
    assert reference["zero-variance"]["p_value"] == 1
    assert (result.effect, result.p_value) == (0.0, 1.0)
    assert result.error == ZERO_NEGATIVE_VARIANCE
    assert result.ci == (-math.inf, math.inf)


def test_absolute_mean_difference_matches_scipy_welch_test() -> None:
    result = frequentist_test(*LATENCY, "absolute")
    welch = scipy_stats.ttest_ind(LATENCY_B, LATENCY_A, equal_var=False)
    interval = welch.confidence_interval(0.95)

    assert result.p_value == pytest.approx(welch.pvalue, rel=1e-9)
    assert result.ci == pytest.approx((interval.low, interval.high), rel=1e-9)


def test_relative_variance_is_delta_method_on_unit_values() -> None:
    # Linearise (mean_b - mean_a) / mean_a around the estimates: each
    # control unit contributes -y mean_b / mean_a^2, each treatment unit
    # y / mean_a; the variance of the lift is the sum of the two variances
    # of those contributions' means.
    mean_a, mean_b = SEARCHES_A.mean(), SEARCHES_B.mean()
    influence_a = -SEARCHES_A * mean_b / mean_a**2
    influence_b = SEARCHES_B / mean_a
    expected = influence_a.var(ddof=1) / len(SEARCHES_A) + influence_b.var(
        ddof=1
    ) / len(SEARCHES_B)

    result = frequentist_test(*SEARCHES, "relative")

    assert result.effect == pytest.approx(mean_b / mean_a - 1, rel=1e-12)
    assert result.effect_stddev**2 == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize(
    "control,treatment,error",
    [
        (ProportionStats(0, 0), ProportionStats(10, 3), NO_UNITS_IN_VARIANT),
        (MeanStats(10, 0.0, 4.0), MeanStats(10, 3.0, 5.0), ZERO_CONTROL_MEAN),
        (MeanStats(1, 3.0, 9.0), MeanStats(10, 3.0, 5.0), ZERO_NEGATIVE_VARIANCE),
        (MeanStats(5, 10.0, 20.0), MeanStats(5, 10.0, 20.0), ZERO_NEGATIVE_VARIANCE),
    ],
)
def test_degenerate_data_returns_error_code(
    control: VariantStats, treatment: VariantStats, error: str
) -> None:
    result = frequentist_test(control, treatment, sequential_tuning=1000)
    assert result.error == error
    assert (result.effect, result.p_value) == (0.0, 1.0)


@pytest.mark.parametrize(
    "arguments,message",
    [
        ({"difference": "ratio"}, "difference 'ratio'"),
        ({"alpha": 1.5}, "alpha 1.5"),
        ({"alternative": "both"}, "alternative 'both'"),
        ({"sequential_tuning": -5}, "sequential_tuning -5"),
        ({"sequential_tuning": 100, "alternative": "less", "alpha": 0.6}, "below 0.5"),
    ],
)
def test_misuse_raises_naming_the_argument(
    arguments: dict[str, Any], message: str
) -> None:
    with pytest.raises(StatsError, match=message):
        frequentist_test(*CONVERSIONS, **arguments)


def test_mixing_cuped_and_plain_stats_raises() -> None:
    from lms_telemetry.stats import CupedStats

    cuped = CupedStats(3, MeanStats(3, 3.0, 5.0), MeanStats(3, 2.0, 2.0), 3.0)
    with pytest.raises(StatsError, match="CupedStats"):
        frequentist_test(MeanStats(3, 3.0, 5.0), cuped)


def test_stats_refuse_impossible_counts() -> None:
    with pytest.raises(StatsError, match="conversions 11"):
        ProportionStats(10, 11)
    with pytest.raises(StatsError, match="n -1"):
        MeanStats(-1, 0.0, 0.0)
