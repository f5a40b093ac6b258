"""Checks for lesson 11's exercises (see lessons_support/checks/__init__.py).

Exercise 1 talks to the learner's chat room with real WebSocket clients (the `websockets` asyncio
client, on an event loop of its own, as `evaluate` runs coroutines): a clean goodbye, a dropped
connection, and, once everyone has left, a count of the app's WebSocket objects still referenced
(a room that never forgets its departed clients keeps them all). Exercise 2 gives the learner's app
an instrumented warehouse, sends 48 report requests at once, and reads how many threads of the
server's shared pool the waiting reports hold: a route that waits for a slot inside a thread holds
one each, a route that waits on the event loop holds none. Neither judges a duration, so the
verdicts do not depend on the machine's load.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anyio.to_thread
import httpx
from fastapi import FastAPI, WebSocket
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from lessons_support.checks import exercise, has_routes
from lessons_support.exercises import CheckResult, NotYet, evaluate
from lessons_support.server import exception_lines, serve

REPLY_TIMEOUT = 2.0
SILENT = "(nothing within 2 s)"
LOST = "(connection closed by the server)"


async def hear(websocket: ClientConnection) -> str:
    """The next message, or a note saying why there is none."""
    try:
        return str(await asyncio.wait_for(websocket.recv(), REPLY_TIMEOUT))
    except TimeoutError:
        return SILENT
    except ConnectionClosed:
        return LOST


async def everyone_hears(room: str) -> dict[str, str]:
    async with connect(room + "alice") as alice, connect(room + "bob") as bob, connect(room + "carol") as carol:
        await alice.send("hi")
        return {"alice": await hear(alice), "bob": await hear(bob), "carol": await hear(carol)}


async def after_a_goodbye(room: str) -> dict[str, list[str]]:
    async with connect(room + "alice") as alice, connect(room + "bob") as bob:
        async with connect(room + "carol"):
            pass
        heard: dict[str, list[str]] = {"alice": [], "bob": []}
        for speaker, text in ((bob, "still here?"), (alice, "yes")):
            await speaker.send(text)
            heard["alice"].append(await hear(alice))
            heard["bob"].append(await hear(bob))
        return heard


async def after_a_drop(room: str) -> dict[str, list[str]]:
    async with connect(room + "alice") as alice, connect(room + "bob") as bob:
        dave = await connect(room + "dave")
        dave.transport.abort()
        await dave.wait_closed()
        heard: dict[str, list[str]] = {"alice": [], "bob": []}
        for speaker, text in ((alice, "anyone?"), (bob, "me")):
            await speaker.send(text)
            heard["alice"].append(await hear(alice))
            heard["bob"].append(await hear(bob))
        return heard


def and_no_error(server: Any, scenario: Callable[[str], Any], room: str) -> Callable[[], Any]:
    """Run the scenario, then fail with the server's own error line if it logged one meanwhile."""

    async def run() -> Any:
        before = len(server.errors())
        heard = await scenario(room)
        if LOST in str(heard):  # uvicorn logs a crashed handler just after it drops the connection
            for _ in range(100):
                if len(server.errors()) > before:
                    break
                await asyncio.sleep(0.01)
        errors = server.errors()[before:]
        if errors:
            heard = {**heard, "server error": exception_lines(errors[-1]).splitlines()[0]}
        return heard

    return run


def connections_kept(app: Any) -> Callable[[], int]:
    """How many WebSocket connections of `app` are still referenced once every client has left.

    A room that forgets a client when it leaves holds none; one that keeps departed clients in its
    list holds every one of them, for as long as the app lives.
    """

    def count() -> int:
        gc.collect()
        return sum(1 for thing in gc.get_objects() if isinstance(thing, WebSocket) and thing.scope.get("app") is app)

    async def settled() -> int:
        for _ in range(40):
            if (kept := count()) == 0:
                return 0
            await asyncio.sleep(0.05)
        return kept

    return settled


def none_kept(kept: int) -> bool:
    if kept:
        raise AssertionError(f"every client has left, yet the app still holds {kept} of their connections.")
    return True


@exercise("11.1", "a broadcast that one client breaks")
def chat_room(build_chat_app: Callable[[], Any]) -> Iterator[CheckResult]:
    app = build_chat_app()
    if app is None or not has_routes(app):
        raise NotYet
    server = serve(app, name="exercise")
    room = "ws" + server.url.removeprefix("http") + "/ws/chat/"
    results = [
        lambda: evaluate(
            "three clients in the room all hear a message",
            and_no_error(server, everyone_hears, room),
            expect={"alice": "alice: hi", "bob": "alice: hi", "carol": "alice: hi"},
            hint=(
                "Keep the route's path, /ws/chat/{name}, and the message format, '<name>: <text>', sent to everyone;"
                " a 'server error' above means the route failed while it sent."
            ),
        ),
        lambda: evaluate(
            "after carol says goodbye, alice and bob still hear each other",
            and_no_error(server, after_a_goodbye, room),
            expect={"alice": ["bob: still here?", "alice: yes"], "bob": ["bob: still here?", "alice: yes"]},
            hint="When carol's receiving loop ends, is she still one of the clients a broadcast sends to?",
        ),
        lambda: evaluate(
            "after dave's connection drops without a goodbye, the room still works",
            and_no_error(server, after_a_drop, room),
            expect={"alice": ["alice: anyone?", "bob: me"], "bob": ["alice: anyone?", "bob: me"]},
            hint="A client can vanish while someone else's broadcast is sending to it: one failed send must not end the sender's connection.",
        ),
        lambda: evaluate(
            "once everyone has left, the room keeps no connection",
            connections_kept(app),
            expect=none_kept,
            hint="A client that leaves must also leave the room's list, or the app keeps its connection, and sends to it, forever.",
        ),
    ]
    for step in results:
        result = step()
        yield result
        if not result.passed:
            return


