"""CUPED: theta from both variants pooled, checked against gbstats and raw data."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from lms_telemetry.stats import CupedStats, MeanStats, frequentist_test
from lms_telemetry.stats.cuped import cuped_theta
from tests.stats.conftest import RunGbstats
from tests.stats.reference import assert_close, spec

RNG = np.random.default_rng(99)
PRE_A = RNG.gamma(2.0, 2.0, 900)
PRE_B = RNG.gamma(2.0, 2.0, 950)
POST_A = 0.8 * PRE_A + RNG.normal(1.0, 1.5, 900)
POST_B = 0.8 * PRE_B + RNG.normal(1.3, 1.5, 950)


def _cuped(post: np.ndarray, pre: np.ndarray) -> CupedStats:
    n = len(post)
    return CupedStats(
        n,
        MeanStats(n, float(post.sum()), float((post**2).sum())),
        MeanStats(n, float(pre.sum()), float((pre**2).sum())),
        float((post * pre).sum()),
    )


CONTROL, TREATMENT = _cuped(POST_A, PRE_A), _cuped(POST_B, PRE_B)


def _case(difference: str, tuning: float | None = None) -> dict[str, Any]:
    return {
        "kind": "frequentist",
        "control": spec(CONTROL),
        "treatment": spec(TREATMENT),
        "difference": difference,
        "alpha": 0.05,
        "alternative": "two-sided",
        "sequential_tuning": tuning,
    }


@pytest.fixture(scope="module")
def reference(gbstats: RunGbstats) -> list[Any]:
    return gbstats([_case("absolute"), _case("relative"), _case("absolute", 3000)])


def test_theta_is_pooled_regression_slope() -> None:
    post = np.concatenate([POST_A, POST_B])
    pre = np.concatenate([PRE_A, PRE_B])
    expected = np.cov(post, pre, ddof=1)[0, 1] / pre.var(ddof=1)
    assert cuped_theta(CONTROL, TREATMENT) == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("index,tuning", [(0, None), (2, 3000.0)])
def test_absolute_cuped_matches_gbstats(
    index: int, tuning: float | None, reference: list[Any]
) -> None:
    ours = frequentist_test(CONTROL, TREATMENT, "absolute", sequential_tuning=tuning)
    theirs = reference[index]
    assert_close(ours.effect, theirs["effect"], "effect")
    assert_close(ours.ci, theirs["ci"], "ci")
    assert_close(ours.effect_stddev, theirs["effect_stddev"], "effect_stddev")
    assert_close(ours.p_value, theirs["p_value"], "p_value")


def test_absolute_cuped_variance_is_that_of_adjusted_unit_values() -> None:
    theta = cuped_theta(CONTROL, TREATMENT)
    adjusted_a, adjusted_b = POST_A - theta * PRE_A, POST_B - theta * PRE_B
    expected = adjusted_a.var(ddof=1) / 900 + adjusted_b.var(ddof=1) / 950

    result = frequentist_test(CONTROL, TREATMENT, "absolute")
    plain = frequentist_test(CONTROL.post, TREATMENT.post, "absolute")

    assert result.effect == pytest.approx(adjusted_b.mean() - adjusted_a.mean())
    assert result.effect_stddev**2 == pytest.approx(expected, rel=1e-9)
    assert result.effect_stddev < 0.7 * plain.effect_stddev


def test_relative_cuped_uses_full_delta_method(reference: list[Any]) -> None:
    theta = cuped_theta(CONTROL, TREATMENT)
    adjusted_a, adjusted_b = POST_A - theta * PRE_A, POST_B - theta * PRE_B
    control_mean = POST_A.mean()
    lift = (adjusted_b.mean() - adjusted_a.mean()) / control_mean
    # Linearise (adj_b - adj_a) / mean(post_a): a control unit moves both
    # the adjusted mean and the denominator, so its contribution is
    # -(adj + lift * post) / mean(post_a). gbstats 0.8.0 drops the
    # covariance between the two and plugs adjusted variances into the
    # unadjusted formula; GrowthBook's later releases use this full form.
    influence_a = -(adjusted_a + lift * POST_A) / control_mean
    influence_b = adjusted_b / control_mean
    expected = influence_a.var(ddof=1) / 900 + influence_b.var(ddof=1) / 950

    result = frequentist_test(CONTROL, TREATMENT, "relative")

    assert_close(result.effect, reference[1]["effect"], "effect")
    assert result.effect == pytest.approx(lift, rel=1e-10)
    assert result.effect_stddev**2 == pytest.approx(expected, rel=1e-9)
    simplified = adjusted_b.var(ddof=1) / (950 * control_mean**2) + adjusted_a.var(
        ddof=1
    ) * POST_B.mean() ** 2 / (900 * control_mean**4)
    assert reference[1]["effect_stddev"] ** 2 == pytest.approx(simplified, rel=1e-9)


def test_constant_pre_period_falls_back_to_unadjusted() -> None:
    flat_a = CupedStats(
        900, CONTROL.post, MeanStats(900, 900.0, 900.0), CONTROL.post.sum
    )
    flat_b = CupedStats(
        950, TREATMENT.post, MeanStats(950, 950.0, 950.0), TREATMENT.post.sum
    )
    adjusted = frequentist_test(flat_a, flat_b)
    plain = frequentist_test(CONTROL.post, TREATMENT.post)
    assert cuped_theta(flat_a, flat_b) == 0
    assert adjusted.effect == pytest.approx(plain.effect, rel=1e-12)
    assert adjusted.p_value == pytest.approx(plain.p_value, rel=1e-12)
