"""The privacy notice follows the schema and the settings."""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser

import pytest

from lms_telemetry.config import Config
from lms_telemetry.privacy.notice import NoticeFormatError, render_notice
from tests.privacy.conftest import SCHEMA


def test_markdown_lists_every_event_with_its_free_text_fields(config: Config) -> None:
    notice = render_notice(config, SCHEMA, "md")

    for name in SCHEMA.event_names():
        assert f"| {name} | {SCHEMA.category_of(name)} |" in notice
    assert (
        "| search_submitted | user_action | A patron or librarian ran a catalogue search."
        in notice
    )
    assert "| query, filters.*, filters.*.* |" in notice
    assert "Event schema version 1-0-0." in notice


def test_notice_states_the_configured_periods_and_thresholds(
    make_config: Callable[..., Config],
) -> None:
    config = make_config(
        privacy__key_period="week",
        privacy__retention_days=90,
        privacy__retention_days_by_category={"error": 30},
        privacy__quarantine_retention_days=14,
        privacy__min_ids=7,
        privacy__cookieless=True,
    )

    notice = render_notice(config, SCHEMA, "md")

    assert "| Events: error | 30 days |" in notice
    assert "| Events: search | 90 days |" in notice
    assert "| Refused events (quarantine) | 14 days |" in notice
    assert "| Pseudonym keys | their week plus 90 days |" in notice
    assert "at least 7 different pseudonyms" in notice
    assert "destroyed every day" in notice


def test_cookieless_paragraph_is_absent_when_off(config: Config) -> None:
    assert "destroyed every day" not in render_notice(config, SCHEMA, "md")


def test_html_is_well_formed_and_escaped(config: Config) -> None:
    page = render_notice(config, SCHEMA, "html")
    opened: list[str] = []

    class Checker(HTMLParser):
        def handle_starttag(self, tag: str, attrs: object) -> None:
            if tag not in ("meta", "html", "!doctype"):
                opened.append(tag)

        def handle_endtag(self, tag: str) -> None:
            if tag != "html":
                assert opened.pop() == tag

    Checker().feed(page)
    assert opened == []
    assert "<td>search_submitted</td>" in page
    assert "<li>e-mail addresses: [email]</li>" in page
    assert "<td>An item&#x27;s page or detail view was opened.</td>" in page


def test_unknown_format_is_refused(config: Config) -> None:
    with pytest.raises(NoticeFormatError, match="format: 'pdf' is not supported"):
        render_notice(config, SCHEMA, "pdf")
