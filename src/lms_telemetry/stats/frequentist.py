"""Frequentist test of treatment against control.

Fixed-horizon (the default): Welch's t-test on the effect and variance from
`stats.effect`. With t = effect / sd and nu the Welch-Satterthwaite degrees
of freedom, and F the Student t distribution with nu degrees of freedom:

- two-sided: p = 2 (1 - F(|t|)), ci = effect -/+ F^-1(1 - alpha/2) sd;
- greater:   p = 1 - F(t),       ci = [effect - F^-1(1 - alpha) sd, +inf);
- less:      p = F(t),           ci = (-inf, effect + F^-1(1 - alpha) sd].

Sequential (when `sequential_tuning` is given): the always-valid
confidence sequence and p-value of `stats.sequential`, which stay valid
however often the experiment is looked at.
"""

from __future__ import annotations

import math
from typing import Literal

from scipy import stats as distributions

from lms_telemetry.stats import sequential
from lms_telemetry.stats.effect import EffectMoments, effect_moments
from lms_telemetry.stats.models import FrequentistResult, StatsError, VariantStats

Alternative = Literal["two-sided", "greater", "less"]
ALTERNATIVES = ("two-sided", "greater", "less")


def _check_arguments(
    alpha: float, alternative: str, sequential_tuning: float | None
) -> None:
    if not 0 < alpha < 1:
        raise StatsError(f"alpha {alpha!r} must be between 0 and 1")
    if alternative not in ALTERNATIVES:
        raise StatsError(
            f"alternative {alternative!r} must be one of {', '.join(ALTERNATIVES)}"
        )
    if sequential_tuning is None:
        return
    if not sequential_tuning > 0 or not math.isfinite(sequential_tuning):
        raise StatsError(
            f"sequential_tuning {sequential_tuning!r} must be a positive number"
        )
    if alternative != "two-sided" and alpha >= 0.5:
        raise StatsError(
            f"alpha {alpha!r} must be below 0.5 for a one-sided sequential test"
        )


def _fixed_horizon(
    moments: EffectMoments, alpha: float, alternative: str
) -> FrequentistResult:
    sd = math.sqrt(moments.variance)
    t_value = moments.effect / sd
    t = distributions.t(moments.dof)
    effect = moments.effect
    if alternative == "two-sided":
        width = float(t.ppf(1 - alpha / 2)) * sd
        p_value = 2 * float(t.sf(abs(t_value)))
        ci = (effect - width, effect + width)
    elif alternative == "greater":
        p_value = float(t.sf(t_value))
        ci = (effect - float(t.ppf(1 - alpha)) * sd, math.inf)
    else:
        p_value = float(t.cdf(t_value))
        ci = (-math.inf, effect + float(t.ppf(1 - alpha)) * sd)
    return FrequentistResult(effect, ci, sd, min(1.0, p_value))


def _sequential(
    moments: EffectMoments, alpha: float, alternative: str, tuning: float
) -> FrequentistResult:
    effect, variance, units = moments.effect, moments.variance, moments.total_units
    sd = math.sqrt(variance)
    if alternative == "two-sided":
        rho = sequential.mixture_rho(alpha, tuning, is_two_sided=True)
        width = sequential.two_sided_halfwidth(variance, units, alpha, rho)
        p_value = sequential.two_sided_p_value(effect, variance, units, rho)
        return FrequentistResult(effect, (effect - width, effect + width), sd, p_value)

    rho = sequential.mixture_rho(alpha, tuning, is_two_sided=False)
    width = sequential.one_sided_halfwidth(variance, units, alpha, rho)
    if alternative == "greater":
        p_value = sequential.one_sided_p_value(effect, variance, units, rho)
        return FrequentistResult(effect, (effect - width, math.inf), sd, p_value)
    p_value = sequential.one_sided_p_value(-effect, variance, units, rho)
    return FrequentistResult(effect, (-math.inf, effect + width), sd, p_value)


def frequentist_test(
    control: VariantStats,
    treatment: VariantStats,
    difference: str = "relative",
    alpha: float = 0.05,
    alternative: str = "two-sided",
    sequential_tuning: float | None = None,
) -> FrequentistResult:
    """Test whether treatment differs from control.

    Args:
        control: the control variant's statistics.
        treatment: the treatment variant's statistics, of the same kind.
        difference: "relative" (lift over the control mean) or "absolute".
        alpha: error rate; the interval covers with probability 1 - alpha.
        alternative: "two-sided", "greater" (treatment above control) or
            "less".
        sequential_tuning: expected total units; when given, the result is
            an always-valid confidence sequence and p-value.

    Returns:
        The effect, its interval, standard deviation and p-value. Degenerate
        data gives effect 0, p-value 1, an unbounded interval and an error.
    """
    _check_arguments(alpha, alternative, sequential_tuning)
    moments = effect_moments(control, treatment, difference)
    if moments.error is not None:
        return FrequentistResult(0.0, (-math.inf, math.inf), 0.0, 1.0, moments.error)
    if sequential_tuning is None:
        return _fixed_horizon(moments, alpha, alternative)
    return _sequential(moments, alpha, alternative, sequential_tuning)
