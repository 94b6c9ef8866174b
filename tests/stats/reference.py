"""Shared helpers for comparing our statistics with gbstats' results."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from lms_telemetry.stats import CupedStats, MeanStats, ProportionStats, RatioStats
from lms_telemetry.stats.models import VariantStats

# Agreement the issue asks for; absolute slack only for values near zero.
RELATIVE_TOLERANCE = 1e-5
ABSOLUTE_TOLERANCE = 1e-9


def spec(stats: VariantStats) -> dict[str, Any]:
    """The runner's JSON form of our statistics object."""
    if isinstance(stats, ProportionStats):
        return {"type": "proportion", "n": stats.n, "sum": stats.conversions}
    if isinstance(stats, MeanStats):
        return {
            "type": "mean",
            "n": stats.n,
            "sum": stats.sum,
            "sum_squares": stats.sum_squares,
        }
    if isinstance(stats, RatioStats):
        return {
            "type": "ratio",
            "n": stats.n,
            "numerator": spec(stats.numerator),
            "denominator": spec(stats.denominator),
            "cross": stats.sum_numerator_times_denominator,
        }
    assert isinstance(stats, CupedStats)
    return {
        "type": "cuped",
        "n": stats.n,
        "post": spec(stats.post),
        "pre": spec(stats.pre),
        "cross": stats.sum_post_times_pre,
    }


def is_close(ours: float, theirs: float) -> bool:
    return math.isclose(
        ours, theirs, rel_tol=RELATIVE_TOLERANCE, abs_tol=ABSOLUTE_TOLERANCE
    )


def assert_close(ours: float | Sequence[float], theirs: Any, what: str) -> None:
    if isinstance(ours, (int, float)):
        assert is_close(ours, theirs), f"{what}: ours {ours!r}, gbstats {theirs!r}"
        return
    assert len(ours) == len(theirs), what
    for index, (mine, reference) in enumerate(zip(ours, theirs)):
        assert is_close(mine, reference), (
            f"{what}[{index}]: ours {mine!r}, gbstats {reference!r}"
        )


def mean_stats(values: Sequence[float]) -> MeanStats:
    return MeanStats(len(values), float(sum(values)), float(sum(v * v for v in values)))
