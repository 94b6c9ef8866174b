"""The storage interface that ingestion, reports and the CLI depend on.

An engine (DuckDB by default, a distributed engine beside it) implements
`Store`; nothing outside `storage/` imports an engine module directly except
the factory in `open_store`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class QueryResult:
    """Rows of a query with their column names."""

    columns: list[str]
    rows: list[tuple[Any, ...]]

    def dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row)) for row in self.rows]

    def scalar(self) -> Any:
        return self.rows[0][0] if self.rows else None


class StorageError(Exception):
    """A store could not be opened, migrated or written."""


class Store(Protocol):
    """What every storage engine offers."""

    dialect: str

    def query(
        self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
    ) -> QueryResult:
        """Run a read-only SQL statement in the engine's dialect."""

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> int:
        """Run a write statement; return the number of rows it changed."""

    def load_spool_records(
        self,
        events: Iterable[Mapping[str, Any]],
        quarantined: Iterable[Mapping[str, Any]],
        progress: Mapping[str, tuple[int, bool]],
    ) -> int:
        """Insert events (ignoring known event ids) and quarantined bodies, and
        record spool progress, all in one transaction. Returns new events."""

    def close(self) -> None:
        """Release the engine's resources."""
