"""bayesian_test and expected_loss against gbstats 0.8.0 and quadrature."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from scipy import integrate
from scipy import stats as scipy_stats

from lms_telemetry.stats import (
    NO_UNITS_IN_VARIANT,
    GaussianPrior,
    MeanStats,
    ProportionStats,
    StatsError,
    bayesian_test,
    expected_loss,
)
from lms_telemetry.stats.models import VariantStats
from tests.stats.conftest import RunGbstats
from tests.stats.reference import assert_close, mean_stats, spec

RNG = np.random.default_rng(5)
CONVERSIONS = (ProportionStats(2500, 500), ProportionStats(2450, 541))
DURATIONS = (
    mean_stats(RNG.exponential(60.0, 400).tolist()),
    mean_stats(RNG.exponential(66.0, 380).tolist()),
)

# (id, control, treatment, difference, prior)
CASES: list[tuple[str, VariantStats, VariantStats, str, GaussianPrior | None]] = [
    ("flat-relative-proportion", *CONVERSIONS, "relative", None),
    ("flat-absolute-mean", *DURATIONS, "absolute", None),
    (
        "informative-relative-proportion",
        *CONVERSIONS,
        "relative",
        GaussianPrior(0.0, 0.01),
    ),
    ("informative-absolute-mean", *DURATIONS, "absolute", GaussianPrior(2.0, 9.0)),
    (
        "informative-relative-mean-shifted",
        *DURATIONS,
        "relative",
        GaussianPrior(-0.05, 0.0025),
    ),
]
RISK_CASES = [
    (0.05, 0.02),
    (-0.03, 0.04),
    (0.0, 0.1),
    (0.3, 0.05),
    (0.01, 1e-5),
    (-0.002, 1e-7),
]


@pytest.fixture(scope="module")
def reference(gbstats: RunGbstats) -> dict[str, Any]:
    cases: dict[str, Any] = {}
    for name, control, treatment, difference, prior in CASES:
        cases[name] = {
            "kind": "bayesian",
            "control": spec(control),
            "treatment": spec(treatment),
            "difference": difference,
            "prior": None
            if prior is None
            else {"mean": prior.mean, "variance": prior.variance},
        }
    for mu, sigma in RISK_CASES:
        cases[f"risk {mu} {sigma}"] = {"kind": "risk", "mu": mu, "sigma": sigma}
    cases["empty"] = {
        "kind": "bayesian",
        "control": spec(ProportionStats(0, 0)),
        "treatment": spec(ProportionStats(10, 2)),
        "difference": "absolute",
        "prior": None,
    }
    return dict(zip(cases, gbstats(list(cases.values()))))


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_posterior_matches_gbstats(
    case: tuple[Any, ...], reference: dict[str, Any]
) -> None:
    name, control, treatment, difference, prior = case
    ours = bayesian_test(control, treatment, difference, prior)
    theirs = reference[name]

    assert ours.error is None and theirs["error"] is None
    assert_close(ours.effect, theirs["effect"], "effect")
    assert_close(ours.ci, theirs["ci"], "ci")
    assert_close(ours.effect_stddev, theirs["effect_stddev"], "effect_stddev")
    assert_close(ours.chance_to_win, theirs["chance_to_win"], "chance_to_win")
    assert_close(ours.risk, theirs["risk"], "risk")


@pytest.mark.parametrize("mu,sigma", RISK_CASES)
def test_expected_loss_matches_gbstats(
    mu: float, sigma: float, reference: dict[str, Any]
) -> None:
    assert_close(expected_loss(mu, sigma), reference[f"risk {mu} {sigma}"], "risk")


def _loss_by_quadrature(a: float) -> float:
    """E[max(Z - a, 0)] = phi(a) * integral of s exp(-a s - s^2/2), s >= 0."""
    integral, _ = integrate.quad(
        lambda s: s * math.exp(-a * s - s * s / 2), 0, math.inf
    )
    return float(scipy_stats.norm.pdf(a)) * integral


@pytest.mark.parametrize("z", [0.0, 0.5, 2.0, 4.99, 5.01, 8.0, 15.0, 30.0])
def test_expected_loss_is_accurate_in_far_tail(z: float) -> None:
    sigma = 0.01
    risk_control, risk_treatment = expected_loss(z * sigma, sigma)
    expected_small = sigma * _loss_by_quadrature(z)

    assert risk_treatment == pytest.approx(expected_small, rel=1e-9, abs=1e-300)
    assert risk_control == pytest.approx(z * sigma + expected_small, rel=1e-12)


def test_expected_loss_with_zero_sigma_is_the_certain_loss() -> None:
    assert expected_loss(0.2, 0.0) == (0.2, 0.0)
    assert expected_loss(-0.2, 0.0) == (0.0, 0.2)


def test_empty_variant_gives_even_chance(reference: dict[str, Any]) -> None:
    result = bayesian_test(ProportionStats(0, 0), ProportionStats(10, 2), "absolute")
    assert reference["empty"]["chance_to_win"] == 0.5
    assert result.chance_to_win == 0.5
    assert result.error == NO_UNITS_IN_VARIANT
    assert result.risk == (0.0, 0.0)


def test_informative_prior_shrinks_toward_prior_mean() -> None:
    flat = bayesian_test(*CONVERSIONS)
    shrunk = bayesian_test(*CONVERSIONS, prior=GaussianPrior(0.0, 0.001))
    assert 0 < shrunk.effect < flat.effect
    assert shrunk.effect_stddev < flat.effect_stddev


def test_prior_with_non_positive_variance_raises() -> None:
    with pytest.raises(StatsError, match="prior variance 0"):
        GaussianPrior(0.0, 0.0)
    with pytest.raises(StatsError, match="sigma -1"):
        expected_loss(0.0, -1.0)
    with pytest.raises(StatsError, match="difference 'scaled'"):
        bayesian_test(*CONVERSIONS, difference="scaled")


def test_zero_control_mean_is_error_for_relative_only() -> None:
    control, treatment = MeanStats(20, 0.0, 8.0), MeanStats(20, 4.0, 9.0)
    assert bayesian_test(control, treatment).error == "ZERO_CONTROL_MEAN"
    assert bayesian_test(control, treatment, "absolute").error is None
