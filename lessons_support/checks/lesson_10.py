"""Checks for lesson 10's exercises (see lessons_support/checks/__init__.py)."""

import inspect
from collections.abc import Callable, Iterator
from typing import Annotated, Any

import httpx
from fastapi import Depends, FastAPI, HTTPException
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from lessons_support.checks import exercise, has_routes
from lessons_support.exercises import CheckResult, NotYet, evaluate
from lessons_support.server import LiveServer, exception_lines, serve
from lessons_support.waiting import wait_for

STOCK = {1: 12, 2: 0}
REPLY_TIMEOUT = 2.0


def stock_app(get_connection: Callable[..., Any], pool: Any) -> FastAPI:
    """Exercise 1's stock service around the learner's dependency, plus a route that fails."""
    app = FastAPI()
    Connection = Annotated[Any, Depends(get_connection, scope="function")]

    @app.get("/stock/{item_id}")
    def read_stock(item_id: int, connection: Connection) -> dict[str, int]:
        if item_id not in STOCK:
            raise HTTPException(status_code=404, detail="Item not found")
        return {"item_id": item_id, "in_stock": STOCK[item_id], "connections in use": pool.in_use()}

    @app.get("/stock/{item_id}/broken")
    def read_stock_broken(item_id: int, connection: Connection) -> dict[str, int]:
        raise RuntimeError("the endpoint failed")

    return app


def refuse(reason: str) -> Callable[[Any], bool]:
    def compare(_: Any) -> bool:
        raise AssertionError(reason)

    return compare


@exercise("10.1", "a pool that runs dry")
def pool_that_runs_dry(get_connection: Callable[..., Any], pool: Any) -> Iterator[CheckResult]:
    if not (inspect.isgeneratorfunction(get_connection) or inspect.isasyncgenfunction(get_connection)):
        if get_connection() is None:
            raise NotYet
        yield evaluate(
            "get_connection hands over a connection, then gives it back",
            get_connection,
            expect=refuse("get_connection returns a connection, so nothing can run after the endpoint to give it back."),
            hint="Keep the shape of the buggy dependency: it hands the connection over with yield.",
        )
        return
    fresh = evaluate(
        "the pool starts with every connection free",
        pool.in_use,
        expect=0,
        hint="An earlier attempt kept some: run the exercise cell again (it makes a fresh pool), then this check.",
    )
    yield fresh
    if not fresh.passed:
        return
    server = serve(stock_app(get_connection, pool), name="exercise")
    with httpx.Client(base_url=server.url, limits=httpx.Limits(max_keepalive_connections=0)) as client:

        def statuses_then_pool(*paths: str) -> dict[str, Any]:
            return {"statuses": [client.get(path).status_code for path in paths], "connections in use": pool.in_use()}

        steps = [
            lambda: evaluate(
                "a found item answers 200, holding one connection while the endpoint runs",
                lambda: client.get("/stock/1"),
                status=200,
                expect={"item_id": 1, "in_stock": 12, "connections in use": 1},
                hint="The endpoint must have its connection until it returns: nothing goes back to the pool before that.",
            ),
            lambda: evaluate(
                "after a found item, the connection is back in the pool",
                pool.in_use,
                expect=0,
                hint="When the endpoint returns normally, the connection must go back too.",
            ),
            lambda: evaluate(
                "after three 404s, every connection is back in the pool",
                lambda: statuses_then_pool("/stock/7", "/stock/8", "/stock/9"),
                expect={"statuses": [404, 404, 404], "connections in use": 0},
                hint="A 404 is an exception raised in the endpoint. Where does it arrive in get_connection, and what runs after that?",
            ),
            lambda: evaluate(
                "after an unexpected error (a 500), every connection is back in the pool",
                lambda: statuses_then_pool("/stock/1/broken"),
                expect={"statuses": [500], "connections in use": 0},
                hint="Not only HTTPException: whatever ends the request, the connection must go back.",
            ),
            lambda: evaluate(
                "a found item still answers 200 afterwards",
                lambda: client.get("/stock/2"),
                status=200,
                expect={"item_id": 2, "in_stock": 0, "connections in use": 1},
            ),
        ]
        for step in steps:
            result = step()
            yield result
            if not result.passed:
                return


REFUSALS = {
    403: "there is no WebSocket route at /ws/shout.",
    500: "the route returned, or failed, before it completed the handshake.",
}


def conversation(url: str, messages: list[str]) -> dict[str, Any] | int:
    """Send each message, then collect replies until the server closes: the replies and the close code.

    A refused handshake gives its HTTP status instead.
    """
    try:
        websocket = connect(url, open_timeout=REPLY_TIMEOUT)
    except InvalidStatus as refused:
        return refused.response.status_code
    replies: list[str] = []
    with websocket:
        try:
            for text in messages:
                websocket.send(text)
            while True:
                replies.append(websocket.recv(timeout=REPLY_TIMEOUT))
        except ConnectionClosed as closed:
            return {"replies": replies, "close code": closed.rcvd.code if closed.rcvd else None}
        except TimeoutError:
            return {"replies": replies, "close code": f"none: still open {REPLY_TIMEOUT:g} s after the last reply"}


def last_error(server: LiveServer) -> str:
    """The exception line of the server's newest traceback (uvicorn logs it just after answering)."""
    try:
        errors = wait_for(server.errors, timeout=REPLY_TIMEOUT)
    except TimeoutError:
        return ""
    lines = exception_lines(errors[-1]).splitlines()
    return f" The server logged: {lines[0]}" if lines else ""


def answers(expected: dict[str, Any], server: LiveServer) -> Callable[[Any], bool]:
    def compare(result: Any) -> bool:
        if isinstance(result, int):
            why = REFUSALS.get(result, "an unexpected status.")
            raise AssertionError(f"the server refused the handshake with {result}: {why}{last_error(server) if result == 500 else ''}")
        assert result == expected, f"expected {expected}, got {result}."
        return True

    return compare


@exercise("10.2", "a WebSocket route, live-coded")
def shout(add_shout_route: Callable[[FastAPI], Any]) -> Iterator[CheckResult]:
    app = FastAPI()
    add_shout_route(app)
    if not has_routes(app):
        raise NotYet
    server = serve(app, name="exercise")
    url = "ws" + server.url.removeprefix("http") + "/ws/shout"
    first = evaluate(
        "/ws/shout answers in upper case, then closes normally on bye",
        lambda: conversation(url, ["hello", "fastapi", "bye"]),
        expect=answers({"replies": ["HELLO", "FASTAPI"], "close code": 1000}, server),
        hint="Each text message gets one reply; bye gets none, and ends the conversation with a normal closure.",
    )
    yield first
    if not first.passed:
        return
    yield evaluate(
        "a second client gets a conversation of its own",
        lambda: conversation(url, ["again", "bye"]),
        expect=answers({"replies": ["AGAIN"], "close code": 1000}, server),
        hint="Each connection runs the route function anew, from its first step.",
    )
