"""Error fingerprints: kind/type, masked message and top in-app frame."""

from __future__ import annotations

from lms_telemetry.analytics.error_groups import (
    error_kind,
    error_type_of,
    fingerprint_error,
    mask_message,
    top_in_app_frame,
)

CHROME_STACK = """TypeError: Cannot read properties of undefined
    at renderItem (https://opac.example.org/static/app.3f9a2b1c.js?v=2:10:5)
    at https://opac.example.org/node_modules/react/index.js:1:1"""

GECKO_STACK = """@https://cdn.example.org/node_modules/lib.js:3:3
renderItem@https://mirror.example.net/static/app.js:99:1"""

PYTHON_STACK = """Traceback (most recent call last):
  File "/srv/lms/.venv/lib/python3.11/site-packages/starlette/routing.py", line 10, in handle
  File "/srv/lms/lms/circulation.py", line 42, in checkout
  File "/usr/lib/python3.11/json/decoder.py", line 5, in decode
ValueError: bad"""


def test_message_masks_numbers_ids_and_quoted_values() -> None:
    message = (
        "Item 12345 of patron 0a1b2c3d-1111-2222-3333-444455556666 "
        "has no field 'title' (took 3.5s, ref 0x7ffe12, code B00123X9)"
    )
    assert mask_message(message) == (
        "Item <n> of patron <uuid> has no field '<str>' "
        "(took <n>s, ref <hex>, code <id>)"
    )


def test_apostrophes_inside_words_are_not_quotes() -> None:
    assert mask_message("can't renew user's loan") == "can't renew user's loan"


def test_type_comes_from_payload_else_leads_the_message() -> None:
    assert error_type_of("KeyError", "'x'") == "KeyError"
    assert error_type_of(None, "Uncaught ReferenceError: x") == "ReferenceError"
    assert error_type_of(None, "Script error.") == ""


def test_kind_is_browser_kind_for_js_errors_and_exception_for_back_end() -> None:
    assert error_kind("js_error", "unhandledrejection") == "unhandledrejection"
    assert error_kind("js_error", None) == "error"
    assert error_kind("backend_exception", None) == "exception"


def test_top_in_app_frame_skips_libraries_and_ignores_origin_hash_and_line() -> None:
    assert top_in_app_frame(CHROME_STACK) == "/static/app.js in renderItem"
    assert top_in_app_frame(GECKO_STACK) == "/static/app.js in renderItem"
    assert top_in_app_frame(PYTHON_STACK) == "/srv/lms/lms/circulation.py in checkout"
    assert top_in_app_frame(None) == ""


def test_same_error_with_other_values_shares_a_fingerprint() -> None:
    first = fingerprint_error(
        "error", None, "TypeError: item 17 has no 'a'", CHROME_STACK
    )
    second = fingerprint_error(
        "error", None, "TypeError: item 9 has no 'b'", GECKO_STACK
    )
    assert first == second
    assert first[1] == "TypeError: item <n> has no '<str>'"


def test_fingerprint_differs_by_kind_type_message_and_frame() -> None:
    base = fingerprint_error("exception", "KeyError", "missing", PYTHON_STACK)[0]
    assert fingerprint_error("error", "KeyError", "missing", PYTHON_STACK)[0] != base
    assert (
        fingerprint_error("exception", "ValueError", "missing", PYTHON_STACK)[0] != base
    )
    assert fingerprint_error("exception", "KeyError", "absent", PYTHON_STACK)[0] != base
    assert (
        fingerprint_error("exception", "KeyError", "missing", CHROME_STACK)[0] != base
    )
