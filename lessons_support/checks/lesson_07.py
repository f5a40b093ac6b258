"""Checks for lesson 07's exercises (see lessons_support/checks/__init__.py)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
from fastapi import FastAPI, Request

from lessons_support.checks import exercise
from lessons_support.exercises import CheckResult, evaluate
from lessons_support.server import serve

ADMIN_PAGE = "https://admin.example.com"
HEX_ID = re.compile(r"[0-9a-f]{32}")


def install(add: Callable[[FastAPI], Any], app: FastAPI) -> Callable[[], FastAPI | None]:
    """An attempt that lets the learner's function add its middleware; None (not done yet) if it added none."""

    def attempt() -> FastAPI | None:
        add(app)
        return app if app.user_middleware else None

    return attempt


def new_client(url: str) -> httpx.Client:
    return httpx.Client(base_url=url, limits=httpx.Limits(max_keepalive_connections=0))


@exercise("07.1", "a request id on every response")
def request_id(add_request_id: Callable[[FastAPI], None]) -> Iterator[CheckResult]:
    exercise_app = FastAPI()

    @exercise_app.get("/whoami")
    def whoami(request: Request) -> dict[str, Any]:
        return {"request_id": getattr(request.state, "request_id", None)}

    installed = evaluate("add_request_id(app) adds a middleware", install(add_request_id, exercise_app), expect=lambda app: True)
    yield installed
    if not installed.passed:
        return
    server = serve(exercise_app, name="exercise")
    with new_client(server.url) as client:

        def echoed() -> dict[str, Any]:
            response = client.get("/whoami", headers={"X-Request-ID": "order-42"})
            return {"status": response.status_code, "X-Request-ID": response.headers.get("x-request-id")}

        yield evaluate(
            "a client's X-Request-ID comes back unchanged",
            echoed,
            expect={"status": 200, "X-Request-ID": "order-42"},
            hint="A 500 means your middleware raised or gave no response back; another id means the request's own was not read.",
        )
        new_ids: list[str | None] = []

        def two_new_ids() -> list[str | None]:
            new_ids.extend(client.get("/whoami").headers.get("x-request-id") for _ in range(2))
            return new_ids

        def are_new_hex_ids(ids: list[str | None]) -> bool:
            assert all(i and HEX_ID.fullmatch(i) for i in ids), f"without X-Request-ID, the responses carried {ids}: expected 32 hexadecimal characters each."
            assert ids[0] != ids[1], f"two requests without an id both got {ids[0]!r}: each request needs an id of its own."
            return True

        yield evaluate("without one, each response gets a new id of 32 hex digits", two_new_ids, expect=are_new_hex_ids)

        def route_and_header() -> dict[str, Any]:
            response = client.get("/whoami")
            read = response.json().get("request_id") if response.status_code == 200 else None
            return {"status": response.status_code, "the route read": read, "the header says": response.headers.get("x-request-id")}

        def the_same(seen: dict[str, Any]) -> bool:
            assert seen["status"] == 200, f"GET /whoami answered {seen['status']}, not 200."
            assert seen["the route read"] is not None, "the route found no request_id on request.state: the route runs inside call_next."
            assert seen["the route read"] == seen["the header says"], f"the route read {seen['the route read']!r}, the header says {seen['the header says']!r}."
            return True

        yield evaluate("the route reads the same id from request.state.request_id", route_and_header, expect=the_same)


@exercise("07.2", "an API key that breaks CORS")
def key_and_cors(protect_admin_api: Callable[[FastAPI], None]) -> Iterator[CheckResult]:
    exercise_app = FastAPI()

    @exercise_app.delete("/items/{item_id}", status_code=204)
    def delete_item(item_id: int) -> None:
        return None

    installed = evaluate("protect_admin_api(app) adds middleware", install(protect_admin_api, exercise_app), expect=lambda app: True)
    yield installed
    if not installed.passed:
        return
    server = serve(exercise_app, name="exercise")
    with new_client(server.url) as client:

        def seen_by_the_page(method: str, headers: dict[str, str]) -> list[Any]:
            response = client.request(method, "/items/1", headers={"Origin": ADMIN_PAGE, **headers})
            return [response.status_code, response.headers.get("access-control-allow-origin")]

        preflight = {"Access-Control-Request-Method": "DELETE", "Access-Control-Request-Headers": "x-api-key"}

        def allowed(seen: list[Any]) -> bool:
            status, origin = seen
            if status == 401:
                raise AssertionError("the preflight got a 401, not CORSMiddleware's answer: which middleware answered it, and does a preflight carry the key?")
            assert status == 200 and origin == ADMIN_PAGE, f"expected 200 allowing {ADMIN_PAGE}, got {status} allowing {origin}."
            return True

        yield evaluate("the admin page's preflight is allowed", lambda: seen_by_the_page("OPTIONS", preflight), expect=allowed)
        yield evaluate(
            "the page's DELETE with the key: 204, readable by the page",
            lambda: seen_by_the_page("DELETE", {"X-API-Key": "let-me-in"}),
            expect=[204, ADMIN_PAGE],
        )

        def readable_refusal(seen: list[Any]) -> bool:
            status, origin = seen
            assert status == 401, f"a wrong key got {status}: the key check must refuse it with a 401."
            assert origin == ADMIN_PAGE, (
                "the 401 does not allow the admin page's origin, so the page cannot read why it was refused. Which middleware should wrap which?"
            )
            return True

        yield evaluate("a wrong key: 401, readable by the page", lambda: seen_by_the_page("DELETE", {"X-API-Key": "let-me-out"}), expect=readable_refusal)
        yield evaluate(
            "no key, from outside a browser: still 401",
            lambda: client.delete("/items/1").status_code,
            expect=401,
            hint="CORS only tells browsers what a page may read: the key check must still refuse every request without the key.",
        )

        def seen_by_another_origin() -> list[Any]:
            response = client.options("/items/1", headers={"Origin": "https://evil.example", **preflight})
            return [response.status_code, response.headers.get("access-control-allow-origin")]

        def refused(seen: list[Any]) -> bool:
            status, origin = seen
            assert not 200 <= status < 300 and origin is None, f"https://evil.example's preflight got {status} allowing {origin}: only the admin page's origin may be allowed."
            return True

        yield evaluate("another origin's preflight is refused", seen_by_another_origin, expect=refused)
