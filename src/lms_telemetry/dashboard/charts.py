"""Charts as data: what a template renders as a canvas plus its table.

A `Chart` holds labels and series taken unchanged from a report; the page
embeds it as JSON (read by `dashboard.js`, drawn by the vendored Chart.js)
and renders the same values as a table, the chart's accessible alternative.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

CHART_KINDS = ("line", "bar", "horizontal-bar", "doughnut", "matrix", "sparkline")


@dataclass(frozen=True)
class Series:
    label: str
    values: list[float | int | None]
    unit: str = ""


@dataclass(frozen=True)
class Chart:
    """One chart: `labels` along one axis, one value per label per series."""

    chart_id: str
    title: str
    kind: str
    labels: list[str]
    series: list[Series]
    label_heading: str = ""
    # For a matrix (heat map): the row labels; each series is one row.
    value_format: str = "number"
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in CHART_KINDS:
            raise ValueError(f"Chart kind {self.kind!r} is not one of {CHART_KINDS}")

    @property
    def has_data(self) -> bool:
        return any(
            value not in (None, 0) for serie in self.series for value in serie.values
        )

    def spec(self) -> dict[str, Any]:
        """What dashboard.js needs to draw the chart."""
        return {
            "kind": self.kind,
            "labels": self.labels,
            "series": [
                {"label": serie.label, "values": serie.values, "unit": serie.unit}
                for serie in self.series
            ],
            "format": self.value_format,
            **self.extra,
        }

    def table_rows(self) -> list[tuple[str, list[float | int | None]]]:
        """One row per label with each series' value, for the table view."""
        return [
            (label, [serie.values[index] for serie in self.series])
            for index, label in enumerate(self.labels)
        ]


def chart_from_mapping(
    chart_id: str,
    title: str,
    kind: str,
    counts: Mapping[str, Any],
    series_label: str,
    label_heading: str,
) -> Chart:
    """A one-series chart of a name -> number mapping, largest first."""
    ordered = sorted(counts.items(), key=lambda item: (-(item[1] or 0), item[0]))
    return Chart(
        chart_id,
        title,
        kind,
        [str(name) for name, _ in ordered],
        [Series(series_label, [value for _, value in ordered])],
        label_heading=label_heading,
    )


def chart_from_rows(
    chart_id: str,
    title: str,
    kind: str,
    rows: Sequence[Mapping[str, Any]],
    label_key: str,
    series: Iterable[tuple[str, str]],
    label_heading: str,
    value_format: str = "number",
) -> Chart:
    """A chart whose labels and series are columns of report rows.

    `series` pairs a row key with the series label shown to people.
    """
    return Chart(
        chart_id,
        title,
        kind,
        [str(row[label_key]) for row in rows],
        [Series(label, [row.get(key) for row in rows]) for key, label in series],
        label_heading=label_heading,
        value_format=value_format,
    )


def heat_map(
    chart_id: str,
    title: str,
    rows: Sequence[Mapping[str, Any]],
    row_key: str,
    column_key: str,
    value_key: str,
) -> Chart:
    """A matrix chart: one series per row label, one value per column label.

    Cells no report row mentions are None (shown empty), not 0.
    """
    row_labels = list(dict.fromkeys(str(row[row_key]) for row in rows))
    column_labels = sorted({str(row[column_key]) for row in rows})
    values = {(str(r[row_key]), str(r[column_key])): r[value_key] for r in rows}
    series = [
        Series(row_label, [values.get((row_label, column)) for column in column_labels])
        for row_label in row_labels
    ]
    return Chart(
        chart_id,
        title,
        "matrix",
        column_labels,
        series,
        label_heading=column_key.capitalize(),
    )
