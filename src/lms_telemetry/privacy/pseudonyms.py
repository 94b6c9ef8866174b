"""Keyed pseudonyms: HMAC-SHA256 of a raw id under its period's key.

A pseudonym is `<purpose letter>_<32 hex digits>` (`d_` device, `a_` account,
`s_` session, `c_` cookieless device). The same raw id gives the same
pseudonym within one key period and an unrelated one in the next, and nobody
can go from a pseudonym back to the id without the key.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime

from lms_telemetry.privacy.keys import KeyRing

PREFIXES = {"device": "d", "account": "a", "session": "s", "cookieless": "c"}
PSEUDONYM_CHARS = 32
PSEUDONYM_PATTERN = re.compile(r"[dasc]_[0-9a-f]{32}")


def make_pseudonym(key: bytes, purpose: str, raw: str) -> str:
    """The pseudonym of RAW for PURPOSE under KEY."""
    digest = hmac.new(key, raw.encode("utf-8", "surrogatepass"), hashlib.sha256)
    return f"{PREFIXES[purpose]}_{digest.hexdigest()[:PSEUDONYM_CHARS]}"


def is_pseudonym(value: str) -> bool:
    """True when VALUE has the shape of a pseudonym made here."""
    return PSEUDONYM_PATTERN.fullmatch(value) is not None


class Pseudonymizer:
    """Makes pseudonyms with the key of the period an event was received in."""

    def __init__(self, keys: KeyRing) -> None:
        self.keys = keys
        # HMAC state after absorbing each key, copied per id: saves the key
        # schedule on every call, the larger part of an HMAC of a short id.
        # Only the current key of each purpose is kept primed.
        self._primed: dict[str, tuple[bytes, hmac.HMAC]] = {}

    def pseudonym(self, purpose: str, raw: str, received_at: datetime) -> str:
        key = self.keys.key_for(purpose, received_at)
        primed = self._primed.get(purpose)
        if primed is None or primed[0] != key:
            primed = (key, hmac.new(key, digestmod=hashlib.sha256))
            self._primed[purpose] = primed
        digest = primed[1].copy()
        digest.update(raw.encode("utf-8", "surrogatepass"))
        return f"{PREFIXES[purpose]}_{digest.hexdigest()[:PSEUDONYM_CHARS]}"

    def cookieless_device(
        self, client_ip: str, user_agent: str | None, received_at: datetime
    ) -> str:
        """A device pseudonym for a client that sends no id; it changes daily."""
        raw = f"{client_ip}\n{user_agent or ''}"
        return self.pseudonym("cookieless", raw, received_at)

    def under_every_live_key(self, purpose: str, raw: str) -> list[str]:
        """The pseudonyms RAW had in every period whose key still exists."""
        return [
            make_pseudonym(key, purpose, raw)
            for key in self.keys.live_keys(purpose).values()
        ]
