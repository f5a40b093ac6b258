"""Checks for lesson 06's exercises (see lessons_support/checks/__init__.py)."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import httpx
from fastapi import APIRouter, FastAPI

from lessons_support.checks import exercise
from lessons_support.exercises import CheckResult, evaluate
from lessons_support.server import serve

RIGHT_KEY = "let-me-in"
COMPARE_DIGEST = hmac.compare_digest
API_KEY_SCHEME = [{"type": "apiKey", "in": "header", "name": "X-API-Key"}]


@contextmanager
def counted_where_imported(function: Any, counter: Any) -> Iterator[None]:
    """Count calls to compare_digest also when the notebook imported it by name (from hmac import compare_digest)."""
    namespace = getattr(function, "__globals__", {})
    imported = namespace.get("compare_digest") is COMPARE_DIGEST
    if imported:
        namespace["compare_digest"] = counter
    try:
        yield
    finally:
        if imported:
            namespace["compare_digest"] = COMPARE_DIGEST


@exercise("06.1", "an API key on a router")
def api_key_router(build_admin_router: Callable[[], APIRouter]) -> Iterator[CheckResult]:
    built: dict[str, Any] = {}
    with (
        mock.patch("secrets.compare_digest", wraps=secrets.compare_digest) as compare_digest,
        mock.patch("hmac.compare_digest", new=compare_digest),
        counted_where_imported(build_admin_router, compare_digest),
    ):

        def serve_the_router() -> Any:
            router = build_admin_router()
            if router is None:
                return None
            if not isinstance(router, APIRouter):
                raise TypeError(f"build_admin_router() returned {type(router).__name__}, not an APIRouter")

            @router.get("/report")
            def added_later() -> dict[str, str]:
                return {"report": "secret"}

            exercise_app = FastAPI()
            exercise_app.include_router(router)
            built["server"] = serve(exercise_app, name="exercise")
            return router

        served = evaluate("build_admin_router() gives an APIRouter", serve_the_router, expect=lambda router: True)
        yield served
        if not served.passed:
            return
        url = built["server"].url
        with httpx.Client(base_url=url, limits=httpx.Limits(max_keepalive_connections=0)) as client:

            def answer(path: str, key: str | bytes | None) -> tuple[int, Any, str | None]:
                response = client.get(path, headers={} if key is None else {"X-API-Key": key})
                is_json = response.headers.get("content-type") == "application/json"
                return response.status_code, response.json() if is_json else response.text, response.headers.get("www-authenticate")

            yield evaluate(
                "the right key gets /admin/ping's answer",
                lambda: answer("/admin/ping", RIGHT_KEY),
                expect=(200, {"admin": "ok"}, None),
                hint="With X-API-Key: let-me-in the route must answer 200 {'admin': 'ok'}.",
            )
            yield evaluate(
                "no key: 401 Not authenticated, with WWW-Authenticate: APIKey",
                lambda: answer("/admin/ping", None),
                expect=(401, {"detail": "Not authenticated"}, "APIKey"),
                hint="This is the answer /key-length gave without a key: your check can let a ready-made dependency give it.",
            )
            yield evaluate(
                "a wrong key: 401 Invalid API key, with WWW-Authenticate: APIKey",
                lambda: answer("/admin/ping", "let-me-out"),
                expect=(401, {"detail": "Invalid API key"}, "APIKey"),
                hint="Every 401 carries a WWW-Authenticate challenge; HTTPException takes headers.",
            )
            yield evaluate(
                "a non-ASCII key: 401, not a 500",
                lambda: answer("/admin/ping", "clé".encode())[0],
                expect=401,
                hint="A 500 here: read which types your comparison accepts, and what a header may hold.",
            )
            yield evaluate(
                "a route added to the router later is guarded too",
                lambda: answer("/admin/report", "let-me-out")[0],
                expect=401,
                hint="The check added GET /admin/report after build_admin_router() returned: put the guard on the router, not on a route.",
            )
            yield evaluate(
                "/openapi.json declares the X-API-Key scheme",
                lambda: list(client.get("/openapi.json").json().get("components", {}).get("securitySchemes", {}).values()),
                expect=API_KEY_SCHEME,
                hint="A guard written by hand is invisible to OpenAPI; fastapi.security's dependencies declare themselves.",
            )
            yield evaluate(
                "keys are compared in constant time",
                compare_digest.call_count >= 3,
                expect=True,
                hint="!= stops at the first different character; the secrets module has a comparison that does not.",
            )


@exercise("06.2", "a test that leaves no trace")
def fresh_store(names_in_a_fresh_store: Callable[[list[str]], list[str]], app: FastAPI) -> Iterator[CheckResult]:
    from checkpoints.lesson_05 import get_store  # here, so that progress() in other lessons does not import the checkpoint

    overrides_before = dict(app.dependency_overrides)
    real_before = [item.model_dump() for item in app.state.store.list()]

    def no_override_left() -> bool:
        left = get_store in app.dependency_overrides
        app.dependency_overrides.clear()
        app.dependency_overrides.update(overrides_before)
        return not left

    def lists_exactly(names: Any) -> bool:
        if names == []:
            raise AssertionError("got [], as if each request met an empty store of its own: how many stores does your replacement make?")
        assert names == ["Pen", "Ink"], f"expected [\"Pen\", \"Ink\"], got {names!r}."
        return True

    yield evaluate(
        "Pen and Ink are listed, and only them",
        lambda: names_in_a_fresh_store(["Pen", "Ink"]),
        expect=lists_exactly,
        hint="If POST /items/ answered 500, server.print_last_error(short=True) says what FastAPI tried to do with your replacement.",
    )
    yield evaluate(
        "no override is left afterwards",
        no_override_left,
        expect=True,
        hint="app.dependency_overrides still replaces get_store once your function has returned.",
    )
    yield evaluate(
        "the real store is unchanged",
        lambda: [item.model_dump() for item in app.state.store.list()] == real_before,
        expect=True,
        hint="The items went into app.state.store: the routes did not get your replacement store.",
    )

    def after_a_failing_request() -> bool:
        try:
            names_in_a_fresh_store(["Pen", ""])
        except Exception:  # the learner's function may raise on the 422; that is allowed
            pass
        return no_override_left()

    yield evaluate(
        "no override is left when a request fails",
        after_a_failing_request,
        expect=True,
        hint="An empty name gets a 422: whatever your function does then, the override must go afterwards.",
    )
    for item in app.state.store.list():  # put the notebook's store back as it was
        if item.model_dump() not in real_before:
            app.state.store.delete(item.id)
