"""The dashboard in a real headless Chromium: charts, numbers, filters,
escaping, keyboard, phone width, dark mode and accessibility."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.dashboard.browser import (
    AXE_SCRIPT,
    CHART_VALUES,
    PAINTED_PIXELS,
    api_query,
    launch_chromium,
    log_in,
    row_headers,
    run_axe,
    table_values,
    tile_values,
)
from tests.dashboard.conftest import ARTIFACTS, PAGE_PATHS, Dashboard
from tests.dashboard.traffic import EXPERIMENT_KEY, PEOPLE, XSS_MESSAGE, XSS_QUERY

pytestmark = pytest.mark.browser
SCREENSHOTS = ARTIFACTS / "screenshots"
# Charts each page must draw with data from the test traffic.
CHARTS_WITH_DATA = {
    "overview": 4, "features": 1, "workflows": 1, "search": 2, "content": 1,
    "performance": 3, "errors": 2, "quality": 1, "experiments": 2,
}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def admin_page(browser: Browser, dashboard: Dashboard) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = log_in(context, dashboard.url, "admin", dashboard.admin_password)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    assert dialogs == [], "a script ran and opened a dialog"
    context.close()


def open_page(page: Page, url: str, key: str, query: str = "") -> None:
    page.goto(f"{url}{PAGE_PATHS[key]}{'?' + query if query else ''}")
    page.wait_for_load_state("load")
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll("
        "'figure.chart[data-has-data=true]')).every(f => f.dataset.rendered)"
    )


def chart_table_columns(page: Page, figure_id: str) -> list[list[Any]]:
    rows = table_values(page, f"#{figure_id} .chart-table table")
    return [list(column) for column in zip(*rows)] if rows else []


@pytest.mark.parametrize("key", list(PAGE_PATHS))
def test_page_draws_each_chart_with_its_table_values(
    admin_page: Page, dashboard: Dashboard, key: str
) -> None:
    console_errors: list[str] = []
    admin_page.on(
        "console",
        lambda message: console_errors.append(message.text)
        if message.type == "error" else None,
    )

    open_page(admin_page, dashboard.url, key)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    admin_page.screenshot(path=str(SCREENSHOTS / f"{key}.png"), full_page=True)

    figures = admin_page.query_selector_all("figure.chart[data-has-data=true]")
    assert len(figures) >= CHARTS_WITH_DATA.get(key, 0)
    for figure in figures:
        canvas = figure.query_selector("canvas")
        assert canvas is not None
        assert canvas.evaluate(PAINTED_PIXELS) > 100
        drawn = canvas.evaluate(CHART_VALUES)
        figure_id = figure.get_attribute("id")
        if "chart-matrix" not in (figure.get_attribute("class") or ""):
            assert drawn == chart_table_columns(admin_page, figure_id)
        else:
            table = f"#{figure_id} .chart-table table"
            cells = [v for row in table_values(admin_page, table)
                     for v in row if v is not None]
            assert sorted(drawn[0]) == sorted(cells)
    assert console_errors == []


def test_overview_numbers_equal_the_report_api(
    admin_page: Page, dashboard: Dashboard
) -> None:
    open_page(admin_page, dashboard.url, "overview")
    query = api_query(admin_page)
    overview = dashboard.report("overview", query)
    sessions = dashboard.report("sessions", query)

    tiles = tile_values(admin_page)

    assert tiles["events"] == overview["events"] > 0
    assert tiles["sessions"] == overview["sessions"] > 0
    assert tiles["pseudonymous_ids"] == overview["pseudonymous_ids"]
    assert tiles["bots_excluded"] == overview["bots_excluded"]
    assert tiles["duration_p50"] == sessions["duration_seconds"]["p50"]
    by_event = dict(zip(row_headers(admin_page, "#by-event"),
                        (row[0] for row in table_values(admin_page, "#by-event"))))
    assert by_event == overview["by_event"]
    daily = chart_table_columns(admin_page, "chart-daily")
    assert daily == [[d["events"] for d in overview["daily"]],
                     [d["sessions"] for d in overview["daily"]]]


def test_search_numbers_equal_the_report_api(
    admin_page: Page, dashboard: Dashboard
) -> None:
    open_page(admin_page, dashboard.url, "search")
    search = dashboard.report("search", api_query(admin_page))

    tiles = tile_values(admin_page)
    queries = row_headers(admin_page, "#top-queries-table")

    assert tiles["searches"] == search["searches"] > 0
    for key in ("zero_result_rate", "click_through_rate", "reformulation_rate",
                "mean_click_position", "suggestion_clicks"):
        assert tiles[key] == search[key], key
    assert tiles["latency_p50"] == search["latency_ms"]["p50"]
    assert tiles["latency_p95"] == search["latency_ms"]["p95"]
    assert queries == [row["query"] for row in search["top_queries"]]
    assert table_values(admin_page, "#top-queries-table") == [
        [r["searches"], r["pseudonymous_ids"], r["zero_result_searches"],
         r["clicked_searches"]] for r in search["top_queries"]
    ]


@pytest.mark.parametrize(
    ("key", "report", "table_id", "columns"),
    [
        ("features", "features", "feature-rows", ("events", "pseudonymous_ids")),
        ("content", "content", "items", ("views", "borrows", "holds", "renewals")),
        ("performance", "performance", "endpoints",
         ("requests", "server_error_rate", "client_error_rate", "p50_ms", "p95_ms",
          "p99_ms")),
        ("errors", "errors", "error-groups", ("events", "sessions")),
    ],
)
def test_report_table_equals_the_report_api(
    admin_page: Page, dashboard: Dashboard, key: str, report: str,
    table_id: str, columns: tuple[str, ...],
) -> None:
    open_page(admin_page, dashboard.url, key)
    answer = dashboard.report(report, api_query(admin_page))
    rows = {"features": "rows", "content": "items", "performance": "endpoints",
            "errors": "groups"}[report]

    shown = [row[:len(columns)] for row in table_values(admin_page, f"#{table_id}")]

    assert shown == [[r[c] for c in columns] for r in answer[rows]]
    assert shown, "the test traffic should fill this table"


def test_funnel_steps_equal_the_report_api(
    admin_page: Page, dashboard: Dashboard
) -> None:
    open_page(admin_page, dashboard.url, "workflows")
    funnels = dashboard.report("funnels", api_query(admin_page))["funnels"]

    shown = table_values(admin_page, "#main table.funnel-steps")

    first = funnels[0]["steps"]
    assert shown[:len(first)] == [
        [s["sessions"], s["conversion_from_previous"], s["conversion_from_start"],
         s["median_seconds_from_previous"]] for s in first
    ]
    assert first[0]["sessions"] > 0


def test_experiment_shows_every_exposed_unit_and_a_verdict(
    admin_page: Page, dashboard: Dashboard
) -> None:
    open_page(admin_page, dashboard.url, "experiments")
    section = f"[data-experiment={EXPERIMENT_KEY}]"

    tiles = tile_values(admin_page)
    units = table_values(admin_page, "#chart-experiment-0-units .chart-table table")
    verdict = admin_page.inner_text(f"{section} [data-verdict]")

    # Every person of the traffic saw the experiment, alternating variants.
    assert tiles["units_analysed"] == PEOPLE
    assert tiles["units_in_multiple_variants"] == 0
    assert units == [[PEOPLE // 2], [PEOPLE - PEOPLE // 2]]
    assert verdict.strip()


def test_persona_filter_changes_the_numbers_like_the_api(
    admin_page: Page, dashboard: Dashboard
) -> None:
    open_page(admin_page, dashboard.url, "overview")
    everyone = tile_values(admin_page)["events"]

    admin_page.select_option("#f-persona", "librarian")
    admin_page.click("form.filters button[type=submit]")
    admin_page.wait_for_url("**persona=librarian**")
    librarians = tile_values(admin_page)["events"]

    expected = dashboard.report("overview", api_query(admin_page))
    assert "persona=librarian" in api_query(admin_page)
    assert librarians == expected["events"]
    assert 0 < librarians < everyone
    assert set(expected["by_persona"]) == {"librarian"}


def test_custom_period_without_traffic_shows_zero_and_dashes(
    admin_page: Page, dashboard: Dashboard
) -> None:
    open_page(admin_page, dashboard.url, "overview")
    admin_page.select_option("#f-period", "custom")
    admin_page.fill("#f-since", "2020-01-01")
    admin_page.fill("#f-until", "2020-01-08")
    admin_page.click("form.filters button[type=submit]")
    admin_page.wait_for_url("**period=custom**")

    tiles = tile_values(admin_page)
    search_page_query = "period=custom&since=2020-01-01&until=2020-01-08"
    open_page(admin_page, dashboard.url, "search", search_page_query)
    search_tiles = tile_values(admin_page)

    assert "since=2020-01-01&until=2020-01-08" in admin_page.url
    assert tiles["events"] == 0
    assert search_tiles["zero_result_rate"] is None
    assert admin_page.inner_text("[data-metric=zero_result_rate] .tile-value") == "–"


def test_bad_filter_answers_400_naming_the_field(
    admin_page: Page, dashboard: Dashboard
) -> None:
    response = admin_page.goto(f"{dashboard.url}/dashboard/search?tz=Mars/Olympus")

    assert response is not None and response.status == 400
    assert admin_page.get_attribute("[role=alert]", "data-field") == "tz"
    assert "'Mars/Olympus' is not an IANA zone" in admin_page.inner_text("[role=alert]")


@pytest.mark.parametrize(
    ("key", "selector", "payload"),
    [("search", "#top-queries-table th.query", XSS_QUERY),
     ("errors", "#error-groups th.message", XSS_MESSAGE)],
)
def test_script_payloads_show_as_text_and_never_run(
    admin_page: Page, dashboard: Dashboard, key: str, selector: str, payload: str
) -> None:
    open_page(admin_page, dashboard.url, key)

    texts = admin_page.eval_on_selector_all(
        selector, "cells => cells.map(c => c.innerText.replace(/^\\S*Error /, ''))"
    )
    injected = admin_page.eval_on_selector_all(
        f"{selector} script, {selector} img", "nodes => nodes.length"
    )

    # The errors report masks quoted values, so compare the opening tag only.
    opening_tag = payload[:payload.index("(")]
    assert any(text.startswith(opening_tag) for text in texts), texts
    assert injected == 0


@pytest.mark.parametrize("key", [*PAGE_PATHS, "login"])
def test_page_has_no_serious_accessibility_violations(
    browser: Browser, dashboard: Dashboard, key: str
) -> None:
    assert AXE_SCRIPT.exists(), "run npm ci in tests/dashboard first"
    # Injecting axe is an inline script, which the page's policy forbids.
    context = browser.new_context(bypass_csp=True)
    try:
        if key == "login":
            page = context.new_page()
            page.goto(f"{dashboard.url}/login")
        else:
            page = log_in(context, dashboard.url, "admin", dashboard.admin_password)
            open_page(page, dashboard.url, key)
        assert run_axe(page) == []
    finally:
        context.close()


def test_dark_mode_keeps_contrast_and_redraws_charts(
    browser: Browser, dashboard: Dashboard
) -> None:
    context = browser.new_context(bypass_csp=True, color_scheme="dark")
    try:
        page = log_in(context, dashboard.url, "admin", dashboard.admin_password)
        open_page(page, dashboard.url, "performance")
        background = page.evaluate(
            "() => getComputedStyle(document.body).backgroundColor"
        )
        page.screenshot(path=str(SCREENSHOTS / "performance-dark.png"), full_page=True)

        assert background == "rgb(18, 20, 23)"
        assert run_axe(page) == []
    finally:
        context.close()


def test_theme_button_switches_to_light_and_remembers_it(
    admin_page: Page, dashboard: Dashboard
) -> None:
    open_page(admin_page, dashboard.url, "overview")

    admin_page.click("#theme-toggle")
    admin_page.reload()

    assert admin_page.get_attribute("html", "data-theme") == "light"
    assert admin_page.inner_text("#theme-toggle") == "Theme: light"


def test_keyboard_reaches_content_through_the_skip_link(
    admin_page: Page, dashboard: Dashboard
) -> None:
    open_page(admin_page, dashboard.url, "search")

    admin_page.keyboard.press("Tab")
    first = admin_page.evaluate("() => document.activeElement.textContent")
    admin_page.keyboard.press("Enter")

    assert first == "Skip to content"
    assert admin_page.evaluate("() => document.activeElement.id") == "main"


def test_phone_width_has_no_sideways_scrolling(
    browser: Browser, dashboard: Dashboard
) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 800})
    try:
        page = log_in(context, dashboard.url, "admin", dashboard.admin_password)
        for key in ("overview", "search", "performance"):
            open_page(page, dashboard.url, key)
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth"
                " - document.documentElement.clientWidth"
            )
            page.screenshot(
                path=str(SCREENSHOTS / f"{key}-phone.png"), full_page=True
            )
            assert overflow <= 0, key
    finally:
        context.close()
