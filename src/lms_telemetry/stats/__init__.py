"""Pure statistics for experiment analysis: no I/O.

The public API: the per-variant sufficient statistics (`MeanStats`,
`ProportionStats`, `RatioStats`, `CupedStats`), `frequentist_test`,
`bayesian_test` with `GaussianPrior`, `expected_loss`, `srm_p_value` and
`holm_adjusted_p_values`. Each module's docstring gives its formulas.
"""

from lms_telemetry.stats.bayesian import GaussianPrior, bayesian_test, expected_loss
from lms_telemetry.stats.correction import holm_adjusted_p_values
from lms_telemetry.stats.frequentist import frequentist_test
from lms_telemetry.stats.models import (
    NO_UNITS_IN_VARIANT,
    ZERO_CONTROL_MEAN,
    ZERO_NEGATIVE_VARIANCE,
    BayesianResult,
    CupedStats,
    FrequentistResult,
    MeanStats,
    ProportionStats,
    RatioStats,
    StatsError,
    VariantStats,
)
from lms_telemetry.stats.srm import (
    SRM_P_VALUE_THRESHOLD,
    is_sample_ratio_mismatch,
    srm_p_value,
)

__all__ = [
    "NO_UNITS_IN_VARIANT",
    "SRM_P_VALUE_THRESHOLD",
    "ZERO_CONTROL_MEAN",
    "ZERO_NEGATIVE_VARIANCE",
    "BayesianResult",
    "CupedStats",
    "FrequentistResult",
    "GaussianPrior",
    "MeanStats",
    "ProportionStats",
    "RatioStats",
    "StatsError",
    "VariantStats",
    "bayesian_test",
    "expected_loss",
    "frequentist_test",
    "holm_adjusted_p_values",
    "is_sample_ratio_mismatch",
    "srm_p_value",
]
