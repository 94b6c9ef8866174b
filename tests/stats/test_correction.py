"""Holm correction: adjusted p-values reproduce Holm's step-down procedure."""

from __future__ import annotations

import numpy as np
import pytest

from lms_telemetry.stats import StatsError, holm_adjusted_p_values


def _holm_rejections(p_values: list[float], alpha: float) -> set[int]:
    """Holm's procedure as stated: step down until the first failure."""
    count = len(p_values)
    rejected: set[int] = set()
    for rank, index in enumerate(sorted(range(count), key=lambda i: p_values[i])):
        if p_values[index] > alpha / (count - rank):
            break
        rejected.add(index)
    return rejected


def test_known_values() -> None:
    # By hand: sorted 0.01, 0.03, 0.04 times 3, 2, 1 -> 0.03, 0.06, 0.04,
    # then made non-decreasing -> 0.03, 0.06, 0.06.
    assert holm_adjusted_p_values([0.01, 0.04, 0.03]) == pytest.approx(
        [0.03, 0.06, 0.06]
    )


@pytest.mark.parametrize("seed", range(5))
def test_adjusted_values_reject_exactly_what_holm_rejects(seed: int) -> None:
    rng = np.random.default_rng(seed)
    p_values = np.concatenate([rng.uniform(0, 0.02, 4), rng.uniform(0, 1, 8)]).tolist()
    adjusted = holm_adjusted_p_values(p_values)
    for alpha in (0.001, 0.01, 0.05, 0.1, 0.2):
        by_adjusted = {i for i, p in enumerate(adjusted) if p <= alpha}
        assert by_adjusted == _holm_rejections(p_values, alpha)


def test_empty_and_invalid_input() -> None:
    assert holm_adjusted_p_values([]) == []
    with pytest.raises(StatsError, match="p-value 1.5"):
        holm_adjusted_p_values([0.1, 1.5])
