"""The gate on whole envelopes: pseudonyms, scrubbing, device facts, quarantine."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lms_telemetry.config import Config
from lms_telemetry.privacy.gate import PrivacyGate, RequestFacts
from lms_telemetry.privacy.keys import KeyRing
from tests.privacy.conftest import SCHEMA

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/124.0.0.0 Safari/537.36"
)
RECEIVED = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)
FACTS = RequestFacts("203.0.113.9", CHROME, RECEIVED)


LETTERS = {"device": "d", "account": "a", "session": "s"}


def expected_pseudonym(gate: PrivacyGate, purpose: str, raw: str) -> str:
    """HMAC-SHA256 of RAW under the stored key, computed with the stdlib."""
    key_file = json.loads(gate.pseudonyms.keys.key_file.read_text())
    key = bytes.fromhex(key_file["keys"][purpose]["2026-03"])
    digest = hmac.new(key, raw.encode(), hashlib.sha256).hexdigest()
    return f"{LETTERS[purpose]}_{digest[:32]}"


def search_event() -> dict[str, Any]:
    return {
        "event": "search_submitted",
        "anonymous_id": "browser-123",
        "user_id": "patron-42",
        "session_id": "sess-9",
        "page": {"path": "/search?q=jane@example.com&token=abc", "title": "Search"},
        "context": {"user_agent": "curl/8.5.0", "locale": "en"},
        "payload": {
            "query": "tolkien 4111 1111 1111 1111",
            "results_count": 3,
            "filters": {"lang": ["eng", "call 555-234-5678"], "year": 2001},
        },
    }


def test_identifiers_become_keyed_pseudonyms(gate: PrivacyGate) -> None:
    protected = gate.protect(search_event(), FACTS)

    assert protected["anonymous_id"] == expected_pseudonym(
        gate, "device", "browser-123"
    )
    assert protected["user_id"] == expected_pseudonym(gate, "account", "patron-42")
    assert protected["session_id"] == expected_pseudonym(gate, "session", "sess-9")


def test_free_text_is_scrubbed_at_every_marked_path(gate: PrivacyGate) -> None:
    protected = gate.protect(search_event(), FACTS)

    assert protected["page"] == {
        "path": "/search?q=[email]&token=[secret]",
        "title": "Search",
    }
    assert protected["payload"]["query"] == "tolkien [card]"
    assert protected["payload"]["filters"] == {
        "lang": ["eng", "call [phone]"],
        "year": 2001,
    }


def test_caller_envelope_is_left_unchanged(gate: PrivacyGate) -> None:
    envelope = search_event()
    before = copy.deepcopy(envelope)

    gate.protect(envelope, FACTS)

    assert envelope == before


def test_forwarded_user_agent_is_removed_and_reduced(gate: PrivacyGate) -> None:
    protected = gate.protect(search_event(), FACTS)

    assert protected["context"] == {"locale": "en"}
    assert protected["device"] == {
        "browser_family": "curl",
        "browser_major": 8,
        "os_family": None,
        "device_class": "bot",
        "is_bot": True,
    }
    assert "curl/8.5.0" not in json.dumps(protected)


def test_request_agent_is_used_without_a_forwarded_one(gate: PrivacyGate) -> None:
    protected = gate.protect({"event": "page_viewed", "payload": {"path": "/"}}, FACTS)

    assert protected["device"] == {
        "browser_family": "Chrome",
        "browser_major": 124,
        "os_family": "Windows",
        "device_class": "desktop",
        "is_bot": False,
    }


def test_backend_events_do_not_take_the_sdk_agent_as_a_bot(gate: PrivacyGate) -> None:
    facts = RequestFacts(None, "python-httpx/0.27.0", RECEIVED)
    event = {
        "event": "api_request",
        "payload": {
            "endpoint": "/loans",
            "method": "GET",
            "status": 200,
            "duration_ms": 5,
        },
    }

    assert gate.protect(event, facts)["device"]["is_bot"] is False
    assert (
        gate.protect({"event": "page_viewed", "payload": {"path": "/"}}, facts)[
            "device"
        ]["is_bot"]
        is True
    )


def test_missing_ids_stay_missing(gate: PrivacyGate) -> None:
    protected = gate.protect({"event": "page_viewed", "payload": {"path": "/"}}, FACTS)

    assert "anonymous_id" not in protected and "user_id" not in protected


def test_cookieless_mode_derives_a_daily_device_pseudonym(
    make_config: Callable[..., Config],
) -> None:
    gate = PrivacyGate(make_config(privacy__cookieless=True), SCHEMA)
    event = {"event": "page_viewed", "payload": {"path": "/"}}
    next_day = RequestFacts(
        FACTS.client_ip, CHROME, datetime(2026, 3, 15, 9, tzinfo=UTC)
    )

    first = gate.protect(event, FACTS)["anonymous_id"]
    again = gate.protect(event, FACTS)["anonymous_id"]
    other_ip = gate.protect(event, RequestFacts("198.51.100.1", CHROME, RECEIVED))
    tomorrow = gate.protect(event, next_day)["anonymous_id"]

    assert first == again and first.startswith("c_")
    assert other_ip["anonymous_id"] != first
    assert tomorrow != first


def test_stack_trace_is_reduced(gate: PrivacyGate) -> None:
    stack = (
        'Traceback (most recent call last):\n  File "/home/jane/lms/views.py",'
        " line 42, in borrow\n    patron = lookup('4111111111111111')\n"
        "LoanError: jane@example.com"
    )
    event = {
        "event": "backend_exception",
        "payload": {"type": "LoanError", "message": "jane@example.com", "stack": stack},
    }

    payload = gate.protect(event, FACTS)["payload"]

    assert payload["message"] == "[email]"
    assert payload["stack"] == (
        'Traceback (most recent call last):\n  File "views.py", line 42, in borrow\n'
        "LoanError: [email]"
    )


def test_pseudonyms_for_covers_every_live_key(config: Config) -> None:
    keys = KeyRing.from_config(config)
    gate = PrivacyGate(config, SCHEMA, keys)
    event = {
        "event": "page_viewed",
        "anonymous_id": "browser-1",
        "payload": {"path": "/"},
    }
    march = gate.protect(event, FACTS)["anonymous_id"]
    april = gate.protect(
        event, RequestFacts(None, None, datetime(2026, 4, 2, tzinfo=UTC))
    )

    found = gate.pseudonyms_for(anonymous_id="browser-1")

    assert sorted(found) == sorted([march, april["anonymous_id"]])
    assert gate.pseudonyms_for(user_id="browser-1") == []


def test_rejected_json_is_pseudonymized_and_scrubbed(gate: PrivacyGate) -> None:
    body = {
        "event": "no_such_event",
        "anonymous_id": "browser-123",
        "context": {"user_agent": CHROME},
        "payload": {"jane@example.com": "call 555-234-5678", "card": 4111111111111111},
    }

    text = gate.protect_rejected(body, FACTS)

    assert json.loads(text) == {
        "event": "no_such_event",
        "anonymous_id": expected_pseudonym(gate, "device", "browser-123"),
        "context": {"user_agent": "[removed]"},
        "payload": {"[email]": "call [phone]", "card": "[card]"},
    }


def test_rejected_undecodable_body_is_scrubbed_as_text(gate: PrivacyGate) -> None:
    body = b'{"event": "x", "user_id": "patron-42", "q": "jane@example.com", \xff'

    text = gate.protect_rejected(body, FACTS)

    assert (
        '"user_id": "' + expected_pseudonym(gate, "account", "patron-42") + '"' in text
    )
    assert "patron-42" not in text and "jane@example.com" not in text
    assert "[email]" in text


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)


@pytest.fixture(scope="module")
def module_gate(tmp_path_factory: pytest.TempPathFactory) -> PrivacyGate:
    folder = tmp_path_factory.mktemp("gate")
    config = Config.load(overrides={"db": str(folder / "t.duckdb")}, environ={})
    return PrivacyGate(config, SCHEMA)


@given(body=_JSON | st.binary(max_size=200) | st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_protect_rejected_never_raises(module_gate: PrivacyGate, body: object) -> None:
    assert isinstance(module_gate.protect_rejected(body, FACTS), str)


def test_deeply_nested_rejected_body_becomes_a_note(gate: PrivacyGate) -> None:
    body: Any = "x"
    for _ in range(5000):
        body = [body]

    assert gate.protect_rejected(body, FACTS) == "[unrenderable body: RecursionError]"
