"""Sequential (always-valid) tests: one-sided sequences and peeking.

gbstats 0.8.0, the newest on PyPI, has only the two-sided sequence (that one
is compared in test_frequentist.py). GrowthBook's later releases add the
one-sided sequence; its published half-width and its bisection for the
p-value are written out here, independently of our code, as the reference.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from lms_telemetry.stats import MeanStats, ProportionStats, frequentist_test

CONTROL, TREATMENT = ProportionStats(3000, 600), ProportionStats(3000, 663)
TUNING = 5000.0


def _reference_rho(alpha: float) -> float:
    doubled = 2 * alpha  # one-sided sequences use 2 alpha in rho
    return math.sqrt(
        (-2 * math.log(doubled) + math.log(-2 * math.log(doubled) + 1)) / TUNING
    )


def _reference_halfwidth(variance: float, n: int, alpha: float, rho: float) -> float:
    s2 = variance * n
    spread = 2 * (n * rho**2 + 1) / (n * rho) ** 2
    return math.sqrt(
        s2 * spread * math.log(1 + math.sqrt(n * rho**2 + 1) / (2 * alpha))
    )


def _reference_p_value(effect: float, variance: float, n: int, rho: float) -> float:
    """Bisection on alpha, rho held fixed, until the lower bound reaches 0."""
    low, high = 1e-12, 0.4999
    for _ in range(200):
        middle = (low + high) / 2
        bound = effect - _reference_halfwidth(variance, n, middle, rho)
        low, high = (middle, high) if bound < 0 else (low, middle)
    return (low + high) / 2


@pytest.mark.parametrize("difference", ["relative", "absolute"])
def test_one_sided_greater_matches_published_formula(difference: str) -> None:
    fixed = frequentist_test(CONTROL, TREATMENT, difference)
    result = frequentist_test(
        CONTROL, TREATMENT, difference, alternative="greater", sequential_tuning=TUNING
    )
    rho = _reference_rho(0.05)
    variance, n = fixed.effect_stddev**2, CONTROL.n + TREATMENT.n

    width = _reference_halfwidth(variance, n, 0.05, rho)
    assert result.ci[0] == pytest.approx(fixed.effect - width, rel=1e-10)
    assert result.ci[1] == math.inf
    expected = _reference_p_value(fixed.effect, variance, n, rho)
    assert result.p_value == pytest.approx(expected, rel=1e-5)


def test_one_sided_less_mirrors_greater() -> None:
    greater = frequentist_test(
        CONTROL, TREATMENT, alternative="greater", sequential_tuning=TUNING
    )
    flipped = frequentist_test(
        TREATMENT, CONTROL, "absolute", alternative="less", sequential_tuning=TUNING
    )
    plain = frequentist_test(TREATMENT, CONTROL, "absolute")
    rho = _reference_rho(0.05)
    n = CONTROL.n + TREATMENT.n

    assert flipped.ci[0] == -math.inf
    width = _reference_halfwidth(plain.effect_stddev**2, n, 0.05, rho)
    assert flipped.ci[1] == pytest.approx(plain.effect + width, rel=1e-10)
    assert 0 < greater.p_value < 0.5
    wrong_way = frequentist_test(
        CONTROL, TREATMENT, alternative="less", sequential_tuning=TUNING
    )
    assert wrong_way.p_value == 1.0


def test_sequential_interval_is_wider_than_fixed_horizon() -> None:
    fixed = frequentist_test(CONTROL, TREATMENT)
    sequential = frequentist_test(CONTROL, TREATMENT, sequential_tuning=TUNING)
    assert sequential.ci[0] < fixed.ci[0] and sequential.ci[1] > fixed.ci[1]
    assert sequential.p_value > fixed.p_value


def test_very_strong_effect_gives_tiny_but_positive_p_value() -> None:
    result = frequentist_test(
        MeanStats(10000, 10000.0, 20000.0),
        MeanStats(10000, 20000.0, 50000.0),
        alternative="greater",
        sequential_tuning=TUNING,
    )
    assert 0 <= result.p_value < 1e-100


def test_peeking_ten_times_keeps_false_positive_rate_with_sequential_test() -> None:
    rng = np.random.default_rng(7)
    experiments, looks, units_per_look, rate = 600, 10, 200, 0.2
    conversions = rng.binomial(units_per_look, rate, size=(experiments, looks, 2))
    cumulative = conversions.cumsum(axis=1)

    sequential_hits = fixed_hits = 0
    for experiment in range(experiments):
        sequential_rejected = fixed_rejected = False
        for look in range(looks):
            n = units_per_look * (look + 1)
            a = ProportionStats(n, int(cumulative[experiment, look, 0]))
            b = ProportionStats(n, int(cumulative[experiment, look, 1]))
            p_seq = frequentist_test(a, b, sequential_tuning=4000).p_value
            sequential_rejected |= p_seq < 0.05
            fixed_rejected |= frequentist_test(a, b).p_value < 0.05
        sequential_hits += sequential_rejected
        fixed_hits += fixed_rejected

    # Peeking at a fixed-horizon test inflates errors well past 5% (about
    # 19% for ten looks); the confidence sequence keeps them at or below.
    assert sequential_hits / experiments <= 0.05
    assert fixed_hits / experiments > 0.10