class Warehouse:
    """The warehouse's report library: blocking, and its server takes SLOTS reports at once.

    It records the most reports it ever saw running at the same time, in `peak`.
    """

    SLOTS = 4
    SECONDS = 0.03

    def __init__(self) -> None:
        self.running = 0
        self.peak = 0
        self._lock = threading.Lock()

    def report(self, number: int) -> dict[str, int]:
        with self._lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
        try:
            time.sleep(self.SECONDS)
        finally:
            with self._lock:
                self.running -= 1
        return {"report": number, "rows": 3}


REPORTS_AT_ONCE = 48


async def threads_in_use() -> int:
    """How many threads of this server's shared pool are lent out right now (read on its own loop)."""
    return anyio.to_thread.current_default_thread_limiter().borrowed_tokens


async def many_reports(url: str) -> dict[str, Any]:
    """48 report requests at once; while they run, the most threads of the shared pool in use."""
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        requests = [asyncio.create_task(client.get(f"/reports/{number}")) for number in range(REPORTS_AT_ONCE)]
        busiest = 0
        while not all(request.done() for request in requests):
            busiest = max(busiest, (await client.get("/check/threads-in-use")).json())
            await asyncio.sleep(0.005)
        responses = await asyncio.gather(*requests)
    answered = [response.json() if response.status_code == 200 else response.status_code for response in responses]
    wrong = [answer for number, answer in enumerate(answered) if answer != {"report": number, "rows": 3}]
    return {"wrong answers": wrong[:3], "threads": busiest}


class Once:
    """Run `function` the first time it is called; give the same result (or raise the same error) after."""

    def __init__(self, function: Callable[[], Any]) -> None:
        self.function = function
        self.outcome: tuple[bool, Any] | None = None

    def __call__(self) -> Any:
        if self.outcome is None:
            try:
                with ThreadPoolExecutor(max_workers=1) as pool:
                    self.outcome = (True, pool.submit(asyncio.run, self.function()).result())
            except Exception as error:  # the learner's app failed: every step reports it
                self.outcome = (False, error)
        ok, value = self.outcome
        if not ok:
            raise value
        return value


def at_most_slots(warehouse: Warehouse) -> Callable[[Any], bool]:
    def judge(_: Any) -> bool:
        if warehouse.peak > Warehouse.SLOTS:
            raise AssertionError(f"the warehouse saw {warehouse.peak} reports at once; its server takes {Warehouse.SLOTS}.")
        if warehouse.peak < Warehouse.SLOTS:
            raise AssertionError(
                f"the warehouse saw at most {warehouse.peak} report(s) at once: it takes {Warehouse.SLOTS}, "
                "so the reports queued longer than they had to."
            )
        return True

    return judge


def few_threads(summary: dict[str, Any]) -> bool:
    if summary["threads"] > Warehouse.SLOTS:
        raise AssertionError(
            f"while the {REPORTS_AT_ONCE} reports ran, {summary['threads']} threads of the server's shared pool were in use at once; "
            f"only the {Warehouse.SLOTS} reports the warehouse is running should hold one."
        )
    return True


@exercise("11.2", "reports that wait their turn")
def reports_wait_their_turn(build_report_app: Callable[[Any], Any]) -> Iterator[CheckResult]:
    warehouse = Warehouse()
    app = build_report_app(warehouse)
    if app is None or not has_routes(app):
        raise NotYet
    if not isinstance(app, FastAPI):
        yield evaluate("build_report_app returns a FastAPI app", app, expect=lambda _: False)
        return
    app.add_api_route("/check/threads-in-use", threads_in_use)
    server = serve(app, name="exercise")
    with httpx.Client(base_url=server.url) as client:
        one = evaluate(
            "GET /reports/7 answers the warehouse's report",
            lambda: client.get("/reports/7"),
            status=200,
            expect={"report": 7, "rows": 3},
            hint="Return what warehouse.report(number) returns.",
        )
    yield one
    if not one.passed:
        return
    warehouse.peak = 0
    load = Once(lambda: many_reports(server.url))
    yield evaluate(
        f"{REPORTS_AT_ONCE} reports at once: each answers its own report",
        lambda: load()["wrong answers"],
        expect=[],
        hint="Every request must get warehouse.report(number) for its own number, with status 200.",
    )
    yield evaluate(
        f"{REPORTS_AT_ONCE} reports at once: the warehouse sees {Warehouse.SLOTS} at a time, never more",
        lambda: load(),
        expect=at_most_slots(warehouse),
        hint="All requests must share one limit of 4, and reach it.",
    )
    yield evaluate(
        f"while they wait, the reports hold at most {Warehouse.SLOTS} threads of the shared pool",
        lambda: load(),
        expect=few_threads,
        hint="Where does a request wait for its slot: in a thread of the pool, or on the event loop?",
    )
