"""Free-text scrubbing: personal data out, catalogue look-alikes kept.

`Scrubber.scrub` normalises text (NFKC, invisible characters removed, dashes
and digits folded to ASCII) and replaces each personal datum with a typed
placeholder: `[email]`, `[phone]`, `[card]`, `[ssn]`, `[ip]`, `[barcode]`,
`[secret]`, `[user]`. ISBNs, ISSNs, call numbers, years, dates, item
barcodes, titles and author names are left as they are: check digits and
issuer ranges tell them apart from cards and patron barcodes. Each pass runs
only when a cheap substring test says it could match, which keeps the common
case (a short query with no digits) to a handful of `in` checks.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from lms_telemetry.privacy.checksums import (
    has_card_prefix,
    is_isbn10,
    is_luhn_valid,
)

PLACEHOLDERS: dict[str, str] = {
    kind: f"[{kind}]"
    for kind in ("email", "phone", "card", "ssn", "ip", "barcode", "secret", "user")
}

_INVISIBLE = "\u00ad\u034f\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062"
_INVISIBLE += "\u2063\u2064\ufeff"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63"
_FOLD = {ord(c): None for c in _INVISIBLE} | {ord(c): "-" for c in _DASHES}
_NON_ASCII_DIGIT = re.compile(r"(?![0-9])\d")
_NON_DIGITS = re.compile(r"[^0-9]+")

# Query keys whose values are secrets or identify a person. A key counts
# when it is one of these, or one of its _ - . separated parts is.
SECRET_KEY_PARTS = frozenset(
    [
        "token",
        "key",
        "apikey",
        "api_key",
        "session",
        "sessionid",
        "sessid",
        "sid",
        "password",
        "passwd",
        "pwd",
        "pass",
        "passphrase",
        "auth",
        "authorization",
        "secret",
        "email",
        "mail",
        "card",
        "cardnumber",
        "barcode",
        "patron",
        "borrower",
        "borrowernumber",
        "user",
        "userid",
        "username",
        "login",
        "pin",
        "ssn",
        "phone",
        "tel",
        "mobile",
        "signature",
        "sig",
        "otp",
        "jwt",
        "bearer",
        "credential",
        "credentials",
        "firstname",
        "lastname",
        "surname",
        "fullname",
        "dob",
        "birthdate",
    ]
)
_SECRET_KEY_SUFFIXES = ("token", "apikey", "secret", "password", "sessionid")
_KEY_SPLIT = re.compile(r"[^a-z0-9]+")
# A value ends at "?" too, so a URL nested in a value (?next=/a?token=x)
# has its own pairs examined; the second form is the percent-encoded one.
_QUERY_PAIR = re.compile(r"(?<=[?&;#])([\w.\-\[\]]{1,64})=([^&#;\s?]*)")
_ENCODED_QUERY_PAIR = re.compile(
    r"(?<=%3[Ff]|%26)([\w.\-]{1,64})%3[Dd]((?:(?!%26|%23|%3[Ff])[^&#;\s?])*)"
)

# E-mail addresses are found from their "@" (or percent-encoded %40):
# the domain is matched forwards and the local part backwards, over a
# reversed window, which costs far less than trying a match at every offset.
_AT_SIGN = re.compile(r"@|%(?:25)?40")
_EMAIL_DOMAIN = re.compile(r"(?:[\w\-]+(?:\.|%2[Ee]))+[A-Za-z]{2,24}(?![\w\-])")
_EMAIL_LOCAL_REVERSED = re.compile(r"(?:[BbEeDd]2%|[Ff]5%|[\w.+\-])+")
_LOCAL_PART_MAX_CHARS = 64
# User names inside file paths: POSIX home folders (no spaces) and Windows
# profile folders (spaces allowed, as in "C:\\Users\\Jane Doe\\").
_USER_PATH = re.compile(
    r"((?<![\w.\-~])(?:/home|/Users)/+)(?!\[user\])[^\\/\s:\"'<>|?*\[\]]+"
    r"|((?i:[a-z]:[\\/]+(?:users|documents and settings))[\\/]+)"
    r"(?!\[user\])[^\\/\r\n:\"'<>|?*\[\]]+"
)
_IPV6 = re.compile(
    r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}"
    r"(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{1,4})?(?![\w:])"
)
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4 = re.compile(
    rf"(?<![\w.])(?<![A-Za-z]/){_OCTET}(?:\.{_OCTET}){{3}}(?!\.?\d)", re.ASCII
)
# A run of digits and the separators numbers are written with; personal
# numbers (phones, cards, SSNs, barcodes) are looked for only inside runs
# holding at least seven digits.
_NUMBER_RUN = re.compile(r"[+(]?\d(?:[\d().\-/]| (?=[\d(]))*", re.ASCII)
_MIN_PERSONAL_DIGITS = 7
_LIBRARY_BARCODE = re.compile(r"(?<![0-9A-Za-z])[23]\d{13}(?![0-9A-Za-z])", re.ASCII)
_CARD = re.compile(
    r"(?<![\d\-])(?:\d{4}(?P<sep>[ \-]?)\d{4}(?P=sep)\d{4}(?P=sep)\d{1,4}"
    r"(?:(?P=sep)\d{1,3})?|\d{4}[ \-]\d{6}[ \-]\d{4,5})(?![\d])",
    re.ASCII,
)
_SSN_SEPARATED = re.compile(r"(?<![\d\-.])(\d{3})([ \-])(\d{2})\2(\d{4})(?![\d\-])")
_SSN_KEYWORD = re.compile(
    r"(?i)(\b(?:ssn|social security(?: number| no\.?)?)[\s:#=]*)(\d{9})\b"
)
_PHONE = re.compile(
    # International: +CC or 00CC, then groups.
    r"(?<![\w+])(?:\+|00(?=[1-9]\d{0,2}[ .\-(]))[1-9]\d{0,2}"
    r"(?:[ .\-]?\(?\d{1,5}\)?)(?:[ .\-]?\d{2,5}){1,4}(?![\w\-])"
    # North American: (555) 123-4567, 555-123-4567, 1-800-555-1234.
    r"|(?<![\w\-.])(?:1[ .\-])?(?:\(\d{3}\)\s?|\d{3}[ .\-])\d{3}[ .\-]\d{4}"
    r"(?![\w\-])"
    # National with a trunk 0: 020 7946 0958, 06 12 34 56 78, 030/1234567.
    r"|(?<![\w\-.+/])\(?0\d{1,4}\)?(?:[ .\-/]\d{2,8}){1,4}(?![\w\-])"
    # Ten or eleven digits written together.
    r"|(?<![\w\-.+/])(?:[2-9]\d{2}[2-9]\d{6}|0[1-9]\d{8,10})(?![\w\-])",
    re.ASCII,
)
_DATE = re.compile(
    r"\d{4}[./\-]\d{1,2}[./\-]\d{1,2}|\d{1,2}[./\-]\d{1,2}[./\-]\d{2}(?:\d{2})?",
    re.ASCII,
)


def normalize(text: str) -> str:
    """NFKC, invisible characters removed, dashes and digits folded to ASCII."""
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKC", text).translate(_FOLD)
    if text.isascii():
        return text
    return _NON_ASCII_DIGIT.sub(lambda m: str(unicodedata.digit(m[0])), text)


@lru_cache(maxsize=4096)
def is_secret_key(key: str) -> bool:
    """True when a URL query key names a secret or a personal value."""
    lowered = key.lower()
    compact = _KEY_SPLIT.sub("", lowered)
    if compact in SECRET_KEY_PARTS or compact.endswith(_SECRET_KEY_SUFFIXES):
        return True
    return any(part in SECRET_KEY_PARTS for part in _KEY_SPLIT.split(lowered))


def _secret_value(match: re.Match[str]) -> str:
    key, value = match[1], match[2]
    if value and is_secret_key(key):
        return f"{key}=[secret]"
    return match[0]


def _encoded_secret_value(match: re.Match[str]) -> str:
    key, value = match[1], match[2]
    if value and is_secret_key(key):
        return match[0][: len(match[0]) - len(value)] + "[secret]"
    return match[0]


def _replace_emails(text: str) -> str:
    pieces: list[str] = []
    end = 0
    for at_sign in _AT_SIGN.finditer(text):
        if at_sign.start() < end:
            continue
        domain = _EMAIL_DOMAIN.match(text, at_sign.end())
        window_start = max(end, at_sign.start() - _LOCAL_PART_MAX_CHARS)
        window = text[window_start : at_sign.start()][::-1]
        local = _EMAIL_LOCAL_REVERSED.match(window)
        if domain is None or local is None:
            continue
        pieces += (text[end : at_sign.start() - local.end()], "[email]")
        end = domain.end()
    if not pieces:
        return text
    pieces.append(text[end:])
    return "".join(pieces)


def _user_folder(match: re.Match[str]) -> str:
    return f"{match[1] or match[2]}[user]"


def _ipv6(match: re.Match[str]) -> str:
    candidate = match[0]
    if not any(c.isdigit() for c in candidate):
        return candidate
    try:
        ipaddress.IPv6Address(candidate)
    except ValueError:
        return candidate
    return "[ip]"


def _digits_of(text: str) -> str:
    return _NON_DIGITS.sub("", text)


def _library_barcode(match: re.Match[str]) -> str:
    # 14-digit library barcodes: 2 = patron, 3 = item, Luhn check digit.
    digits = match[0]
    if digits[0] == "2" and is_luhn_valid(digits):
        return "[barcode]"
    return digits


def _card(match: re.Match[str]) -> str:
    text = match[0]
    digits = _digits_of(text)
    if not 13 <= len(digits) <= 19 or not has_card_prefix(digits):
        return text
    # A contiguous 14-digit number starting with 3 is read as an item barcode
    # (the library convention), not as a 14-digit Diners Club card.
    if len(text) == 14 and text[0] == "3":
        return text
    return "[card]" if is_luhn_valid(digits) else text


def _ssn_separated(match: re.Match[str]) -> str:
    area, group, serial = match[1], match[3], match[4]
    if _is_ssn_valid(area, group, serial):
        return "[ssn]"
    return match[0]


def _ssn_keyword(match: re.Match[str]) -> str:
    digits = match[2]
    if _is_ssn_valid(digits[:3], digits[3:5], digits[5:]):
        return f"{match[1]}[ssn]"
    return match[0]


def _is_ssn_valid(area: str, group: str, serial: str) -> bool:
    if area in ("000", "666") or area[0] == "9":
        return False
    return group != "00" and serial != "0000"


def _phone(match: re.Match[str]) -> str:
    text = match[0]
    digits = _digits_of(text)
    if not 7 <= len(digits) <= 15 or _DATE.fullmatch(text):
        return text
    if text[0] == "0" or text[0] == "(":
        if len(digits) < 9 or is_isbn10(digits):
            return text
    elif text[0] not in "+1" and len(digits) == 10 and is_isbn10(digits):
        return text
    return "[phone]"


def _scrub_number_runs(text: str) -> str:
    pieces: list[str] = []
    end = 0
    for run in _NUMBER_RUN.finditer(text):
        if len(run[0]) < _MIN_PERSONAL_DIGITS:
            continue
        if len(_digits_of(run[0])) < _MIN_PERSONAL_DIGITS:
            continue
        # One character of context on each side is all the patterns'
        # look-arounds need; the patterns never consume it.
        start, stop = run.span()
        before = text[start - 1] if start else ""
        after = text[stop : stop + 1]
        scrubbed = _scrub_numbers(before + run[0] + after)
        pieces += (text[end:start], scrubbed[len(before) : len(scrubbed) - len(after)])
        end = stop
    if not pieces:
        return text
    pieces.append(text[end:])
    return "".join(pieces)


def _scrub_numbers(text: str) -> str:
    text = _LIBRARY_BARCODE.sub(_library_barcode, text)
    text = _CARD.sub(_card, text)
    text = _SSN_SEPARATED.sub(_ssn_separated, text)
    return _PHONE.sub(_phone, text)


class Scrubber:
    """Replaces personal data in free text with typed placeholders."""

    def __init__(self, barcode_patterns: Sequence[str] = ()) -> None:
        self._extra_barcodes = [
            re.compile(rf"(?<![0-9A-Za-z])(?:{pattern})(?![0-9A-Za-z])")
            for pattern in barcode_patterns
        ]

    def scrub(self, text: str) -> str:
        """Return TEXT with every personal datum replaced by its placeholder.

        Matching runs on the normalised text. When nothing is found the text
        is returned as written, so titles keep their dashes and scripts that
        need joiners (Persian names) keep them.
        """
        normalized = normalize(text)
        scrubbed = self._scrub_normalized(normalized)
        return text if scrubbed == normalized else scrubbed

    def _scrub_normalized(self, text: str) -> str:
        if "=" in text:
            text = _QUERY_PAIR.sub(_secret_value, text)
        if "%3D" in text or "%3d" in text:
            text = _ENCODED_QUERY_PAIR.sub(_encoded_secret_value, text)
        if "@" in text or "%" in text:
            text = _replace_emails(text)
        if "/home/" in text or "sers" in text or "SERS" in text:
            text = _USER_PATH.sub(_user_folder, text)
        if "::" in text or text.count(":") >= 7:
            text = _IPV6.sub(_ipv6, text)
        if "." in text and _IPV4.search(text):
            text = _IPV4.sub("[ip]", text)
        for pattern in self._extra_barcodes:
            text = pattern.sub("[barcode]", text)
        if "ss" in text or "SS" in text or "ecurity" in text:
            text = _SSN_KEYWORD.sub(_ssn_keyword, text)
        return _scrub_number_runs(text)

    def find_kinds(self, text: str) -> Counter[str]:
        """Count, by placeholder kind, the personal data TEXT still holds."""
        scrubbed = self.scrub(text)
        found: Counter[str] = Counter()
        for kind, placeholder in PLACEHOLDERS.items():
            added = scrubbed.count(placeholder) - text.count(placeholder)
            if added > 0:
                found[kind] = added
        return found
