"""Query normalisation: NFKC, trimmed, whitespace collapsed, case-folded."""

from __future__ import annotations

import pytest

from lms_telemetry.analytics.queries import normalize_query


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Harry Potter", "harry potter"),
        ("  harry   potter ", "harry potter"),
        ("HARRY\tPOTTER\n", "harry potter"),
        # Full-width letters (U+FF28...) are the same query once NFKC-folded.
        ("\uff28\uff41\uff52\uff52\uff59 potter", "harry potter"),
        # A no-break space and an ideographic space are whitespace too.
        ("harry\u00a0\u3000potter", "harry potter"),
        ("Straße", "strasse"),
        # The ligature U+FB01 expands under NFKC.
        ("\ufb01sh", "fish"),
        ("   ", ""),
    ],
)
def test_queries_differing_in_case_width_or_spacing_normalize_alike(
    raw: str, expected: str
) -> None:
    assert normalize_query(raw) == expected


def test_missing_query_stays_missing() -> None:
    assert normalize_query(None) is None


def test_distinct_words_stay_distinct() -> None:
    assert normalize_query("harry potter") != normalize_query("harrypotter")
