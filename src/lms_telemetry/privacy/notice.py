"""The privacy notice, generated from the event schema and the configuration.

What is collected (every event and field of the schema), why, how people are
identified (pseudonyms and their key periods), what is scrubbed, how long
everything is kept, what reports hide, and what is never collected. It is
built from the same schema and settings the service runs with, so it cannot
drift from what the service does. Rendered as Markdown or HTML.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from lms_telemetry.config import Config
from lms_telemetry.privacy.retention import retention_days_by_category
from lms_telemetry.schema import EventSchema

FORMATS = ("md", "html")
_CATEGORY_PURPOSES = {
    "user_action": "to see which library services are used and where they fail",
    "navigation": "to see how people find their way around the catalogue",
    "search": "to improve search results and suggestions",
    "performance": "to keep the system fast and reliable",
    "feature": "to decide which features to keep and improve",
    "error": "to find and fix errors",
    "experiment": "to test whether a change helps",
}
_PLACEHOLDERS = (
    ("e-mail addresses", "[email]"),
    ("phone numbers", "[phone]"),
    ("payment card numbers", "[card]"),
    ("social security numbers", "[ssn]"),
    ("IP addresses", "[ip]"),
    ("library card (patron) barcodes", "[barcode]"),
    ("secrets in web addresses (tokens, passwords, session ids, e-mail)", "[secret]"),
    ("user names inside file paths", "[user]"),
)
NEVER_COLLECTED = (
    "Your IP address (used in memory only, to limit abusive traffic).",
    (
        "Your browser's full user-agent string: only browser, major version,"
        " operating system and device type are kept."
    ),
    (
        "Your library account number or login: it is replaced by a pseudonym"
        " before anything is written."
    ),
    "Your name, address, e-mail, phone, payment card or library card number.",
    (
        "Your loan history as a list tied to you: item events carry only a"
        " pseudonym that changes with every key period."
    ),
    "Precise location, contacts, or anything from other websites.",
)


class NoticeFormatError(Exception):
    """The notice was asked for in a format it cannot be rendered in."""


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    table: list[list[str]] = field(default_factory=list)  # header row first


def build_notice(config: Config, schema: EventSchema) -> list[Section]:
    """The notice's sections, in order."""
    return [
        _collected(schema),
        _identification(config),
        _scrubbing(),
        _retention(config, schema),
        _reports(config),
        Section("What is never collected", items=list(NEVER_COLLECTED)),
        _rights(),
    ]


def _collected(schema: EventSchema) -> Section:
    rows = [["Event", "Category", "What it records", "Fields", "Free text (scrubbed)"]]
    for name in schema.event_names():
        event = schema.document["x-events"][name]
        payload = schema.document["$defs"]["payloads"].get(name, {})
        free_text = [
            ".".join(p[1:]) for p in schema.free_text_paths(name) if p[0] == "payload"
        ]
        rows.append(
            [
                name,
                schema.category_of(name),
                str(event.get("description", "")),
                ", ".join(payload.get("properties", {})),
                ", ".join(free_text) or "none",
            ]
        )
    purposes = sorted({schema.category_of(name) for name in schema.event_names()})
    return Section(
        "What is collected, and why",
        paragraphs=[
            (
                "The library's systems record events: something that happened, such"
                " as a search or a page view, with the time, the page path and title,"
                " the interface and role in use (patron, librarian, admin, IT), and"
                " the reduced device facts described below. Each category is"
                " collected for one purpose:"
            )
        ],
        items=[
            f"{c}: {_CATEGORY_PURPOSES.get(c, 'as described by the event')}"
            for c in purposes
        ],
        table=rows,
    )


def _identification(config: Config) -> Section:
    period = config["privacy.key_period"]
    paragraphs = [
        (
            "Browser, account and session ids are replaced, before anything is"
            " stored, by keyed pseudonyms (HMAC-SHA256). A separate key is used for"
            f" each purpose and each {period}, so the pseudonyms of one {period}"
            " cannot be linked to those of the next."
        ),
        (
            "The keys are readable by the telemetry service only. When a key's"
            f" {period} is out of retention the key is destroyed, and the events"
            " made with it can no longer be linked to anyone."
        ),
        (
            "The browser's user agent is reduced to browser family and major"
            " version, operating system family, device class and whether it is an"
            " automated client; the full string is never stored."
        ),
    ]
    if config["privacy.cookieless"]:
        paragraphs.append(
            "This site keeps no id in your browser. A device pseudonym is derived"
            " from the IP address and user agent with a key that is destroyed"
            " every day, so visits cannot be linked across days."
        )
    return Section("How you are identified", paragraphs=paragraphs)


