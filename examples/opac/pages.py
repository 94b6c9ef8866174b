"""Patron pages of the OPAC: search, item, borrowing, holds and loans."""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from examples.opac.site import outcome_response, read_fields, render, site_of

RESULTS_PER_PAGE = 20


def card_of(request: Request) -> str | None:
    card = request.cookies.get("card", "").strip()
    return card or None


def page_number(text: str) -> int:
    return max(1, min(int(text), 500)) if text.isdigit() else 1


def login_required() -> JSONResponse:
    return JSONResponse({"outcome": "refused", "reason": "not_logged_in"}, 401)


async def home(request: Request) -> Response:
    return render(request, "home.html", title="Catalogue")


async def login_form(request: Request) -> Response:
    return render(request, "login.html", title="Sign in")


async def login(request: Request) -> Response:
    card = str((await read_fields(request)).get("card", "")).strip()
    if not card.isalnum() or len(card) > 32:
        return render(request, "login.html", 400, title="Sign in", error="card")
    response = RedirectResponse("/account/loans", status_code=303)
    response.set_cookie("card", card, httponly=True, samesite="lax")
    return response


async def search(request: Request) -> Response:
    query = request.query_params.get("q", "")
    page = page_number(request.query_params.get("page", "1"))
    started = time.perf_counter()
    count, books = site_of(request).index.search(query, RESULTS_PER_PAGE * page)
    latency_ms = (time.perf_counter() - started) * 1000
    first = (page - 1) * RESULTS_PER_PAGE
    return render(
        request,
        "search.html",
        title=f"Search: {query}",
        query=query,
        page=page,
        results_count=count,
        results=list(enumerate(books[first:], start=first + 1)),
        latency_ms=round(latency_ms, 2),
    )


async def suggest(request: Request) -> Response:
    prefix = request.query_params.get("q", "")
    suggestions = site_of(request).index.suggest(prefix) if len(prefix) >= 2 else []
    return JSONResponse({"query": prefix, "suggestions": suggestions})


async def item(request: Request) -> Response:
    site = site_of(request)
    book = site.catalog.books.get(request.path_params["book_id"])
    if book is None:
        return render(request, "not_found.html", 404, title="Not found")
    return render(
        request,
        "item.html",
        title=book.title,
        book=book,
        available=site.library.available_copies(book.book_id),
        waiting=site.library.waiting(book.book_id),
    )


async def borrow(request: Request) -> Response:
    card = card_of(request)
    book_id = request.path_params["book_id"]
    site = site_of(request)
    if card is None:
        return login_required()
    if book_id not in site.catalog.books:
        return JSONResponse({"outcome": "refused", "reason": "no_such_item"}, 404)
    site.call_circulation_service("borrow")
    return outcome_response(site.library.borrow(card, book_id))


async def place_hold(request: Request) -> Response:
    card = card_of(request)
    book_id = request.path_params["book_id"]
    site = site_of(request)
    if card is None:
        return login_required()
    if book_id not in site.catalog.books:
        return JSONResponse({"outcome": "refused", "reason": "no_such_item"}, 404)
    return outcome_response(site.library.place_hold(card, book_id))


async def cancel_hold(request: Request) -> Response:
    card = card_of(request)
    if card is None:
        return login_required()
    library = site_of(request).library
    return outcome_response(library.cancel_hold(card, request.path_params["hold_id"]))


async def renew(request: Request) -> Response:
    card = card_of(request)
    if card is None:
        return login_required()
    site = site_of(request)
    site.call_circulation_service("renew")
    outcome = site.library.renew(card, request.path_params["loan_id"])
    return outcome_response(outcome)


async def my_loans(request: Request) -> Response:
    card = card_of(request)
    if card is None:
        return RedirectResponse("/login", status_code=303)
    site = site_of(request)
    patron = site.library.patron(card)
    return render(
        request,
        "loans.html",
        title="My loans",
        patron=patron,
        loans=sorted(patron.loans.values(), key=lambda loan: loan.due),
        holds=list(patron.holds.values()),
        books=site.catalog.books,
    )
