"""Holm's step-down correction for the many tests of one experiment.

An experiment tests every metric on every treatment variant; a few of those
would pass at alpha by luck. Holm controls the family-wise error rate
without assuming independence. Sorting the m p-values p_(1) <= ... <= p_(m),
the adjusted value of the j-th smallest is

    max over i <= j of min(1, (m - i + 1) p_(i)),

and rejecting every hypothesis whose adjusted p-value is at most alpha is
exactly Holm's procedure at level alpha.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from lms_telemetry.stats.models import StatsError


def holm_adjusted_p_values(p_values: Sequence[float]) -> list[float]:
    """Holm-adjusted p-values, in the order given."""
    for p in p_values:
        if not (0 <= p <= 1) or math.isnan(p):
            raise StatsError(f"p-value {p!r} must be between 0 and 1")
    count = len(p_values)
    order = sorted(range(count), key=lambda index: p_values[index])
    adjusted = [0.0] * count
    running_max = 0.0
    for rank, index in enumerate(order):
        running_max = max(running_max, min(1.0, (count - rank) * p_values[index]))
        adjusted[index] = running_max
    return adjusted
