"""Always-valid confidence sequences for peeking at a running experiment.

The asymptotic confidence sequence of Howard et al. (2021), in the normal
mixture form of Waudby-Smith et al. (arXiv 2103.06476v7, eqs. 9, 155, 161),
as GrowthBook uses it. With N the units in both variants, sigma^2 = N times
the effect's variance and alpha the error rate, the mixture is tuned by the
expected number of units N* (`sequential_tuning`):

    rho = sqrt((-2 ln a + ln(-2 ln a + 1)) / N*)

with a = alpha for two-sided and a = 2 alpha for one-sided sequences.

Two-sided half-width:

    sigma sqrt(2 (N rho^2 + 1) / (N rho)^2 * ln(sqrt(N rho^2 + 1) / alpha))

and its p-value is the inverse of the mixture e-value,

    p = min(1, sqrt(N rho^2 + 1) exp(-rho^2 S / (2 (N rho^2 + 1)))),
    S = effect^2 N / variance.

One-sided half-width:

    sigma sqrt(2 (N rho^2 + 1) / (N rho)^2
               * ln(1 + sqrt(N rho^2 + 1) / (2 alpha)))

valid for alpha < 0.5. Its p-value is the alpha at which the bound touches
zero; solving the half-width for alpha with rho held fixed gives

    p = sqrt(N rho^2 + 1) / (2 (exp(L) - 1)),
    L = effect^2 (N rho)^2 / (2 sigma^2 (N rho^2 + 1)),

(GrowthBook finds the same root by bisection), and 1 when the effect points
away from the alternative.
"""

from __future__ import annotations

import math


def mixture_rho(alpha: float, sequential_tuning: float, is_two_sided: bool) -> float:
    a = alpha if is_two_sided else 2 * alpha
    return math.sqrt(
        (-2 * math.log(a) + math.log(-2 * math.log(a) + 1)) / sequential_tuning
    )


def _spread(total_units: int, rho: float) -> float:
    """2 (N rho^2 + 1) / (N rho)^2, shared by both half-widths."""
    return 2 * (total_units * rho**2 + 1) / (total_units * rho) ** 2


def two_sided_halfwidth(
    variance: float, total_units: int, alpha: float, rho: float
) -> float:
    sigma2 = variance * total_units
    log_term = math.log(math.sqrt(total_units * rho**2 + 1) / alpha)
    return math.sqrt(sigma2 * _spread(total_units, rho) * log_term)


def one_sided_halfwidth(
    variance: float, total_units: int, alpha: float, rho: float
) -> float:
    sigma2 = variance * total_units
    log_term = math.log1p(math.sqrt(total_units * rho**2 + 1) / (2 * alpha))
    return math.sqrt(sigma2 * _spread(total_units, rho) * log_term)


def two_sided_p_value(
    effect: float, variance: float, total_units: int, rho: float
) -> float:
    scaled = effect**2 * total_units / variance
    widening = total_units * rho**2 + 1
    log_p = 0.5 * math.log(widening) - rho**2 * scaled / (2 * widening)
    return math.exp(min(0.0, log_p))


def one_sided_p_value(
    effect: float, variance: float, total_units: int, rho: float
) -> float:
    """For the alternative 'effect > 0'; pass -effect for 'effect < 0'."""
    if effect <= 0:
        return 1.0
    sigma2 = variance * total_units
    widening = total_units * rho**2 + 1
    exponent = effect**2 * (total_units * rho) ** 2 / (2 * sigma2 * widening)
    if exponent > 700:
        # exp(L) overflows; log p = log(sqrt(w)/2) - L is exact enough here.
        return math.exp(0.5 * math.log(widening) - math.log(2) - exponent)
    return min(1.0, math.sqrt(widening) / (2 * math.expm1(exponent)))
