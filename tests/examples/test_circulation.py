"""Circulation rules: the refusals a patron meets at a real library."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime, timedelta

from examples.opac.catalog import Book
from examples.opac.circulation import (
    BLOCKED_PER_MILLE,
    MAX_LOANS,
    MAX_RENEWALS,
    Library,
    copies_for,
)


def book(book_id: int, ratings_count: int = 5000) -> Book:
    return Book(
        book_id, f"Title {book_id}", ("Author",), 1900, "eng", 4.0, ratings_count, None
    )


def library(count: int = 20) -> Library:
    return Library({i: book(i) for i in range(1, count + 1)})


def card(blocked: bool) -> str:
    for number in range(10_000):
        candidate = f"P{number:05d}"
        is_blocked = zlib.crc32(candidate.encode()) % 1000 < BLOCKED_PER_MILLE
        if is_blocked == blocked:
            return candidate
    raise AssertionError("no such card")


def test_renewal_refused_once_the_limit_is_reached() -> None:
    desk, reader = library(), card(blocked=False)
    loan_id = desk.borrow(reader, 1).loan_id
    assert loan_id is not None
    outcomes = [desk.renew(reader, loan_id) for _ in range(MAX_RENEWALS + 1)]
    assert [o.label for o in outcomes] == ["success"] * MAX_RENEWALS + ["refused"]
    assert outcomes[-1].reason == "renewal_limit_reached"


def test_renewal_refused_when_another_patron_holds_the_item() -> None:
    desk, reader = library(), card(blocked=False)
    loan_id = desk.borrow(reader, 1).loan_id
    assert desk.place_hold("OTHER1", 1).is_success
    outcome = desk.renew(reader, loan_id or 0)
    assert (outcome.is_success, outcome.reason) == (False, "item_on_hold")


def test_blocked_account_cannot_borrow_renew_or_hold() -> None:
    desk, blocked = library(), card(blocked=True)
    assert desk.borrow(blocked, 1).reason == "account_blocked"
    assert desk.place_hold(blocked, 1).reason == "account_blocked"


def test_loan_limit_and_copies_are_enforced() -> None:
    desk, reader = library(MAX_LOANS + 2), card(blocked=False)
    for book_id in range(1, MAX_LOANS + 1):
        assert desk.borrow(reader, book_id).is_success
    assert desk.borrow(reader, MAX_LOANS + 1).reason == "loan_limit_reached"
    copies = copies_for(desk.books[MAX_LOANS + 2])
    for number in range(copies):
        assert desk.borrow(f"R{number}", MAX_LOANS + 2).is_success
    assert desk.borrow("LATE", MAX_LOANS + 2).reason == "no_copy_available"


def test_copy_returned_is_kept_for_the_patron_first_in_line() -> None:
    desk = Library({1: book(1, ratings_count=3000)})  # one copy
    assert copies_for(desk.books[1]) == 1
    assert desk.borrow("FIRST", 1).is_success
    assert desk.place_hold("WAITER", 1).is_success
    later = datetime.now(UTC) + timedelta(days=25)
    returned = desk.give_back(1, now=later)
    assert returned.overdue_days == 4
    assert desk.borrow("SOMEONE", 1).reason == "reserved_for_another_patron"
    assert desk.borrow("WAITER", 1).is_success
    assert desk.holds == {}
