"""Stack trace scrubbing: keep what locates the failure, drop the rest.

Each frame keeps its function name, the base name of its file or script and
its line (and column) numbers. Directories (which hold user names), query
strings and fragments of script URLs, source lines and local variable values
are dropped. Lines that are not frames (the exception message, "Traceback
...") are scrubbed as free text. Understood frame formats: Python tracebacks,
V8 (`at fn (url:1:2)`), SpiderMonkey and JavaScriptCore (`fn@url:1:2`), Java
(`at pkg.Cls.fn(File.java:1)`) and the SDK's own `fn (file:1)`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_PYTHON_FRAME = re.compile(r'^(\s*)File "(.*)", line (\d+)(?:, in (.*))?$')
_V8_FRAME = re.compile(r"^(\s*)at (?:(.+?) \()?(.+?)(?::(\d+))?(?::(\d+))?\)?$")
_JAVA_FRAME = re.compile(r"^(\s*)at ([\w$.<>]+)\(([^()]*?)(?::(\d+))?\)$")
_GECKO_FRAME = re.compile(r"^(\s*)([^@\s]*)@(.+?)(?::(\d+))?(?::(\d+))?$")
_SDK_FRAME = re.compile(r"^(\s*)(\S+) \((.+?):(\d+)\)$")
# `name = value` lines printed with locals (Python's capture_locals, many
# error trackers); values are what must not leave.
_LOCAL_VARIABLE = re.compile(r"^\s+[A-Za-z_][\w.]*\s*[=:]\s")

_SCRIPT_SUFFIXES = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", " code")

Scrub = Callable[[str], str]


def base_name(location: str) -> str:
    """The file or script name of a path or URL, without query or fragment."""
    location = location.split("?", 1)[0].split("#", 1)[0].rstrip("/\\")
    name = re.split(r"[/\\]", location)[-1]
    return name or "<unknown>"


def _position(line: str | None, column: str | None) -> str:
    if line is None:
        return ""
    return f":{line}:{column}" if column is not None else f":{line}"


def _python_frame(match: re.Match[str], scrub: Scrub) -> str:
    indent, location, line, function = match.groups()
    text = f'{indent}File "{scrub(base_name(location))}", line {line}'
    return text + (f", in {scrub(function)}" if function else "")


def _v8_frame(match: re.Match[str], scrub: Scrub) -> str:
    indent, function, location, line, column = match.groups()
    place = scrub(base_name(location)) + _position(line, column)
    if function:
        return f"{indent}at {scrub(function)} ({place})"
    return f"{indent}at {place}"


def _java_frame(match: re.Match[str], scrub: Scrub) -> str:
    indent, function, location, line = match.groups()
    return f"{indent}at {scrub(function)}({scrub(base_name(location))}{_position(line, None)})"


def _gecko_frame(match: re.Match[str], scrub: Scrub) -> str:
    indent, function, location, line, column = match.groups()
    place = scrub(base_name(location)) + _position(line, column)
    return f"{indent}{scrub(function)}@{place}"


def _sdk_frame(match: re.Match[str], scrub: Scrub) -> str:
    indent, function, location, line = match.groups()
    return f"{indent}{scrub(function)} ({scrub(base_name(location))}:{line})"


_FRAME_FORMATS = (
    (_PYTHON_FRAME, _python_frame),
    (_JAVA_FRAME, _java_frame),
    (_V8_FRAME, _v8_frame),
    (_SDK_FRAME, _sdk_frame),
    (_GECKO_FRAME, _gecko_frame),
)


def scrub_stack(stack: str, scrub: Scrub) -> str:
    """Return STACK with frames reduced and every other line scrubbed."""
    kept: list[str] = []
    after_python_frame = False
    for line in stack.splitlines():
        frame = _reduce_frame(line, scrub)
        if frame is not None:
            kept.append(frame)
            after_python_frame = frame.lstrip().startswith('File "')
            continue
        # A Python frame is followed by its source line, more indented.
        is_source = after_python_frame and line.startswith((" " * 4, "\t"))
        after_python_frame = False
        if is_source or _LOCAL_VARIABLE.match(line):
            continue
        kept.append(scrub(line))
    # Trailing empty lines are dropped: splitlines() reads a lone separator
    # such as U+0085 as one, and keeping it would make a second pass differ.
    return "\n".join(kept).rstrip("\n")


def _reduce_frame(line: str, scrub: Scrub) -> str | None:
    if "(" not in line and "@" not in line and "File" not in line and "at " not in line:
        return None
    for pattern, reduce in _FRAME_FORMATS:
        match = pattern.match(line)
        if match is not None and _looks_like_location(match):
            return reduce(match, scrub)
    return None


def _looks_like_location(match: re.Match[str]) -> bool:
    # Guards the loose V8 and Gecko patterns against message lines such as
    # "Failed at step 3" or "mail jane@example.org": a frame names a file
    # or URL with a line number, or an engine placeholder like <anonymous>.
    groups = match.groups()
    location = groups[2] if match.re is not _PYTHON_FRAME else groups[1]
    if match.re in (_PYTHON_FRAME, _SDK_FRAME, _JAVA_FRAME):
        return True
    has_line = groups[3] is not None
    if match.re is _GECKO_FRAME:
        return has_line and ("/" in location or location.endswith(_SCRIPT_SUFFIXES))
    return (has_line and ("." in location or "/" in location)) or location in (
        "<anonymous>",
        "native",
        "native code",
        "[native code]",
    )
