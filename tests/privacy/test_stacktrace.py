"""Stack traces keep functions, file names and lines, and nothing else."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from lms_telemetry.privacy.scrub import Scrubber
from lms_telemetry.privacy.stacktrace import base_name, scrub_stack

SCRUB = Scrubber().scrub


def test_v8_frames_lose_directories_and_query_strings() -> None:
    stack = (
        "TypeError: cannot read 'email' of jane@example.com\n"
        "    at renderLoans (https://opac.example.org/js/app.js?v=3&token=abc:120:17)\n"
        "    at Array.forEach (<anonymous>)\n"
        "    at https://opac.example.org/static/main.js#x:5:9"
    )

    assert scrub_stack(stack, SCRUB) == (
        "TypeError: cannot read 'email' of [email]\n"
        "    at renderLoans (app.js:120:17)\n"
        "    at Array.forEach (<anonymous>)\n"
        "    at main.js:5:9"
    )


def test_gecko_frames_are_reduced_without_reading_as_emails() -> None:
    stack = "loadPatron@https://opac.example.org/js/patron.js?barcode=1:44:3\n@debugger eval code:1:1"

    assert (
        scrub_stack(stack, SCRUB)
        == "loadPatron@patron.js:44:3\n@debugger eval code:1:1"
    )


def test_python_frames_drop_source_lines_and_locals() -> None:
    stack = (
        "Traceback (most recent call last):\n"
        '  File "C:\\Users\\Jane Doe\\lms\\views.py", line 42, in borrow\n'
        "    patron = lookup(card='4111111111111111')\n"
        "    card = '4111111111111111'\n"
        '  File "/home/jane/lms/loans.py", line 7, in check\n'
        "    raise LoanError(patron.email)\n"
        "LoanError: patron 555-234-5678 has 3 overdue items"
    )

    assert scrub_stack(stack, SCRUB) == (
        "Traceback (most recent call last):\n"
        '  File "views.py", line 42, in borrow\n'
        '  File "loans.py", line 7, in check\n'
        "LoanError: patron [phone] has 3 overdue items"
    )


def test_java_and_sdk_frames_are_kept() -> None:
    stack = (
        "\tat org.lms.Loans.renew(/srv/jane/Loans.java:88)\n"
        "\tat java.base/Thread.run(Native Method)\nhandle (views.py:42)"
    )

    assert scrub_stack(stack, SCRUB) == (
        "\tat org.lms.Loans.renew(Loans.java:88)\n"
        "\tat java.base/Thread.run(Native Method)\nhandle (views.py:42)"
    )


def test_message_line_that_looks_like_an_email_frame_is_scrubbed() -> None:
    assert scrub_stack("jane@example.org:25", SCRUB) == "[email]:25"


def test_base_name_of_urls_and_windows_paths() -> None:
    assert base_name("https://h/x/app.min.js?v=1#f") == "app.min.js"
    assert base_name("C:\\Users\\Jane\\a.py") == "a.py"
    assert base_name("") == "<unknown>"


@example("\x1e\x85")  # separators that splitlines() reads as line ends
@given(st.text(max_size=400))
def test_scrub_stack_never_raises_and_is_idempotent(stack: str) -> None:
    once = scrub_stack(SCRUB(stack), SCRUB)

    assert scrub_stack(SCRUB(once), SCRUB) == once
