"""The privacy gate: what every event passes through before it is stored.

`PrivacyGate.protect` turns a valid envelope into one safe to store: ids
become keyed pseudonyms of the period the event was received in, free-text
fields (as the schema marks them) are scrubbed, stack traces are reduced and
the user agent is replaced by the reduced device facts. `protect_rejected`
does the same, as well as it can, for bodies that go to quarantine.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lms_telemetry.config import Config
from lms_telemetry.privacy.keys import KeyRing
from lms_telemetry.privacy.pseudonyms import Pseudonymizer
from lms_telemetry.privacy.scrub import Scrubber
from lms_telemetry.privacy.stacktrace import scrub_stack
from lms_telemetry.privacy.useragent import reduce_user_agent
from lms_telemetry.schema import EventSchema

logger = logging.getLogger(__name__)

# Envelope field -> key purpose.
IDENTIFIER_PURPOSES = {
    "anonymous_id": "device",
    "user_id": "account",
    "session_id": "session",
}
# Events about the back end itself: the request's agent is the SDK's, so it
# says nothing about whether the end user is a bot.
BACKEND_EVENTS = frozenset(("api_request", "backend_exception"))
_STACK_FIELDS = frozenset(("stack", "stacktrace", "stack_trace"))
_USER_AGENT_FIELDS = frozenset(("user_agent", "useragent", "userAgent"))
_LONG_NUMBER = 10**6
# A recognisable "field": "value" pair in a body that is not valid JSON.
_LOOSE_FIELD = re.compile(
    r'("(anonymous_id|user_id|session_id|user_agent|userAgent)"\s*:\s*)'
    r'("((?:[^"\\]|\\.)*)("|$))'
)


@dataclass(frozen=True)
class RequestFacts:
    client_ip: str | None
    user_agent: str | None  # the request's User-Agent header
    received_at: datetime  # aware, UTC


class PrivacyGate:
    """Pseudonymizes, scrubs and reduces events on their way in."""

    def __init__(
        self, config: Config, schema: EventSchema, keys: KeyRing | None = None
    ) -> None:
        self.schema = schema
        self.scrubber = Scrubber(config["privacy.barcode_patterns"])
        self.pseudonyms = Pseudonymizer(keys or KeyRing.from_config(config))
        self.is_cookieless = bool(config["privacy.cookieless"])
        self._paths: dict[str, list[tuple[tuple[str, ...], bool]]] = {}

    def scrub(self, text: str) -> str:
        return self.scrubber.scrub(text)

    def protect(self, envelope: dict[str, Any], facts: RequestFacts) -> dict[str, Any]:
        """Return a new envelope, safe to store (see the module docstring)."""
        protected = dict(envelope)
        self._pseudonymize(protected, facts)
        for path, is_stack in self._free_text_paths(str(envelope.get("event"))):
            scrub = self._stack_scrub if is_stack else self.scrubber.scrub
            protected = _apply_at(protected, path, scrub)
        protected["device"] = self._device_facts(protected, facts)
        return protected

    def _pseudonymize(self, envelope: dict[str, Any], facts: RequestFacts) -> None:
        for name, purpose in IDENTIFIER_PURPOSES.items():
            raw = envelope.get(name)
            if raw is not None:
                envelope[name] = self.pseudonyms.pseudonym(
                    purpose, str(raw), facts.received_at
                )
        is_missing = envelope.get("anonymous_id") is None
        if self.is_cookieless and is_missing and facts.client_ip:
            envelope["anonymous_id"] = self.pseudonyms.cookieless_device(
                facts.client_ip, _visitor_agent(envelope, facts), facts.received_at
            )

    def _device_facts(
        self, envelope: dict[str, Any], facts: RequestFacts
    ) -> dict[str, Any]:
        context = envelope.get("context")
        forwarded = context.get("user_agent") if isinstance(context, dict) else None
        if isinstance(context, dict) and "user_agent" in context:
            envelope["context"] = {
                k: v for k, v in context.items() if k != "user_agent"
            }
        if isinstance(forwarded, str):
            return reduce_user_agent(forwarded).as_dict()
        device = reduce_user_agent(facts.user_agent)
        if envelope.get("event") in BACKEND_EVENTS:
            device = device.without_bot_signal()
        return device.as_dict()

    def _free_text_paths(self, event: str) -> list[tuple[tuple[str, ...], bool]]:
        paths = self._paths.get(event)
        if paths is None:
            found = self.schema.free_text_paths(event) if event in self._known() else []
            paths = [(path, path[-1] in _STACK_FIELDS) for path in found]
            self._paths[event] = paths
        return paths

    def _known(self) -> set[str]:
        return set(self.schema.event_names())

    def _stack_scrub(self, text: str) -> str:
        return scrub_stack(self.scrubber.scrub(text), self.scrubber.scrub)

    def protect_rejected(self, body: object, facts: RequestFacts) -> str:
        """For quarantine: BODY as text, ids pseudonymized, every string scrubbed.

        Never raises: a body that cannot be rendered becomes a short note.
        """
        try:
            if isinstance(body, (bytes, bytearray, memoryview)):
                body = bytes(body).decode("utf-8", "replace")
            if isinstance(body, str):
                return self._scrub_text_body(body, facts)
            cleaned = self._clean_value(body, None, facts)
            return json.dumps(cleaned, ensure_ascii=False, default=str)
        except Exception as exc:  # noqa: BLE001 - quarantine must never fail
            logger.warning("could not render a rejected body: %s", type(exc).__name__)
            return f"[unrenderable body: {type(exc).__name__}]"

    def _scrub_text_body(self, text: str, facts: RequestFacts) -> str:
        # An undecodable body may still be mostly JSON: ids in it are found
        # by the same field names before the text is scrubbed.
        try:
            parsed = json.loads(text)
        except (ValueError, RecursionError):
            return self._scrub_loose_text(text, facts)
        return self.protect_rejected(parsed, facts)

    def _scrub_loose_text(self, text: str, facts: RequestFacts) -> str:
        def replace(match: re.Match[str]) -> str:
            field, raw = match[2], match[4]
            purpose = IDENTIFIER_PURPOSES.get(field)
            if purpose is None:
                value = "[removed]"
            else:
                value = self.pseudonyms.pseudonym(purpose, raw, facts.received_at)
            return f'{match[1]}"{value}{match[5]}'

        return self.scrubber.scrub(_LOOSE_FIELD.sub(replace, text))

    def _clean_value(self, value: Any, field: str | None, facts: RequestFacts) -> Any:
        if isinstance(value, dict):
            return {
                self.scrubber.scrub(str(key)): self._clean_field(str(key), item, facts)
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [self._clean_value(item, field, facts) for item in value]
        if isinstance(value, str):
            if field in _STACK_FIELDS:
                return self._stack_scrub(value)
            return self.scrubber.scrub(value)
        is_number = isinstance(value, int) and not isinstance(value, bool)
        if is_number and abs(value) >= _LONG_NUMBER:
            scrubbed = self.scrubber.scrub(str(value))
            return value if scrubbed == str(value) else scrubbed
        return value

    def _clean_field(self, field: str, value: Any, facts: RequestFacts) -> Any:
        if field in _USER_AGENT_FIELDS:
            return "[removed]"
        purpose = IDENTIFIER_PURPOSES.get(field)
        is_scalar = isinstance(value, (str, int, float)) and not isinstance(value, bool)
        if purpose is not None and is_scalar:
            return self.pseudonyms.pseudonym(purpose, str(value), facts.received_at)
        return self._clean_value(value, field, facts)

    def pseudonyms_for(
        self, *, anonymous_id: str | None = None, user_id: str | None = None
    ) -> list[str]:
        """Pseudonyms of that raw id under every live key (for erasure)."""
        found: list[str] = []
        if anonymous_id is not None:
            found += self.pseudonyms.under_every_live_key("device", anonymous_id)
        if user_id is not None:
            found += self.pseudonyms.under_every_live_key("account", user_id)
        return found


def _visitor_agent(envelope: dict[str, Any], facts: RequestFacts) -> str | None:
    context = envelope.get("context")
    if isinstance(context, dict) and isinstance(context.get("user_agent"), str):
        return str(context["user_agent"])
    return facts.user_agent


def _apply_at(node: Any, path: tuple[str, ...], scrub: Callable[[str], str]) -> Any:
    """NODE with SCRUB applied to the strings at PATH; containers on the way
    are copied, so the caller's envelope is never changed."""
    if not path:
        return scrub(node) if isinstance(node, str) else node
    head, rest = path[0], path[1:]
    if head == "*":
        if isinstance(node, dict):
            return {key: _apply_at(value, rest, scrub) for key, value in node.items()}
        if isinstance(node, list):
            return [_apply_at(value, rest, scrub) for value in node]
        return node
    if not isinstance(node, dict) or head not in node:
        return node
    copied = dict(node)
    copied[head] = _apply_at(node[head], rest, scrub)
    return copied
