"""Search query normalisation: the one definition every part of the product uses.

The loader fills `events.query_normalized` with `normalize_query`, and the
search report groups, counts and matches clicks to searches by that column,
so two queries that differ only in case, character width or spacing are one
query everywhere.
"""

from __future__ import annotations

import unicodedata


def normalize_query(text: str | None) -> str | None:
    """Return TEXT in NFKC form, trimmed, with runs of whitespace collapsed to
    one space and case-folded; None stays None.

    Case folding can produce characters outside NFKC (and NFKC can produce
    characters that fold further), so NFKC is applied again after folding:
    Unicode's "compatibility caseless match" (section 3.13 of the standard).
    """
    if text is None:
        return None
    folded = unicodedata.normalize(
        "NFKC", unicodedata.normalize("NFKC", text).casefold()
    )
    # str.split() with no argument splits on every Unicode whitespace
    # character and drops the empty ends, which both trims and collapses.
    return " ".join(folded.split())
