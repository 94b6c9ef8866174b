"""Loans, renewals and holds of the example library, with a real LMS's rules.

State lives in memory: the site is a demonstration, restarted with each
demo. The rules are the ones patrons meet at any library desk: a loan limit,
a renewal limit, no renewal of an item another patron is waiting for, and
no borrowing while the account is blocked for unpaid fines.
"""

from __future__ import annotations

import itertools
import math
import zlib
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from examples.opac.catalog import Book

LOAN_DAYS = 21
MAX_LOANS = 10
MAX_RENEWALS = 2
MAX_HOLDS = 5
#: Share of cards blocked for unpaid fines, fixed per card number.
BLOCKED_PER_MILLE = 40


@dataclass(frozen=True)
class Outcome:
    """What a circulation request came to: success, or refused with a reason."""

    is_success: bool
    reason: str | None = None
    loan_id: int | None = None
    hold_id: int | None = None
    overdue_days: int | None = None

    @property
    def label(self) -> str:
        return "success" if self.is_success else "refused"


@dataclass
class Loan:
    loan_id: int
    card: str
    book_id: int
    due: datetime
    renewals: int = 0


@dataclass
class Hold:
    hold_id: int
    card: str
    book_id: int


@dataclass
class Patron:
    card: str
    is_blocked: bool
    loans: dict[int, Loan] = field(default_factory=dict)
    holds: dict[int, Hold] = field(default_factory=dict)


def copies_for(book: Book) -> int:
    """Copies a library buys of a title: more for the popular ones."""
    return max(1, min(6, round(math.log10(max(book.ratings_count, 1)) - 2.5)))


def refused(reason: str) -> Outcome:
    return Outcome(False, reason)


class Library:
    """The circulation desk: who holds which copy, and who waits for which."""

    def __init__(self, books: dict[int, Book]) -> None:
        self.books = books
        self.patrons: dict[str, Patron] = {}
        self.loans: dict[int, Loan] = {}
        self.holds: dict[int, Hold] = {}
        self._on_loan: dict[int, int] = defaultdict(int)
        self._queues: dict[int, deque[int]] = defaultdict(deque)
        self._ids = itertools.count(1)

    def patron(self, card: str) -> Patron:
        """The patron with ``card``, registering the card on first use."""
        if card not in self.patrons:
            blocked = zlib.crc32(card.encode()) % 1000 < BLOCKED_PER_MILLE
            self.patrons[card] = Patron(card, blocked)
        return self.patrons[card]

    def available_copies(self, book_id: int) -> int:
        return copies_for(self.books[book_id]) - self._on_loan[book_id]

    def waiting(self, book_id: int) -> int:
        return len(self._queues[book_id])

    def borrow(self, card: str, book_id: int, now: datetime | None = None) -> Outcome:
        patron = self.patron(card)
        refusal = self._borrow_refusal(patron, book_id)
        if refusal:
            return refused(refusal)
        self._drop_own_hold(patron, book_id)
        loan = Loan(next(self._ids), card, book_id, _now(now) + timedelta(LOAN_DAYS))
        self.loans[loan.loan_id] = patron.loans[loan.loan_id] = loan
        self._on_loan[book_id] += 1
        return Outcome(True, loan_id=loan.loan_id)

    def renew(self, card: str, loan_id: int) -> Outcome:
        patron = self.patron(card)
        loan = patron.loans.get(loan_id)
        if loan is None:
            return refused("not_your_loan")
        if patron.is_blocked:
            return refused("account_blocked")
        if loan.renewals >= MAX_RENEWALS:
            return refused("renewal_limit_reached")
        if self._queues[loan.book_id]:
            return refused("item_on_hold")
        loan.renewals += 1
        loan.due += timedelta(LOAN_DAYS)
        return Outcome(True, loan_id=loan_id)

    def give_back(self, book_id: int, now: datetime | None = None) -> Outcome:
        """Check in the copy of ``book_id`` that has been out longest."""
        loan = min(
            (loan for loan in self.loans.values() if loan.book_id == book_id),
            key=lambda loan: loan.due,
            default=None,
        )
        if loan is None:
            return refused("not_on_loan")
        del self.loans[loan.loan_id]
        del self.patron(loan.card).loans[loan.loan_id]
        self._on_loan[book_id] -= 1
        overdue = max(0, (_now(now) - loan.due).days)
        return Outcome(True, loan_id=loan.loan_id, overdue_days=overdue)

    def place_hold(self, card: str, book_id: int) -> Outcome:
        patron = self.patron(card)
        if patron.is_blocked:
            return refused("account_blocked")
        if any(h.book_id == book_id for h in patron.holds.values()):
            return refused("already_on_hold")
        if any(loan.book_id == book_id for loan in patron.loans.values()):
            return refused("already_on_loan")
        if len(patron.holds) >= MAX_HOLDS:
            return refused("hold_limit_reached")
        hold = Hold(next(self._ids), card, book_id)
        self.holds[hold.hold_id] = patron.holds[hold.hold_id] = hold
        self._queues[book_id].append(hold.hold_id)
        return Outcome(True, hold_id=hold.hold_id)

    def cancel_hold(self, card: str, hold_id: int) -> Outcome:
        hold = self.patron(card).holds.get(hold_id)
        if hold is None:
            return refused("not_your_hold")
        self._remove_hold(hold)
        return Outcome(True, hold_id=hold_id)

    def _borrow_refusal(self, patron: Patron, book_id: int) -> str | None:
        if patron.is_blocked:
            return "account_blocked"
        if len(patron.loans) >= MAX_LOANS:
            return "loan_limit_reached"
        if any(loan.book_id == book_id for loan in patron.loans.values()):
            return "already_on_loan"
        available = self.available_copies(book_id)
        if available <= 0:
            return "no_copy_available"
        # Copies on the hold shelf are kept for the patrons first in line.
        queue = list(self._queues[book_id])
        ahead = next(
            (
                place
                for place, h in enumerate(queue)
                if self.holds[h].card == patron.card
            ),
            len(queue),
        )
        if ahead >= available:
            return "reserved_for_another_patron"
        return None

    def _drop_own_hold(self, patron: Patron, book_id: int) -> None:
        for hold in list(patron.holds.values()):
            if hold.book_id == book_id:
                self._remove_hold(hold)

    def _remove_hold(self, hold: Hold) -> None:
        del self.holds[hold.hold_id]
        del self.patron(hold.card).holds[hold.hold_id]
        self._queues[hold.book_id].remove(hold.hold_id)


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)