def _scrubbing() -> Section:
    return Section(
        "What is removed from text",
        paragraphs=[
            (
                "Text fields (search queries, page paths and titles, error messages"
                " and stack traces) are cleaned before they are stored. These are"
                " replaced by a marker:"
            )
        ],
        items=[f"{what}: {marker}" for what, marker in _PLACEHOLDERS]
        + [
            "stack traces keep only function names, file names and line numbers",
        ],
    )


def _retention(config: Config, schema: EventSchema) -> Section:
    days = retention_days_by_category(config, schema)
    rows = [["Data", "Kept for"]]
    rows += [[f"Events: {category}", f"{d} days"] for category, d in days.items()]
    rows.append(
        [
            "Refused events (quarantine)",
            f"{config['privacy.quarantine_retention_days']} days",
        ]
    )
    rows.append(
        [
            "Pseudonym keys",
            f"their {config['privacy.key_period']} plus {max(days.values())} days",
        ]
    )
    return Section(
        "How long it is kept",
        paragraphs=[
            (
                "Deletion runs every day. Totals that hold no id (for example the"
                " number of searches per day) may be kept longer."
            )
        ],
        table=rows,
    )


def _reports(config: Config) -> Section:
    k = config["privacy.min_ids"]
    return Section(
        "What reports show",
        items=[
            (
                f"A search query or error message appears in a report only when at"
                f" least {k} different pseudonyms produced it; the rest are counted"
                " together as 'other'."
            ),
            (
                "Automated clients (crawlers, headless browsers, scripts) are left"
                " out of usage reports."
            ),
        ],
    )


def _rights() -> Section:
    return Section(
        "Erasure",
        paragraphs=[
            (
                "On request the library erases every stored event of your browser id"
                " or account, from all storage, and records only how many rows went."
            )
        ],
    )


def render_notice(config: Config, schema: EventSchema, fmt: str = "md") -> str:
    """The privacy notice as Markdown ("md") or an HTML page ("html")."""
    if fmt not in FORMATS:
        raise NoticeFormatError(
            f"format: {fmt!r} is not supported; expected md or html"
        )
    sections = build_notice(config, schema)
    title = "Privacy notice: library telemetry"
    if fmt == "md":
        return _markdown(title, schema, sections)
    return _html(title, schema, sections)


def _markdown(title: str, schema: EventSchema, sections: list[Section]) -> str:
    lines = [f"# {title}", "", f"Event schema version {schema.version}.", ""]
    for section in sections:
        lines += [f"## {section.heading}", ""]
        for paragraph in section.paragraphs:
            lines += [paragraph, ""]
        if section.items:
            lines += [f"- {item}" for item in section.items] + [""]
        if section.table:
            lines += _markdown_table(section.table) + [""]
    return "\n".join(lines)


def _markdown_table(rows: list[list[str]]) -> list[str]:
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    return [line(rows[0]), line(["---"] * len(rows[0]))] + [line(r) for r in rows[1:]]


def _html(title: str, schema: EventSchema, sections: list[Section]) -> str:
    e = html.escape
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(title)}</title></head><body>",
        f"<h1>{e(title)}</h1>",
        f"<p>Event schema version {e(schema.version)}.</p>",
    ]
    for section in sections:
        parts.append(f"<h2>{e(section.heading)}</h2>")
        parts += [f"<p>{e(p)}</p>" for p in section.paragraphs]
        if section.items:
            parts.append(
                "<ul>" + "".join(f"<li>{e(i)}</li>" for i in section.items) + "</ul>"
            )
        if section.table:
            parts.append(_html_table(section.table))
    parts.append("</body></html>")
    return "\n".join(parts)


def _html_table(rows: list[list[str]]) -> str:
    e = html.escape
    head = "".join(f"<th>{e(c)}</th>" for c in rows[0])
    body = "".join(
        "<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in rows[1:]
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
