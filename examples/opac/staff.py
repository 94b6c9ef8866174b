"""Staff pages: the circulation desk, the admin reports and the IT status."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from examples.opac.site import outcome_response, read_fields, render, site_of

STARTED_AT = time.monotonic()
MAX_BULK_ITEMS = 50
#: The admin reports read a reporting database that takes its time; the
#: delay is what makes /admin the slow endpoint of the performance report.
REPORT_DELAY_SECONDS = (0.15, 0.45)


def _book_ids(text: object) -> list[int]:
    parts = str(text or "").replace(",", " ").split()
    return [int(part) for part in parts if part.isdigit()]


async def desk(request: Request) -> Response:
    return render(request, "staff.html", title="Circulation desk")


async def check_out(request: Request) -> Response:
    fields = await read_fields(request)
    site = site_of(request)
    card = str(fields.get("card", "")).strip()
    book_ids = _book_ids(fields.get("book_id"))
    if not card or len(book_ids) != 1 or book_ids[0] not in site.catalog.books:
        return JSONResponse({"outcome": "refused", "reason": "invalid_request"}, 400)
    site.call_circulation_service("checkout")
    return outcome_response(site.library.borrow(card, book_ids[0]))


async def check_in(request: Request) -> Response:
    fields = await read_fields(request)
    book_ids = _book_ids(fields.get("book_id"))
    if len(book_ids) != 1:
        return JSONResponse({"outcome": "refused", "reason": "invalid_request"}, 400)
    return outcome_response(site_of(request).library.give_back(book_ids[0]))


async def bulk_check_out(request: Request) -> Response:
    fields = await read_fields(request)
    site = site_of(request)
    card = str(fields.get("card", "")).strip()
    book_ids = [i for i in _book_ids(fields.get("book_ids")) if i in site.catalog.books]
    if not card or not book_ids or len(book_ids) > MAX_BULK_ITEMS:
        return JSONResponse({"outcome": "refused", "reason": "invalid_request"}, 400)
    site.call_circulation_service("bulk checkout")
    results = []
    for book_id in book_ids:
        outcome = site.library.borrow(card, book_id)
        results.append(
            {"book_id": book_id, "outcome": outcome.label, "reason": outcome.reason}
        )
    succeeded = sum(result["outcome"] == "success" for result in results)
    return JSONResponse({"checked_out": succeeded, "results": results})


async def admin_reports(request: Request) -> Response:
    site = site_of(request)
    await asyncio.sleep(site.rng.uniform(*REPORT_DELAY_SECONDS))
    library = site.library
    on_loan = Counter(loan.book_id for loan in library.loans.values())
    held = Counter(hold.book_id for hold in library.holds.values())
    return render(
        request,
        "admin.html",
        title="Reports",
        top_loans=[(site.catalog.books[i], n) for i, n in on_loan.most_common(10)],
        top_holds=[(site.catalog.books[i], n) for i, n in held.most_common(10)],
        patrons=len(library.patrons),
        blocked=sum(p.is_blocked for p in library.patrons.values()),
    )


def status_figures(request: Request) -> dict[str, object]:
    site = site_of(request)
    drops = request.app.state.telemetry.drops
    return {
        "status": "ok",
        "uptime_seconds": round(time.monotonic() - STARTED_AT, 1),
        "books": len(site.catalog.books),
        "catalog_rows_skipped": len(site.catalog.skipped),
        "active_loans": len(site.library.loans),
        "active_holds": len(site.library.holds),
        "patrons": len(site.library.patrons),
        "telemetry_drops": sum(drops.values()),
    }


async def it_status(request: Request) -> Response:
    return render(
        request,
        "it_status.html",
        title="System status",
        figures=status_figures(request),
    )


async def status_json(request: Request) -> Response:
    return JSONResponse(status_figures(request))
