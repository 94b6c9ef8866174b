"""The funnels report: where workflows stall.

A funnel is ordered steps, each one or more event names ("item_borrowed|
hold_placed"). A session reaches step k when it has step-1 to step-k events
in that order; with a window, all within that many minutes of step 1.
Borrows, renewals and holds count only when their outcome is "success". The
borrow funnel of ARCHITECTURE.md is always reported; the configuration
(`reports.funnels`) adds others.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lms_telemetry.analytics import _rollup_scope as rolled
from lms_telemetry.analytics._scope import (
    Bound,
    ReportError,
    Scope,
    number,
    rate,
    read_sql,
    reject_unknown_options,
    resolve_scope,
    scoped_sql,
    sessioned_sql,
)
from lms_telemetry.storage.base import Store

OUTCOME_EVENTS = ("item_borrowed", "item_renewed", "hold_placed")
_EVENT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


@dataclass(frozen=True)
class Funnel:
    name: str
    steps: tuple[tuple[str, ...], ...]
    window_minutes: float | None = None

    @property
    def labels(self) -> list[str]:
        return ["|".join(step) for step in self.steps]


BORROW_FUNNEL = Funnel(
    "borrow",
    (("search_submitted",), ("item_viewed",), ("item_borrowed", "hold_placed")),
)


def parse_funnel(definition: Any) -> Funnel:
    """A `Funnel` from a configuration table {name, steps, window_minutes}."""
    if not isinstance(definition, dict) or not isinstance(definition.get("name"), str):
        raise ReportError("funnels", f"Funnel {definition!r} has no name")
    name = definition["name"]
    steps = definition.get("steps")
    if not isinstance(steps, list) or len(steps) < 2:
        raise ReportError(
            "funnels", f"Funnel {name!r} needs a list of two or more steps"
        )
    parsed = tuple(tuple(str(step).split("|")) for step in steps)
    for event in (event for step in parsed for event in step):
        if not _EVENT_NAME.match(event):
            raise ReportError(
                "funnels", f"Funnel {name!r} step {event!r} is not an event name"
            )
    window = definition.get("window_minutes")
    if window is not None and (
        isinstance(window, bool) or not isinstance(window, int | float) or window <= 0
    ):
        raise ReportError(
            "funnels",
            f"Funnel {name!r} window_minutes {window!r} must be a positive number",
        )
    return Funnel(name, parsed, None if window is None else float(window))


def report(
    store: Store,
    since: Bound,
    until: Bound,
    tz: str = "UTC",
    persona: str | None = None,
    interface: str | None = None,
    *,
    funnels: Sequence[Any] | None = None,
    **options: Any,
) -> dict[str, Any]:
    """The borrow funnel, then the configured ones, step by step."""
    reject_unknown_options("funnels", options)
    scope = resolve_scope(since, until, tz, persona, interface)
    defined = [BORROW_FUNNEL, *(parse_funnel(item) for item in funnels or [])]
    cut = (
        rolled.find_cut_sessions(store, scope)
        if rolled.rollups_are_current(store)
        else None
    )
    return {"funnels": [_run_funnel(store, scope, funnel, cut) for funnel in defined]}


def _step_flag(n: int, step: tuple[str, ...]) -> str:
    plain = [event for event in step if event not in OUTCOME_EVENTS]
    graded = [event for event in step if event in OUTCOME_EVENTS]
    conditions = []
    if plain:
        conditions.append(f"event IN ({_quoted(plain)})")
    if graded:
        conditions.append(f"(event IN ({_quoted(graded)}) AND outcome = 'success')")
    return f"({' OR '.join(conditions)}) AS is_step_{n}"


def _quoted(events: Sequence[str]) -> str:
    # Names are checked against _EVENT_NAME, so quoting them inline is safe.
    return ", ".join(f"'{event}'" for event in events)


def chain_ctes(funnel: Funnel) -> list[str]:
    """The CTEs that follow FUNNEL in `sessioned`, ending with `best`: per
    session, the time each step was reached (NULL when it was not)."""
    pieces = read_sql("funnels")
    count = len(funnel.steps)
    names = sorted({event for step in funnel.steps for event in step})
    flags = ", ".join(_step_flag(n, step) for n, step in enumerate(funnel.steps, 1))
    ctes = [
        pieces["marked"]
        .replace("{step_flags}", flags)
        .replace("{event_names}", _quoted(names)),
        pieces["first_step_each" if funnel.window_minutes else "first_step_earliest"],
    ]
    for n in range(2, count + 1):
        ctes.append(
            pieces["next_step"].replace("{n}", str(n)).replace("{previous}", str(n - 1))
        )
    reached = ", ".join(
        f"step_{n}.reached_at AS reached_{n}" for n in range(1, count + 1)
    )
    joins = " ".join(
        f"LEFT JOIN step_{n} USING (session_key, started_at)"
        for n in range(2, count + 1)
    )
    depth = " + ".join(
        f"(reached_{n} IS NOT NULL)::INTEGER" for n in range(1, count + 1)
    )
    ctes.append(
        pieces["best"]
        .replace("{reached_columns}", reached)
        .replace("{step_joins}", joins)
        .replace("{depth}", depth)
    )
    return ctes


def funnel_sql(
    scope: Scope, funnel: Funnel, cut: rolled.CutSessions | None = None
) -> str:
    """The one statement that measures FUNNEL in SCOPE: on the rollups (the
    borrow funnel's chains are kept per session there), given the sessions
    the period cuts, or on raw events (CUT is None)."""
    aggregates = ", ".join(_step_aggregate(n) for n in range(1, len(funnel.steps) + 1))
    if cut is None:
        ctes = [scoped_sql(scope), sessioned_sql(["event", "outcome"])]
        return _with(ctes + chain_ctes(funnel), f"SELECT {aggregates} FROM best")
    if funnel != BORROW_FUNNEL:
        ctes = ["{scoped}", "sessioned AS (SELECT * FROM scoped)", *chain_ctes(funnel)]
        return rolled.fill(_with(ctes, f"SELECT {aggregates} FROM best"), scope)
    ctes = ["{scoped}", "{cut_sessioned}", *chain_ctes(funnel)]
    ctes.append(read_sql("funnels")["rolled_up"])
    return rolled.fill(_with(ctes, f"SELECT {aggregates} FROM all_best"), scope, cut)


def _with(ctes: list[str], select: str) -> str:
    return "WITH " + ",\n".join(ctes) + "\n" + select


def _step_aggregate(n: int) -> str:
    if n == 1:
        return "count(reached_1) AS sessions_1, NULL::DOUBLE AS median_seconds_1"
    return (
        f"count(reached_{n}) AS sessions_{n}, quantile_cont("
        f"epoch(reached_{n} - reached_{n - 1}), 0.5) AS median_seconds_{n}"
    )


def _run_funnel(
    store: Store, scope: Scope, funnel: Funnel, cut: rolled.CutSessions | None
) -> dict[str, Any]:
    params = scope.params() | {"window_minutes": funnel.window_minutes}
    sql = funnel_sql(scope, funnel, cut)
    used = {key: value for key, value in params.items() if f"${key}" in sql}
    row = store.query(sql, used).dicts()[0]
    first = row["sessions_1"]
    steps = []
    for n, label in enumerate(funnel.labels, 1):
        reached = row[f"sessions_{n}"]
        previous = row[f"sessions_{n - 1}"] if n > 1 else None
        steps.append(
            {
                "step": label,
                "sessions": reached,
                "conversion_from_previous": rate(reached, previous) if n > 1 else None,
                "conversion_from_start": rate(reached, first),
                "median_seconds_from_previous": number(row[f"median_seconds_{n}"]),
            }
        )
    return {
        "name": funnel.name,
        "window_minutes": funnel.window_minutes,
        "steps": steps,
    }
