"""Checks for lesson 08's exercises (see lessons_support/checks/__init__.py).

The tokens they send are minted with the app's own key by `checkpoints.lesson_08.create_access_token`,
the function the notebook's `/token` uses: no password is checked, so no Argon2 time is spent.
That module is imported inside the checks: `progress()` imports every check module, and importing
the checkpoint builds its app (an Argon2 hash).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import jwt

from lessons_support.checks import exercise
from lessons_support.exercises import evaluate
from lessons_support.server import serve


def _is(expected: Any, what: str) -> Callable[[Any], bool]:
    def judge(value: Any) -> bool:
        if value is not expected:
            raise AssertionError(f"expected {what}, got {value!r:.120}.")
        return True

    return judge


@exercise("08.1", "admins only")
def admins_only(get_current_admin: Callable[[Any], Any], staff: Any):
    from checkpoints.lesson_08 import create_access_token

    users = staff.state.users
    alice, bob = users["alice"], users["bob"]
    yield evaluate(
        "get_current_admin(alice) returns alice, who is an admin",
        lambda: get_current_admin(alice),
        expect=_is(alice, "the user it was given, alice"),
        hint="An admin gets through: return the user you received.",
    )
    server = serve(staff, name="exercise")
    with httpx.Client(base_url=server.url, limits=httpx.Limits(max_keepalive_connections=0)) as client:

        def ask_as(username: str | None) -> Callable[[], httpx.Response]:
            headers = {"Authorization": f"Bearer {create_access_token(username, staff.state.secret_key)}"} if username else {}
            return lambda: client.get("/admin/users", headers=headers)

        yield evaluate(
            "bob, who is not an admin, is refused: 403 Admins only",
            ask_as(bob.username),
            status=403,
            expect={"detail": "Admins only"},
            hint="bob's token is valid, so FastAPI knows who he is: the refusal is not about logging in.",
        )
        yield evaluate(
            "alice, an admin, gets the users, without their hashes",
            ask_as(alice.username),
            status=200,
            expect=[{"username": "alice", "full_name": "Alice Liddell"}, {"username": "bob", "full_name": "Bob"}],
        )
        yield evaluate(
            "a request without a token still gets 401",
            ask_as(None),
            status=401,
            hint="Let get_current_admin depend on the current user (CurrentUser), so that a missing token is refused first.",
        )


def _seconds_between(low: float, high: float) -> Callable[[Any], bool]:
    def judge(left: Any) -> bool:
        if isinstance(left, bool) or not isinstance(left, (int, float)):
            raise AssertionError(f"seconds_left returned {left!r:.120}, not a number of seconds.")
        if not low < left <= high:
            raise AssertionError(f"seconds_left returned {left:.0f}, expected between {low:.0f} and {high:.0f}.")
        return True

    return judge


def _raises_on(seconds_left: Callable[[str], Any], token: str) -> Callable[[], Any]:
    def attempt() -> Any:
        try:
            return seconds_left(token)
        except jwt.InvalidTokenError:
            return "raised"

    return attempt


def _raised(value: Any) -> bool:
    if value != "raised":
        raise AssertionError(f"seconds_left returned {value!r:.60} for a token signed with another key; it must raise.")
    return True


@exercise("08.2", "how long has a token left?")
def token_time_left(seconds_left: Callable[[str], Any], app: Any):
    from checkpoints.lesson_08 import create_access_token

    key = app.state.secret_key
    yield evaluate(
        "a fresh 30-minute token has about 1800 s left",
        lambda: seconds_left(create_access_token("alice", key)),
        expect=_seconds_between(1700, 1800),
        hint="Subtract now (datetime.now(UTC).timestamp()) from the token's exp claim, a Unix timestamp.",
    )
    yield evaluate(
        "a token that expired 5 minutes ago has about -300 s left",
        lambda: seconds_left(create_access_token("alice", key, timedelta(minutes=-5))),
        expect=_seconds_between(-400, -200),
        hint="This is the bug to fix: read the task's hints.",
    )
    yield evaluate(
        "a token that expired 30 days ago has about -2592000 s left",
        lambda: seconds_left(create_access_token("alice", key, timedelta(days=-30))),
        expect=_seconds_between(-2592100, -2591900),
        hint="Your fix still refuses a token that expired long ago: it moved the limit instead of lifting it.",
    )
    forged = create_access_token("alice", secrets.token_urlsafe(32))
    yield evaluate(
        "a token signed with another key still raises",
        _raises_on(seconds_left, forged),
        expect=_raised,
        hint="Your fix lets a forged token through: it turned off more checks than the one that failed.",
    )
