"""What each persona does in a session, step by step, over the real site.

Patrons search for books drawn by popularity, click results with a bias for
the top of the list, borrow the books many people rate more often than the
obscure ones, place holds when no copy is left, and renew from My loans.
Librarians check items in and out at the desk, sometimes in bulk; admins
open the reports; IT staff watch the status page; bots crawl.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from examples.opac.catalog import Book
from examples.opac.simulation.experiment import ONE_CLICK_RENEWAL, variant_for
from examples.opac.simulation.queries import make_query, plain_title
from examples.opac.simulation.visit import (
    Visit,
    holds_on,
    loans_on,
    result_ids,
    results_count,
)

#: Chance to attempt a renewal from My loans, by variant: the effect the
#: one-click renewal experiment is meant to find.
# The planted effect: large enough that the demo's few hundred exposed
# patrons show it, as a button that halves the work of renewing might.
RENEWAL_ATTEMPT = {"control": 0.25, "treatment": 0.65}
POSITION_DECAY = 1.3


def click_position(visit: Visit, ids: list[int], target: int) -> int | None:
    """1-based position clicked: the sought book if listed, else top-biased."""
    if target in ids[:10] and visit.rng.random() < 0.75:
        return ids.index(target) + 1
    if visit.rng.random() < 0.5:
        return None
    shown = min(len(ids), 10)
    weights = [1 / (rank**POSITION_DECAY) for rank in range(1, shown + 1)]
    return visit.rng.choices(range(1, shown + 1), weights=weights)[0]


async def search(visit: Visit, query: str) -> list[int]:
    """Submit a search; return the item ids listed, as the page would."""
    path = f"/search?q={quote(query)}"
    response, elapsed_ms = await visit.request("GET", path)
    visit.tab.open_page("/search", f"Search: {query}", elapsed_ms)
    visit.tab.emit(
        "search_submitted",
        {
            "query": query,
            "results_count": results_count(response.text),
            "latency_ms": round(elapsed_ms, 2),
            "page_number": 1,
        },
    )
    return result_ids(response.text)


async def search_with_suggestions(visit: Visit, query: str) -> tuple[str, list[int]]:
    """Type a query; sometimes pick an autocomplete suggestion instead."""
    visit.tab.think(2, 8)
    visit.tab.emit("search_input", {"query": query[: max(3, len(query) // 2)]})
    if len(query) >= 4 and visit.rng.random() < 0.3:
        typed = query[: max(3, len(query) // 2)]
        response, _ = await visit.request("GET", "/api/suggest", params={"q": typed})
        suggestions = response.json().get("suggestions", [])
        if suggestions:
            position = (
                1
                if visit.rng.random() < 0.7
                else visit.rng.randint(1, len(suggestions))
            )
            choice = suggestions[position - 1]
            visit.tab.emit(
                "suggestion_clicked",
                {"query": typed, "suggestion": choice, "position": position},
            )
            visit.tab.emit("feature_used", {"feature": "autocomplete"})
            return choice, await search(visit, choice)
    return query, await search(visit, query)


async def view_and_borrow(
    visit: Visit, query: str, ids: list[int], target: int
) -> None:
    position = click_position(visit, ids, target)
    if position is None:
        return
    item_id = ids[position - 1]
    visit.tab.think(3, 20)
    visit.tab.emit(
        "result_clicked",
        {"query": query, "item_id": str(item_id), "position": position},
    )
    book = visit.books[item_id]
    await visit.page(f"/items/{item_id}?source=search&position={position}", book.title)
    visit.tab.emit(
        "item_viewed",
        {"item_id": str(item_id), "source": "search", "position": position},
    )
    visit.tab.think(10, 90)
    if visit.rng.random() < 0.15 + 0.55 * visit.popularity.appeal(book):
        await borrow_or_hold(visit, item_id)


async def borrow_or_hold(visit: Visit, item_id: int) -> None:
    result = await visit.action(f"/items/{item_id}/borrow")
    record_outcome(visit, "item_borrowed", item_id, result, "self")
    if result.get("outcome") == "success":
        visit.loaned_items.append(item_id)  # brought back at the desk later
    is_unavailable = result.get("reason") in (
        "no_copy_available",
        "reserved_for_another_patron",
    )
    if is_unavailable and visit.rng.random() < 0.6:
        visit.tab.think(2, 10)
        hold = await visit.action(f"/items/{item_id}/holds")
        record_outcome(visit, "hold_placed", item_id, hold, "self")


def record_outcome(
    visit: Visit, event: str, item_id: int, result: dict[str, Any], mode: str
) -> None:
    outcome = result.get("outcome")
    visit.stats.outcomes[f"{event} {outcome}"] += 1
    if outcome not in ("success", "refused"):
        return  # the page shows an error; the back end reported it
    payload: dict[str, Any] = {
        "item_id": str(item_id),
        "outcome": outcome,
        "mode": mode,
    }
    if result.get("reason"):
        payload["reason"] = result["reason"]
    visit.tab.emit(event, payload)


async def my_loans(visit: Visit) -> None:
    visit.tab.think(5, 30)
    page = await visit.page("/account/loans", "My loans")
    loans = loans_on(page.text)
    if loans:
        variant = variant_for(visit.tab.anonymous_id)
        visit.tab.experiments[ONE_CLICK_RENEWAL["key"]] = variant
        visit.tab.emit(
            "experiment_exposure",
            {"experiment": ONE_CLICK_RENEWAL["key"], "variant": variant},
        )
        if visit.rng.random() < RENEWAL_ATTEMPT[variant]:
            loan_id, item_id = loans[0]
            visit.tab.think(2, 15)
            result = await visit.action(f"/loans/{loan_id}/renew")
            record_outcome(visit, "item_renewed", item_id, result, "self")
    holds = holds_on(page.text)
    if holds and visit.rng.random() < 0.15:
        hold_id, item_id = visit.rng.choice(holds)
        result = await visit.action(f"/holds/{hold_id}/cancel")
        if result.get("outcome") == "success":
            visit.tab.emit("hold_cancelled", {"item_id": str(item_id)})


def retyped_query(visit: Visit, target: Book) -> str:
    """A second try after nothing was found: the title or author, spelt right."""
    if visit.rng.random() < 0.6:
        return plain_title(target).lower()
    return target.authors[0]


async def patron_session(visit: Visit) -> None:
    await visit.page("/", "Catalogue")
    for _ in range(visit.rng.choice((1, 1, 2, 2, 3))):
        target = visit.popularity.draw(visit.rng)
        query, ids = await search_with_suggestions(visit, make_query(target, visit.rng))
        if not ids and visit.rng.random() < 0.6:
            visit.tab.think(4, 25)  # a reformulation, within a minute
            query = retyped_query(visit, target)
            ids = await search(visit, query)
        if ids:
            await view_and_borrow(visit, query, ids, target.book_id)
    if visit.rng.random() < 0.45:
        await my_loans(visit)
