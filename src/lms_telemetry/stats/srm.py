"""Sample ratio mismatch: is the observed split the one that was configured?

Pearson's chi-square goodness of fit. With weights w normalised to sum 1
and N units in all, variant i expects E_i = w_i N units and

    X^2 = sum_i (O_i - E_i)^2 / E_i,

compared with a chi-square distribution with k - 1 degrees of freedom, k
the number of variants with a positive weight. A variant with weight 0 that
received units cannot happen by chance, so the p-value is then 0. A split
is flagged as a mismatch below `SRM_P_VALUE_THRESHOLD`: a low bar because
the check runs on every look at every experiment.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from scipy import stats as distributions

from lms_telemetry.stats.models import StatsError

SRM_P_VALUE_THRESHOLD = 0.001


def _check(units_per_variant: Sequence[int], weights: Sequence[float]) -> None:
    if len(units_per_variant) != len(weights):
        raise StatsError(
            f"units_per_variant has {len(units_per_variant)} entries but weights"
            f" has {len(weights)}; they must match"
        )
    if len(weights) < 2:
        raise StatsError("an SRM check needs at least two variants")
    for units in units_per_variant:
        if isinstance(units, bool) or not isinstance(units, int) or units < 0:
            raise StatsError(f"units {units!r} must be a non-negative whole number")
    for weight in weights:
        if not (weight >= 0 and math.isfinite(weight)):
            raise StatsError(f"weight {weight!r} must be a non-negative number")
    if sum(weights) <= 0:
        raise StatsError("weights must not all be zero")


def srm_p_value(units_per_variant: Sequence[int], weights: Sequence[float]) -> float:
    """P-value of the observed units per variant under the configured weights."""
    _check(units_per_variant, weights)
    total_units = sum(units_per_variant)
    if total_units == 0:
        return 1.0

    total_weight = sum(weights)
    statistic = 0.0
    categories = 0
    for observed, weight in zip(units_per_variant, weights):
        if weight == 0:
            if observed:
                return 0.0
            continue
        expected = weight / total_weight * total_units
        statistic += (observed - expected) ** 2 / expected
        categories += 1
    if categories < 2:
        return 1.0
    return float(distributions.chi2.sf(statistic, categories - 1))


def is_sample_ratio_mismatch(p_value: float) -> bool:
    return p_value < SRM_P_VALUE_THRESHOLD
