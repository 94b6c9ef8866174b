"""srm_p_value against gbstats 0.8.0 and scipy's chi-square test."""

from __future__ import annotations

from typing import Any

import pytest
from scipy import stats as scipy_stats

from lms_telemetry.stats import StatsError, is_sample_ratio_mismatch, srm_p_value
from tests.stats.conftest import RunGbstats
from tests.stats.reference import assert_close

CASES = [
    ([5021, 4979], [0.5, 0.5]),
    ([2010, 2950, 5040], [0.2, 0.3, 0.5]),
    ([1200, 800], [0.6, 0.4]),
    ([5300, 4700], [0.5, 0.5]),
    ([100, 110, 90, 130], [0.25, 0.25, 0.25, 0.25]),
]


@pytest.fixture(scope="module")
def reference(gbstats: RunGbstats) -> list[Any]:
    cases = [
        {"kind": "srm", "units": units, "weights": weights} for units, weights in CASES
    ]
    cases.append({"kind": "srm", "units": [100, 0, 120], "weights": [0.5, 0, 0.5]})
    return gbstats(cases)


@pytest.mark.parametrize("index", range(len(CASES)))
def test_p_value_matches_gbstats(index: int, reference: list[Any]) -> None:
    units, weights = CASES[index]
    assert_close(srm_p_value(units, weights), reference[index], "srm p-value")


@pytest.mark.parametrize("units,weights", CASES)
def test_p_value_matches_scipy_chisquare(
    units: list[int], weights: list[float]
) -> None:
    expected = [w / sum(weights) * sum(units) for w in weights]
    assert srm_p_value(units, weights) == pytest.approx(
        scipy_stats.chisquare(units, expected).pvalue, rel=1e-12
    )


def test_zero_weight_variant_has_no_degree_of_freedom(reference: list[Any]) -> None:
    # gbstats 0.8.0 skips a zero-weight variant in the statistic but still
    # counts it in the degrees of freedom; a category that can hold no
    # units carries no freedom, so the test has one degree, not two.
    ours = srm_p_value([100, 0, 120], [0.5, 0.0, 0.5])
    assert ours == pytest.approx(scipy_stats.chisquare([100, 120]).pvalue, rel=1e-12)
    assert reference[-1] == pytest.approx(
        scipy_stats.chi2.sf(scipy_stats.chisquare([100, 120]).statistic, 2)
    )


def test_units_in_zero_weight_variant_are_a_certain_mismatch() -> None:
    assert srm_p_value([100, 3, 100], [0.5, 0.0, 0.5]) == 0.0


def test_mismatch_flagged_below_threshold() -> None:
    assert is_sample_ratio_mismatch(srm_p_value([5300, 4700], [0.5, 0.5]))
    assert not is_sample_ratio_mismatch(srm_p_value([5021, 4979], [0.5, 0.5]))
    assert srm_p_value([0, 0], [0.5, 0.5]) == 1.0


@pytest.mark.parametrize(
    "units,weights,message",
    [
        ([10, 10], [0.5], "must match"),
        ([10, -1], [0.5, 0.5], "units -1"),
        ([10, 10], [0.5, -0.5], "weight -0.5"),
        ([10, 10], [0, 0], "all be zero"),
    ],
)
def test_misuse_raises(units: list[int], weights: list[float], message: str) -> None:
    with pytest.raises(StatsError, match=message):
        srm_p_value(units, weights)
