"""Scrubbed stacks for ``backend_exception`` events.

A stack keeps only what locates the failure in code: the function name, the
file's base name and the line number of each frame. Locals, arguments,
source lines and directory names are never read, so no patron data or
machine layout can leave the process through an exception report.
"""

from __future__ import annotations

import os
import traceback
from typing import Any

#: Frames kept from the innermost end; deep recursion would otherwise
#: produce stacks larger than the event size limit.
MAX_FRAMES = 50
MAX_MESSAGE_CHARS = 1000


def scrub_frames(exc: BaseException) -> list[tuple[str, str, int]]:
    """Return (function, file base name, line) for each traceback frame."""
    frames = traceback.extract_tb(exc.__traceback__)
    scrubbed = [
        (frame.name, os.path.basename(frame.filename), frame.lineno or 0)
        for frame in frames
    ]
    return scrubbed[-MAX_FRAMES:]


def format_stack(exc: BaseException) -> str:
    """Return the scrubbed stack, outermost frame first, one frame a line."""
    return "\n".join(
        f"{function} ({file}:{line})" for function, file, line in scrub_frames(exc)
    )


def exception_payload(exc: BaseException, endpoint: str) -> dict[str, Any]:
    """Return the ``backend_exception`` payload for ``exc`` raised in ``endpoint``."""
    message = str(exc)[:MAX_MESSAGE_CHARS]
    return {
        "type": type(exc).__qualname__,
        "message": message,
        "stack": format_stack(exc),
        "endpoint": endpoint,
    }
