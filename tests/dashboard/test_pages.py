"""What the pages say, read over HTTP as an admin: filters the trend cannot
use, error groups, experiment notes and configured values."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator

import httpx
import pytest

from tests.dashboard.conftest import Dashboard
from tests.dashboard.test_access import log_in
from tests.dashboard.traffic import EXPERIMENT

CODE = re.compile(r"\b[A-Z]+(?:_[A-Z]+)+\b")


@pytest.fixture(scope="module")
def admin(dashboard: Dashboard) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=dashboard.url, timeout=60) as client:
        assert log_in(client, "admin", dashboard.admin_password).status_code == 303
        yield client


def text_of(markup: str) -> str:
    """The page's words without tags, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


def test_period_without_room_before_it_answers_400_naming_since(
    admin: httpx.Client,
) -> None:
    response = admin.get(
        "/dashboard/search?period=custom&since=0001-01-01&until=0002-01-01"
    )

    assert response.status_code == 400
    assert 'data-field="since"' in response.text
    assert "same length before it" in text_of(response.text)


def test_error_groups_show_the_type_once_and_whole_seconds(
    admin: httpx.Client,
) -> None:
    page = text_of(admin.get("/dashboard/errors?period=7d").text)

    assert "TypeError x is undefined" in " ".join(page.split())
    assert "TypeError TypeError" not in " ".join(page.split())
    times = re.findall(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[.\d]*[+-]\d\d:\d\d", page)
    assert times, "the page shows no first or last seen time"
    assert all("." not in moment for moment in times), times


def test_experiment_notes_are_sentences_not_codes(admin: httpx.Client) -> None:
    page = text_of(admin.get("/dashboard/experiments").text)

    assert EXPERIMENT["key"] in page
    assert CODE.findall(page) == []
    assert "unbounded to unbounded" not in page
    # The test traffic has a metric every unit scores the same on.
    assert "every unit has the same value" in page
    assert "no interval" in page


def test_configuration_shows_experiments_as_json(admin: httpx.Client) -> None:
    page = html.unescape(admin.get("/dashboard/configuration").text)

    assert json.dumps([EXPERIMENT]) in page
