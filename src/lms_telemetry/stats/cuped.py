"""CUPED: variance reduction with the same metric measured before exposure.

Each unit's value y (after exposure) is replaced by y - theta * x, with x the
unit's value before exposure. Any theta keeps the estimate of the difference
unbiased because x cannot depend on the variant; the variance is smallest at

    theta = cov(y, x) / var(x)

computed over the units of both variants pooled together (not per variant,
which would let the treatment leak into theta). The adjusted value has mean
mean(y) - theta * mean(x) and per-unit variance

    var(y) + theta^2 var(x) - 2 theta cov(y, x).

When the pooled pre or post variance is zero there is nothing to regress on,
theta is 0 and the metric is analysed unadjusted.
"""

from __future__ import annotations

from lms_telemetry.stats.models import CupedStats, MeanStats


def pool_cuped_stats(control: CupedStats, treatment: CupedStats) -> CupedStats:
    """Both variants' units as one sample."""
    n = control.n + treatment.n
    post = MeanStats(
        n,
        control.post.sum + treatment.post.sum,
        control.post.sum_squares + treatment.post.sum_squares,
    )
    pre = MeanStats(
        n,
        control.pre.sum + treatment.pre.sum,
        control.pre.sum_squares + treatment.pre.sum_squares,
    )
    cross = control.sum_post_times_pre + treatment.sum_post_times_pre
    return CupedStats(n, post, pre, cross)


def cuped_theta(control: CupedStats, treatment: CupedStats) -> float:
    """Regression coefficient of post on pre over both variants' units."""
    pooled = pool_cuped_stats(control, treatment)
    if pooled.pre.variance <= 0 or pooled.post.variance <= 0:
        return 0.0
    return pooled.covariance / pooled.pre.variance


def adjusted_mean(stats: CupedStats, theta: float) -> float:
    return stats.post.mean - theta * stats.pre.mean


def adjusted_variance(stats: CupedStats, theta: float) -> float:
    """Per-unit variance of post - theta * pre."""
    if stats.n <= 1:
        return 0.0
    return (
        stats.post.variance
        + theta**2 * stats.pre.variance
        - 2 * theta * stats.covariance
    )
