"""Error groups: which `js_error` and `backend_exception` events are one error.

A group is defined by its fingerprint: the error's kind and type, its message
with numbers, ids and quoted values masked, and the top in-app stack frame.
The loader stores the fingerprint with each event (`error_fingerprint`); the
errors report groups by it and shows the masked message.
"""

from __future__ import annotations

import hashlib
import re

MAX_MASKED_CHARS = 512

_QUOTED = re.compile(
    r"""(?<!\w)(?:'[^'\n]{0,400}'|"[^"\n]{0,400}"|`[^`\n]{0,400}`)(?!\w)"""
)
_UUID = re.compile(
    r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
    r"[0-9a-fA-F]{12}\b"
)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_HEX = re.compile(r"\b0x[0-9a-fA-F]+\b|\b(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{8,}\b")
# A token of six or more word characters that mixes letters and digits is an
# identifier (a barcode, a record key, a session token), not part of the text.
_MIXED_ID = re.compile(r"\b(?=\w*\d)(?=\w*[^\W\d_])\w{6,}\b")
# Atomic, so that "3.5s" masks as "<n>s" instead of backing off to "3".
_NUMBER = re.compile(r"(?<![\w.])(?>[-+]?\d+(?:[.,]\d+)*)(?![\d])")
_LEADING_TYPE = re.compile(r"^\s*((?:Uncaught\s+)?([A-Z]\w*(?:Error|Exception)))\b:?")

_PYTHON_FRAME = re.compile(r'File "(?P<file>[^"]+)", line \d+, in (?P<func>\S+)')
_CHROME_FRAME = re.compile(
    r"^\s*at (?:(?P<func>.+?) \()?(?P<file>[^()\s]+?)(?::\d+){1,2}\)?\s*$"
)
_GECKO_FRAME = re.compile(r"^\s*(?P<func>[^@\s]*)@(?P<file>.+?)(?::\d+){1,2}\s*$")
_NOT_IN_APP = re.compile(
    r"node_modules|site-packages|dist-packages|/lib/python\d|<frozen|"
    r"^(?:chrome|moz|safari)-extension:|^native$|<anonymous>|/vendor/"
)
# Bundlers put content hashes in file names (app.3f9a2b1c.js); a new build
# must not make a new group.
_FILE_HASH = re.compile(r"[.-][0-9a-fA-F]{6,}(?=\.\w+$)")


def error_kind(event: str, payload_kind: str | None) -> str:
    """The kind of an error event: the browser's kind for `js_error` ("error",
    "unhandledrejection", "console"; "error" when absent), else "exception"."""
    if event == "js_error":
        return payload_kind or "error"
    return "exception"


def error_type_of(error_type: str | None, message: str | None) -> str:
    """The error's type: the one sent (`backend_exception.type`), else the type
    that leads the message ("TypeError: x is undefined"), else ""."""
    if error_type:
        return error_type
    found = _LEADING_TYPE.match(message or "")
    return found.group(2) if found else ""


def _mask_quoted(found: re.Match[str]) -> str:
    quote = found.group(0)[0]
    return f"{quote}<str>{quote}"


def mask_message(message: str | None) -> str:
    """MESSAGE with quoted values, UUIDs, e-mail addresses, hex and mixed ids
    and numbers replaced by placeholders, whitespace collapsed, truncated."""
    text = message or ""
    text = _QUOTED.sub(_mask_quoted, text)
    text = _UUID.sub("<uuid>", text)
    text = _EMAIL.sub("<email>", text)
    text = _HEX.sub("<hex>", text)
    text = _MIXED_ID.sub("<id>", text)
    text = _NUMBER.sub("<n>", text)
    return " ".join(text.split())[:MAX_MASKED_CHARS]


def _frames(stack: str) -> list[tuple[str, str]]:
    """(file, function) of each frame, innermost first."""
    python_frames = _PYTHON_FRAME.findall(stack)
    if python_frames:
        # A Python traceback lists the innermost call last.
        return [(file, func) for file, func in reversed(python_frames)]
    frames = []
    for line in stack.splitlines():
        found = _CHROME_FRAME.match(line) or _GECKO_FRAME.match(line)
        if found:
            frames.append((found.group("file"), found.group("func") or ""))
    return frames


def _frame_label(file: str, func: str) -> str:
    # Only the path identifies a file: the origin differs between sites and
    # mirrors, and query strings carry cache busters. Line numbers are left
    # out because every release moves them.
    path = re.sub(r"^[a-z][\w+.-]*://[^/]*", "", file).split("?")[0].split("#")[0]
    return f"{_FILE_HASH.sub('', path)} in {func or '?'}"


def top_in_app_frame(stack: str | None) -> str:
    """The innermost stack frame that belongs to the application (not to a
    library, the runtime or a browser extension), as "path in function";
    the innermost frame of any kind when none does; "" without a stack."""
    frames = _frames(stack or "")
    if not frames:
        return ""
    in_app = [frame for frame in frames if not _NOT_IN_APP.search(frame[0])]
    return _frame_label(*(in_app or frames)[0])


def fingerprint_error(
    kind: str, error_type: str | None, message: str | None, stack: str | None
) -> tuple[str, str]:
    """Return (fingerprint, masked message) of one error event.

    KIND comes from `error_kind`; ERROR_TYPE is the sent type or None; MESSAGE
    should be the scrubbed message that is stored, so that the errors report
    can show the same masked text.
    """
    masked = mask_message(message)
    parts = (kind, error_type_of(error_type, message), masked, top_in_app_frame(stack))
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:16], masked
