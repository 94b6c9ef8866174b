"""Bayesian comparison of treatment against control.

The effect and its variance s^2 come from `stats.effect` (relative lifts by
the delta method) and are taken as a Normal likelihood. With a Gaussian
prior N(mu0, tau^2) on the effect, in the same units as `difference`, the
posterior is Normal with

    precision = 1 / s^2 + 1 / tau^2
    mean      = (effect / s^2 + mu0 / tau^2) / precision;

without a prior (flat) the posterior is N(effect, s^2). From the posterior
X ~ N(mu, sigma^2):

- chance to win = P(X > 0) = Phi(mu / sigma);
- credible interval = the alpha/2 and 1 - alpha/2 quantiles;
- risk = (E[max(X, 0)], E[max(-X, 0)]): what choosing control loses if
  treatment is better, and what choosing treatment loses if it is worse.

With z = mu / sigma and g(a) = phi(a) - a (1 - Phi(a)), the smaller of the
two losses is sigma g(|z|) and the larger is that plus |mu|, since
E[max(X, 0)] - E[max(-X, 0)] = mu. Computing g directly cancels badly when
|z| is large (tiny sigma); there `expected_loss` writes
g(a) = phi(a) c / (a + c), with c from Laplace's continued fraction for the
Mills ratio, 1 / (a + 1 / (a + 2 / (a + 3 / ...))) = 1 / (a + c).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats as distributions

from lms_telemetry.stats.effect import effect_moments
from lms_telemetry.stats.models import BayesianResult, StatsError, VariantStats

# Below this |z| the direct formula loses at most a few digits.
_DIRECT_LIMIT = 5.0
_CONTINUED_FRACTION_TERMS = 80


@dataclass(frozen=True)
class GaussianPrior:
    """A Normal prior on the effect, in the units of the difference tested."""

    mean: float
    variance: float

    def __post_init__(self) -> None:
        if not math.isfinite(self.mean):
            raise StatsError(f"prior mean {self.mean!r} must be a finite number")
        if not (self.variance > 0 and math.isfinite(self.variance)):
            raise StatsError(f"prior variance {self.variance!r} must be positive")


def _upper_tail_loss(a: float) -> float:
    """g(a) = E[max(Z - a, 0)] for a standard Normal Z and a >= 0."""
    density = math.exp(-0.5 * a * a) / math.sqrt(2 * math.pi)
    if a < _DIRECT_LIMIT:
        return density - a * float(distributions.norm.sf(a))
    tail = a
    for k in range(_CONTINUED_FRACTION_TERMS, 1, -1):
        tail = a + k / tail
    c = 1.0 / tail
    return density * c / (a + c)


def expected_loss(mu: float, sigma: float) -> tuple[float, float]:
    """Risk (choosing control, choosing treatment) for X ~ N(mu, sigma^2)."""
    if not math.isfinite(mu):
        raise StatsError(f"mu {mu!r} must be a finite number")
    if not (sigma >= 0 and math.isfinite(sigma)):
        raise StatsError(f"sigma {sigma!r} must be a non-negative number")
    if sigma == 0:
        return max(mu, 0.0), max(-mu, 0.0)

    smaller = sigma * _upper_tail_loss(abs(mu) / sigma)
    larger = abs(mu) + smaller
    return (larger, smaller) if mu >= 0 else (smaller, larger)


def _posterior(
    effect: float, variance: float, prior: GaussianPrior | None
) -> tuple[float, float]:
    if prior is None:
        return effect, math.sqrt(variance)
    precision = 1 / variance + 1 / prior.variance
    mean = (effect / variance + prior.mean / prior.variance) / precision
    return mean, math.sqrt(1 / precision)


def bayesian_test(
    control: VariantStats,
    treatment: VariantStats,
    difference: str = "relative",
    prior: GaussianPrior | None = None,
    alpha: float = 0.05,
) -> BayesianResult:
    """Posterior of treatment's effect over control.

    Args:
        control: the control variant's statistics.
        treatment: the treatment variant's statistics, of the same kind.
        difference: "relative" (lift over the control mean) or "absolute".
        prior: a Gaussian prior on the effect; None for a flat prior.
        alpha: the credible interval holds 1 - alpha of the posterior.

    Returns:
        Posterior mean, credible interval, sd, chance to win and risk.
        Degenerate data gives chance 0.5, zero risk and an error code.
    """
    if not 0 < alpha < 1:
        raise StatsError(f"alpha {alpha!r} must be between 0 and 1")
    if prior is not None and not isinstance(prior, GaussianPrior):
        raise StatsError(f"prior {prior!r} must be a GaussianPrior or None")
    moments = effect_moments(control, treatment, difference)
    if moments.error is not None:
        unbounded = (-math.inf, math.inf)
        return BayesianResult(0.0, unbounded, 0.0, 0.5, (0.0, 0.0), moments.error)

    mean, sd = _posterior(moments.effect, moments.variance, prior)
    posterior = distributions.norm(mean, sd)
    ci = (float(posterior.ppf(alpha / 2)), float(posterior.ppf(1 - alpha / 2)))
    chance = float(posterior.sf(0.0))
    return BayesianResult(mean, ci, sd, chance, expected_loss(mean, sd))
