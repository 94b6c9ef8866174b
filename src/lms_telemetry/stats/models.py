"""Sufficient statistics of one variant, and the results the tests return.

A variant's data reaches the engines only as sums over its units, so the
analysis can compute them in SQL:

- `MeanStats(n, sum, sum_squares)`: a per-unit value x. Mean = sum / n;
  variance is the unbiased sample variance
  (sum_squares - sum^2 / n) / (n - 1).
- `ProportionStats(n, conversions)`: a per-unit 0/1 value. p = conversions / n
  and variance = p (1 - p), the Bernoulli variance.
- `RatioStats(n, numerator, denominator, sum_numerator_times_denominator)`:
  a ratio of sums such as clicks per search, whose units are still the
  randomised units. Mean = sum(m) / sum(d); the per-unit variance comes from
  the delta method: var(m)/d^2 - 2 cov(m, d) m / d^3 + m^2 var(d) / d^4,
  with m and d the per-unit means.
- `CupedStats(n, post, pre, sum_post_times_pre)`: the metric after exposure
  (post) with the same metric before it (pre) as covariate; the engines
  estimate theta from both variants together (see `stats.cuped`).

Caller mistakes (negative counts, more conversions than units, mismatched
sizes) raise `StatsError`; data that is valid but degenerate is accepted
here and reported by the tests as a result carrying an error code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Error codes carried by results computed from degenerate data.
NO_UNITS_IN_VARIANT = "NO_UNITS_IN_VARIANT"
ZERO_NEGATIVE_VARIANCE = "ZERO_NEGATIVE_VARIANCE"
ZERO_CONTROL_MEAN = "ZERO_CONTROL_MEAN"


class StatsError(ValueError):
    """A statistics function was called with arguments that make no sense."""


def _check_count(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise StatsError(f"{name} {value!r} must be a non-negative whole number")


def _check_finite(name: str, value: float) -> None:
    if not math.isfinite(value):
        raise StatsError(f"{name} {value!r} must be a finite number")


@dataclass(frozen=True)
class MeanStats:
    """Units, sum and sum of squares of a per-unit value."""

    n: int
    sum: float
    sum_squares: float

    def __post_init__(self) -> None:
        _check_count("n", self.n)
        _check_finite("sum", self.sum)
        _check_finite("sum_squares", self.sum_squares)
        if self.sum_squares < 0:
            raise StatsError(f"sum_squares {self.sum_squares!r} must not be negative")

    @property
    def mean(self) -> float:
        return self.sum / self.n if self.n else 0.0

    @property
    def variance(self) -> float:
        if self.n <= 1:
            return 0.0
        return (self.sum_squares - self.sum**2 / self.n) / (self.n - 1)


@dataclass(frozen=True)
class ProportionStats:
    """Units and how many of them converted."""

    n: int
    conversions: int

    def __post_init__(self) -> None:
        _check_count("n", self.n)
        _check_count("conversions", self.conversions)
        if self.conversions > self.n:
            raise StatsError(
                f"conversions {self.conversions!r} must not exceed n {self.n!r}"
            )

    @property
    def mean(self) -> float:
        return self.conversions / self.n if self.n else 0.0

    @property
    def variance(self) -> float:
        return self.mean * (1.0 - self.mean)


@dataclass(frozen=True)
class RatioStats:
    """A ratio of two per-unit sums, e.g. clicked searches per search."""

    n: int
    numerator: MeanStats
    denominator: MeanStats
    sum_numerator_times_denominator: float

    def __post_init__(self) -> None:
        _check_count("n", self.n)
        _check_finite(
            "sum_numerator_times_denominator", self.sum_numerator_times_denominator
        )
        for name, part in (
            ("numerator", self.numerator),
            ("denominator", self.denominator),
        ):
            if part.n != self.n:
                raise StatsError(f"{name}.n {part.n!r} must equal n {self.n!r}")

    @property
    def mean(self) -> float:
        if self.denominator.sum == 0:
            return 0.0
        return self.numerator.sum / self.denominator.sum

    @property
    def covariance(self) -> float:
        if self.n <= 1:
            return 0.0
        cross = self.numerator.sum * self.denominator.sum / self.n
        return (self.sum_numerator_times_denominator - cross) / (self.n - 1)

    @property
    def variance(self) -> float:
        m, d = self.numerator.mean, self.denominator.mean
        if d == 0 or self.n <= 1:
            return 0.0
        return (
            self.numerator.variance / d**2
            - 2 * self.covariance * m / d**3
            + m**2 * self.denominator.variance / d**4
        )


@dataclass(frozen=True)
class CupedStats:
    """A metric after exposure with the same metric before it as covariate."""

    n: int
    post: MeanStats
    pre: MeanStats
    sum_post_times_pre: float

    def __post_init__(self) -> None:
        _check_count("n", self.n)
        _check_finite("sum_post_times_pre", self.sum_post_times_pre)
        for name, part in (("post", self.post), ("pre", self.pre)):
            if not isinstance(part, MeanStats):
                raise StatsError(f"{name} must be MeanStats, not {type(part).__name__}")
            if part.n != self.n:
                raise StatsError(f"{name}.n {part.n!r} must equal n {self.n!r}")

    @property
    def covariance(self) -> float:
        """Sample covariance of post and pre over this variant's units."""
        if self.n <= 1:
            return 0.0
        cross = self.post.sum * self.pre.sum / self.n
        return (self.sum_post_times_pre - cross) / (self.n - 1)


VariantStats = MeanStats | ProportionStats | RatioStats | CupedStats


@dataclass(frozen=True)
class FrequentistResult:
    """Effect of treatment over control with a confidence interval.

    `ci` ends are infinities where the interval is unbounded (one-sided
    tests). `error` is None, or a code saying why the data could not be
    tested; the effect is then 0 and the p-value 1.
    """

    effect: float
    ci: tuple[float, float]
    effect_stddev: float
    p_value: float
    error: str | None = None


@dataclass(frozen=True)
class BayesianResult:
    """Posterior of the effect of treatment over control.

    `risk` is the expected loss of (choosing control, choosing treatment).
    """

    effect: float
    ci: tuple[float, float]
    effect_stddev: float
    chance_to_win: float
    risk: tuple[float, float]
    error: str | None = None
