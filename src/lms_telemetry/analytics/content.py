"""The content report: the most borrowed and viewed items.

Borrows, holds and renewals count successful outcomes only: an event whose
outcome is "refused" or absent is an attempt, not a loan. With a catalogue
CSV (goodbooks-10k layout: book_id, title, authors) each row gets its title
and authors.
"""

from __future__ import annotations

import csv
import functools
from pathlib import Path
from typing import Any

from lms_telemetry.analytics._rollup_scope import run_statement
from lms_telemetry.analytics._scope import (
    DEFAULT_LIMIT,
    Bound,
    ReportError,
    positive_int,
    reject_unknown_options,
    resolve_scope,
)
from lms_telemetry.storage.base import Store


def report(
    store: Store,
    since: Bound,
    until: Bound,
    tz: str = "UTC",
    persona: str | None = None,
    interface: str | None = None,
    *,
    limit: Any = None,
    catalog: str | Path | None = None,
    **options: Any,
) -> dict[str, Any]:
    """Items ordered by borrows, then views, descending, then item_id."""
    reject_unknown_options("content", options)
    scope = resolve_scope(since, until, tz, persona, interface)
    top = positive_int("limit", limit, DEFAULT_LIMIT)
    items = run_statement(store, "content", "items", scope, extra={"limit": top})
    if catalog:
        titles = read_catalog(Path(catalog))
        for item in items:
            title, authors = titles.get(item["item_id"], (None, None))
            item["title"], item["authors"] = title, authors
    return {"items": items}


def read_catalog(path: Path) -> dict[str, tuple[str, str]]:
    """item id -> (title, authors) from a catalogue CSV, cached per version."""
    try:
        modified = path.stat().st_mtime_ns
    except OSError:
        raise ReportError(
            "catalog", f"Catalogue file {str(path)!r} cannot be read"
        ) from None
    return _read_catalog(path, modified)


@functools.lru_cache(maxsize=4)
def _read_catalog(path: Path, modified_ns: int) -> dict[str, tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"book_id", "title", "authors"} - set(reader.fieldnames or [])
        if missing:
            raise ReportError(
                "catalog",
                f"Catalogue file {str(path)!r} lacks the columns "
                f"{', '.join(sorted(missing))}",
            )
        return {row["book_id"]: (row["title"], row["authors"]) for row in reader}
