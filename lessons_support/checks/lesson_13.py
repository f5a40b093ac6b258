"""Checks for lesson 13's exercises (see lessons_support/checks/__init__.py).

13.1 serves the learner's partner app and sends three requests for one partner (two allowed
within the minute) and one for another partner, then reads the server's log: a 429 sent by a
handler of `Exception` (which Starlette's outermost layer calls and then logs the error) is not a fix. 13.2 gives the learner's catalogue app a fresh
SQLite database of ten items, reads the first page, deletes two items of that page (one of them
the page's last) and adds one, then follows the `next` cursors to the end: every item that still
exists must be seen exactly once. It also sends cursors a client could make up, which must get a
4xx, never a 500.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import delete

from checkpoints import lesson_09
from checkpoints.lesson_09 import ItemRow
from lessons_support.checks import exercise, has_routes
from lessons_support.exercises import NotYet, evaluate
from lessons_support.server import LiveServer, exception_lines, serve

PARTNER_PATH = "/partner/items"
CATALOGUE_PATH = "/catalogue"
PAGE = 4


def statuses(server: LiveServer, partner: str, count: int) -> list[int]:
    with httpx.Client(limits=httpx.Limits(max_keepalive_connections=0)) as client:
        return [client.get(server.url + PARTNER_PATH, headers={"X-Partner": partner}).status_code for _ in range(count)]


def third_request(server: LiveServer) -> dict[str, Any]:
    """The status, Retry-After and body of one more request from the partner "acme"."""
    response = httpx.get(server.url + PARTNER_PATH, headers={"X-Partner": "acme"})
    try:
        body = response.json()
    except ValueError:
        body = response.text[:200]
    return {"status": response.status_code, "retry_after": response.headers.get("retry-after", ""), "body": body}


def is_retry_after_429(answer: dict[str, Any]) -> bool:
    if answer["status"] != 429:
        raise AssertionError(f"the third request got {answer['status']}, not 429.")
    retry_after = answer["retry_after"]
    if not (retry_after.isdigit() and 0 < int(retry_after) <= 60):
        raise AssertionError(f"its Retry-After header is {retry_after!r}, not the whole seconds to wait (1 to 60).")
    if answer["body"] != {"detail": "Too many requests: try again later"}:
        raise AssertionError(f"its body is {answer['body']!r}, not the one rate_limited_handler makes.")
    return True


@exercise("13.1", "a quota that answers 500")
def partner_quota(build_partner_app):
    app = build_partner_app()
    if app is None or not has_routes(app):
        raise NotYet
    server = serve(app, name="exercise")
    yield evaluate(
        "two requests from one partner within the minute are answered",
        lambda: statuses(server, "acme", 2),
        expect=[200, 200],
        hint="Keep the partner app's route and the quota of two requests a minute per X-Partner.",
    )
    third = evaluate(
        "the third gets 429 with Retry-After, not 500",
        lambda: third_request(server),
        expect=is_retry_after_429,
        hint="A 500 is what the given cell shows: partner_server.print_last_error() says why. The 429 must be the one rate_limited_handler makes, headers included.",
    )
    yield third
    yield evaluate(
        "another partner is still answered",
        lambda: statuses(server, "globex", 1),
        expect=[200],
        hint="The quota is per partner: the X-Partner header is the limiter's key.",
    )
    if not third.passed:  # the 500's error is in the log: nothing more to learn from it
        return
    yield evaluate(
        "the server logged no error",
        lambda: server_errors(server),
        expect=[],
        hint=(
            "The 429 went out, yet the RateLimited error still reached the server's log as a crash: "
            "a handler of Exception or 500 answers for the outermost layer, which logs the error anyway."
        ),
    )


def server_errors(server: LiveServer) -> list[str]:
    """The first line of each error the server logged (it logs a request's error before it serves the next one)."""
    return [exception_lines(error).splitlines()[0] for error in server.errors()]


def fresh_catalogue(stack: ExitStack) -> Any:
    """A session factory for a new SQLite file of ten items, Widget 01 to Widget 10 (ids 1 to 10)."""
    folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="catalogue-"))
    sessions = stack.enter_context(lesson_09.open_database(f"sqlite:///{Path(folder) / 'items.db'}"))
    with sessions.begin() as session:
        session.add_all(ItemRow(name=f"Widget {n:02}", price=float(n)) for n in range(1, 11))
    return sessions


