"""Sessions of staff and of bots: circulation desk, reports, status, crawling."""

from __future__ import annotations

from examples.opac.simulation.personas import record_outcome
from examples.opac.simulation.visit import Visit

MAX_RETURNS_REMEMBERED = 5000


def patron_card(visit: Visit) -> str:
    return f"P{visit.rng.randrange(1, 4000):05d}"


async def check_out(visit: Visit, card: str) -> None:
    book = visit.popularity.draw(visit.rng)
    result = await visit.action(
        "/staff/checkout", json={"card": card, "book_id": str(book.book_id)}
    )
    record_outcome(visit, "item_borrowed", book.book_id, result, "desk")
    if result.get("outcome") == "success":
        visit.loaned_items.append(book.book_id)


async def check_in(visit: Visit) -> None:
    if not visit.loaned_items:
        return
    book_id = visit.loaned_items.pop(visit.rng.randrange(len(visit.loaned_items)))
    result = await visit.action("/staff/checkin", json={"book_id": str(book_id)})
    if result.get("outcome") == "success":
        visit.tab.emit(
            "item_returned",
            {"item_id": str(book_id), "overdue_days": result.get("overdue_days", 0)},
        )


async def bulk_check_out(visit: Visit) -> None:
    books = {
        visit.popularity.draw(visit.rng).book_id for _ in range(visit.rng.randint(3, 8))
    }
    visit.tab.emit("tab_switched", {"tab": "bulk-check-out"})
    body = {"card": patron_card(visit), "book_ids": " ".join(map(str, books))}
    result = await visit.action("/staff/bulk-checkout", json=body)
    lines = result.get("results", [])
    visit.tab.emit(
        "feature_used", {"feature": "bulk_checkout", "count": max(1, len(lines))}
    )
    for line in lines:
        record_outcome(visit, "item_borrowed", line["book_id"], line, "bulk")
        if line.get("outcome") == "success":
            visit.loaned_items.append(line["book_id"])


async def librarian_session(visit: Visit) -> None:
    await visit.page("/staff", "Circulation desk")
    for _ in range(visit.rng.randint(3, 10)):
        visit.tab.think(20, 180)
        roll = visit.rng.random()
        if roll < 0.45:
            await check_out(visit, patron_card(visit))
        elif roll < 0.9:
            await check_in(visit)
        else:
            await bulk_check_out(visit)


async def admin_session(visit: Visit) -> None:
    await visit.page("/staff", "Circulation desk")
    for _ in range(visit.rng.randint(1, 3)):
        visit.tab.think(10, 60)
        visit.tab.emit("menu_clicked", {"item": "reports"})
        await visit.page("/admin", "Reports")
        visit.tab.emit(
            "feature_used", {"feature": "circulation_report", "action": "open"}
        )
    if visit.rng.random() < 0.3:
        await visit.page("/it/status", "System status")


async def it_session(visit: Visit) -> None:
    await visit.page("/it/status", "System status")
    visit.tab.emit("feature_used", {"feature": "system_status", "action": "open"})
    for _ in range(visit.rng.randint(2, 6)):
        visit.tab.think(30, 300)
        await visit.request("GET", "/api/status")
        visit.tab.emit("feature_used", {"feature": "status_refresh"})


async def crawler_session(visit: Visit) -> None:
    """A crawler or scraper: many item pages, no scripts run, no events sent."""
    for _ in range(visit.rng.randint(5, 15)):
        book = visit.rng.choice(visit.popularity.books)
        await visit.request("GET", f"/items/{book.book_id}")


async def headless_session(visit: Visit) -> None:
    """A headless browser runs the pages' scripts, so its events arrive too."""
    for _ in range(visit.rng.randint(3, 8)):
        book = visit.rng.choice(visit.popularity.books)
        await visit.page(f"/items/{book.book_id}", book.title)
        visit.tab.emit(
            "item_viewed", {"item_id": str(book.book_id), "source": "direct"}
        )
