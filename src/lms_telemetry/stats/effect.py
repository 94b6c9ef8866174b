"""The effect of treatment over control and its sampling variance.

Both engines start here. For control a and treatment b with n units, means
m (CUPED-adjusted when given `CupedStats`) and per-unit variances v:

- absolute: effect = m_b - m_a, variance = v_b / n_b + v_a / n_a.
- relative: effect = (m_b - m_a) / u_a, with u_a the control's unadjusted
  mean. The delta method linearises the ratio around the estimates:

      var = (v_b / n_b + v_a / n_a) / u_a^2
            + D^2 w_a / (n_a u_a^4)
            + 2 D c_a / (n_a u_a^3)

  where D = m_b - m_a, w_a the control's unadjusted per-unit variance and
  c_a the per-unit covariance of the control's adjusted and unadjusted
  values. Without CUPED, c_a = w_a = v_a and this reduces to the familiar
  v_b / (n_b u_a^2) + v_a m_b^2 / (n_a u_a^4).
- degrees of freedom: Welch-Satterthwaite,
  (v_a/n_a + v_b/n_b)^2 / ((v_a/n_a)^2/(n_a-1) + (v_b/n_b)^2/(n_b-1)).

Degenerate data (an empty variant, a zero control mean for a relative
effect, zero variance) gives moments carrying an error code instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from lms_telemetry.stats.cuped import adjusted_mean, adjusted_variance, cuped_theta
from lms_telemetry.stats.models import (
    NO_UNITS_IN_VARIANT,
    ZERO_CONTROL_MEAN,
    ZERO_NEGATIVE_VARIANCE,
    CupedStats,
    MeanStats,
    ProportionStats,
    RatioStats,
    StatsError,
    VariantStats,
)

Difference = Literal["relative", "absolute"]
DIFFERENCES = ("relative", "absolute")


@dataclass(frozen=True)
class ArmMoments:
    """What the effect formulas need from one variant."""

    n: int
    mean: float
    variance: float
    unadjusted_mean: float
    unadjusted_variance: float
    covariance: float


@dataclass(frozen=True)
class EffectMoments:
    effect: float
    variance: float
    dof: float
    total_units: int
    error: str | None = None


def check_difference(difference: str) -> None:
    if difference not in DIFFERENCES:
        raise StatsError(
            f"difference {difference!r} must be one of {', '.join(DIFFERENCES)}"
        )


def _check_pair(control: VariantStats, treatment: VariantStats) -> None:
    known = (MeanStats, ProportionStats, RatioStats, CupedStats)
    for name, stats in (("control", control), ("treatment", treatment)):
        if not isinstance(stats, known):
            raise StatsError(f"{name} {type(stats).__name__} is not a stats object")
    if isinstance(control, CupedStats) != isinstance(treatment, CupedStats):
        raise StatsError("control and treatment must both be CupedStats or neither")


def _plain_arm(stats: MeanStats | ProportionStats | RatioStats) -> ArmMoments:
    mean, variance = stats.mean, stats.variance
    return ArmMoments(stats.n, mean, variance, mean, variance, variance)


def _cuped_arm(stats: CupedStats, theta: float) -> ArmMoments:
    return ArmMoments(
        n=stats.n,
        mean=adjusted_mean(stats, theta),
        variance=adjusted_variance(stats, theta),
        unadjusted_mean=stats.post.mean,
        unadjusted_variance=stats.post.variance,
        covariance=stats.post.variance - theta * stats.covariance,
    )


def arm_moments(
    control: VariantStats, treatment: VariantStats
) -> tuple[ArmMoments, ArmMoments]:
    _check_pair(control, treatment)
    if isinstance(control, CupedStats) and isinstance(treatment, CupedStats):
        theta = cuped_theta(control, treatment)
        return _cuped_arm(control, theta), _cuped_arm(treatment, theta)
    assert not isinstance(control, CupedStats)
    assert not isinstance(treatment, CupedStats)
    return _plain_arm(control), _plain_arm(treatment)


def welch_dof(a: ArmMoments, b: ArmMoments) -> float:
    share_a, share_b = a.variance / a.n, b.variance / b.n
    denominator = share_a**2 / (a.n - 1) + share_b**2 / (b.n - 1)
    return (share_a + share_b) ** 2 / denominator


def _degenerate_reason(a: ArmMoments, b: ArmMoments, difference: str) -> str | None:
    if a.n == 0 or b.n == 0:
        return NO_UNITS_IN_VARIANT
    if difference == "relative" and a.unadjusted_mean == 0:
        return ZERO_CONTROL_MEAN
    if a.variance <= 0 or b.variance <= 0:
        return ZERO_NEGATIVE_VARIANCE
    return None


def effect_moments(
    control: VariantStats, treatment: VariantStats, difference: str
) -> EffectMoments:
    """Effect, its variance and Welch degrees of freedom (see module doc)."""
    check_difference(difference)
    a, b = arm_moments(control, treatment)
    reason = _degenerate_reason(a, b, difference)
    if reason is not None:
        return EffectMoments(0.0, 0.0, 0.0, a.n + b.n, reason)

    diff = b.mean - a.mean
    variance = b.variance / b.n + a.variance / a.n
    if difference == "relative":
        u = a.unadjusted_mean
        variance = (
            variance / u**2
            + diff**2 * a.unadjusted_variance / (a.n * u**4)
            + 2 * diff * a.covariance / (a.n * u**3)
        )
        diff = diff / u
    if variance <= 0:
        return EffectMoments(0.0, 0.0, 0.0, a.n + b.n, ZERO_NEGATIVE_VARIANCE)
    return EffectMoments(diff, variance, welch_dof(a, b), a.n + b.n)