def follow(client: httpx.Client, first: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The pages after `first`, each fetched with the `next` of the one before, up to 20 pages."""
    page = first
    for _ in range(20):
        if page.get("next") is None or not page.get("items"):
            return
        response = client.get(CATALOGUE_PATH, params={"limit": PAGE, "cursor": page["next"]})
        if response.status_code != 200:
            raise AssertionError(f"a page asked for with cursor={page['next']!r} got {response.status_code}: {response.text[:200]}")
        page = response.json()
        yield page
    raise AssertionError("twenty pages and still a next cursor: the pages never end.")


def names(page: dict[str, Any]) -> list[str]:
    if not isinstance(page, dict) or not isinstance(page.get("items"), list) or "next" not in page:
        raise AssertionError(f'a page is {{"items": [...], "next": ...}}, not {str(page)[:200]}')
    return [item["name"] for item in page["items"]]


class Problem(str):
    """What went wrong over HTTP, found by the check itself (not an exception of the learner's code)."""


def pages_while_deleting(server: LiveServer, sessions: Any) -> list[str] | Problem:
    """Read page 1, delete Widget 02 and the page's last item, add Widget 11, then read on."""
    try:
        return read_while_deleting(server, sessions)
    except AssertionError as problem:
        return Problem(str(problem))


def read_while_deleting(server: LiveServer, sessions: Any) -> list[str]:
    with httpx.Client(base_url=server.url, limits=httpx.Limits(max_keepalive_connections=0)) as client:
        response = client.get(CATALOGUE_PATH, params={"limit": PAGE})
        if response.status_code != 200:
            raise AssertionError(f"the first page got {response.status_code}: {response.text[:200]}")
        first = response.json()
        seen = names(first)
        if seen != ["Widget 01", "Widget 02", "Widget 03", "Widget 04"]:
            raise AssertionError(f"the first page of {PAGE} is {seen}, not Widget 01 to Widget 04, in id order.")
        with sessions.begin() as session:
            session.execute(delete(ItemRow).where(ItemRow.name.in_(["Widget 02", "Widget 04"])))
            session.add(ItemRow(name="Widget 11", price=11.0))
        for page in follow(client, first):
            seen += names(page)
    return seen


def every_item_once(seen: list[str] | Problem) -> bool:
    if isinstance(seen, Problem):
        raise AssertionError(seen)
    expected = [f"Widget {n:02}" for n in range(1, 12)]
    missing = [name for name in expected if name not in seen and name not in ("Widget 02", "Widget 04")]
    repeated = sorted({name for name in seen if seen.count(name) > 1})
    if missing or repeated:
        raise AssertionError(
            f"after Widget 02 and Widget 04 were deleted between pages, the client never saw {missing or 'nothing missing'}"
            f" and saw twice {repeated or 'nothing'} (it saw {seen})."
        )
    return True


def made_up_cursors(server: LiveServer) -> list[int]:
    with httpx.Client(base_url=server.url, limits=httpx.Limits(max_keepalive_connections=0)) as client:
        answers = [
            client.get(CATALOGUE_PATH, params={"limit": PAGE, "cursor": cursor}).status_code
            for cursor in ("not-a-cursor", "9" * 30, "%00")
        ]
        answers += [client.get(CATALOGUE_PATH, params={"limit": limit}).status_code for limit in (0, 10_000)]
    return answers


def all_4xx(answers: list[int]) -> bool:
    cursors, limits = answers[:-2], answers[-2:]
    if any(code >= 500 for code in answers):
        raise AssertionError(f"made-up cursors got {cursors} and limit=0, limit=10000 got {limits}: a client's input must never cause a 500.")
    if not all(400 <= code < 500 for code in cursors):
        raise AssertionError(f"the cursors 'not-a-cursor', '999…9' (30 digits) and '%00' got {cursors}, not a 4xx that says they are wrong.")
    if not all(400 <= code < 500 for code in limits):
        raise AssertionError(f"limit=0 and limit=10000 got {limits}: a page's size needs bounds.")
    return True


@exercise("13.2", "pages that survive deletions")
def catalogue_pages(build_catalogue_app):
    app = build_catalogue_app()
    if app is None or not has_routes(app):
        raise NotYet
    with ExitStack() as stack:
        app.state.sessions = fresh_catalogue(stack)
        server = stack.enter_context(serve(app, name="exercise"))
        yield evaluate(
            "paging while items are deleted shows every remaining item once",
            lambda: pages_while_deleting(server, app.state.sessions),
            expect=every_item_once,
            hint="Which items come next should not depend on how many rows come before them.",
        )
        yield evaluate(
            "cursors and limits a client made up get a 4xx",
            lambda: made_up_cursors(server),
            expect=all_4xx,
            hint="The cursor arrives as text from the client: declare what it may be, so FastAPI refuses anything else.",
        )
