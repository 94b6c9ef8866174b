"""Scrubbed stacks keep frame names, base names and lines, and nothing else."""

from __future__ import annotations

import sys

from lms_telemetry.sdk.stack import MAX_FRAMES, exception_payload, scrub_frames


def renew_for(card_number: str) -> None:
    borrower_email = "reader@example.org"  # noqa: F841 - must not leak
    raise LookupError(f"no loan for card ending {card_number[-2:]}")


def capture(function: object, *args: object) -> BaseException:
    try:
        function(*args)  # type: ignore[operator]
    except BaseException as exc:  # noqa: BLE001 - the test inspects any failure
        return exc
    raise AssertionError("expected an exception")


def test_stack_lists_frames_without_locals_or_directories() -> None:
    exc = capture(renew_for, "2100447712")
    payload = exception_payload(exc, "/loans/{loan_id}/renew")
    renew_line = renew_for.__code__.co_firstlineno + 2
    assert payload["stack"].splitlines() == [
        f"capture (test_stack.py:{capture.__code__.co_firstlineno + 2})",
        f"renew_for (test_stack.py:{renew_line})",
    ]
    assert payload["message"] == "no loan for card ending 12"
    assert payload["type"] == "LookupError"
    assert "reader@example.org" not in str(payload)
    assert "2100447712" not in str(payload)


def test_deep_recursion_keeps_innermost_frames() -> None:
    def descend(depth: int) -> None:
        if depth == 0:
            raise RecursionError("bottom")
        descend(depth - 1)

    limit = sys.getrecursionlimit()
    exc = capture(descend, min(200, limit // 4))
    frames = scrub_frames(exc)
    assert len(frames) == MAX_FRAMES
    assert all(name == "descend" for name, _, _ in frames)
