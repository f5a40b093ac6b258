"""The Item store as lesson 08 leaves it: the OAuth2 password flow with signed JWTs.

`POST /token` exchanges a username and a password (form data) for a bearer token: a JWT signed
with HS256 that names its user (`sub`) and expires (`exp`). `GET /users/me` says whose token it
is (both in `auth_router`). The write routes of the new `items_router` (POST, PUT and DELETE on
/items) need a valid token; its reads are lesson 05's, public. Every rejected token gets the
same 401 with `WWW-Authenticate: Bearer`; the reason goes to the `app.auth` logger. Lesson 09
builds on `CurrentUser`, `Item` and `ItemOut` from here.

Passwords are hashed with Argon2 (pwdlib), checked two at a time on threads of their own. After
five failed (or still running) logins for one username from one address within a minute,
`/token` answers 429 with `Retry-After`. The signing key comes from the environment variable `JWT_SECRET_KEY` (at
least 32 bytes, or the app refuses to start); when it is unset, each start-up draws a random
key, so tokens die with the process. Never commit a key.

Demo credential, for this course only: user `alice`, password `wonderland`. Only its Argon2 hash,
made once per process when the first app is created, is kept.

Run it:
    export JWT_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(32))')"
    uvicorn checkpoints.lesson_08:app
"""

import asyncio
import hashlib
import logging
import math
import os
import secrets
import time
from collections import defaultdict, deque
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Annotated, Any

import jwt
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request, status
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from pwdlib import PasswordHash
from pydantic import BaseModel

from checkpoints import lesson_01, lesson_02, lesson_03, lesson_05, lesson_06, lesson_07
from checkpoints.lesson_05 import Item, ItemId, ItemOut, Message, StoreDep

ALGORITHM = "HS256"
MIN_KEY_BYTES = 32
ACCESS_TOKEN_EXPIRE = timedelta(minutes=30)
DEMO_USERNAME = "alice"
DEMO_PASSWORD = "wonderland"  # a demo credential for the course, never a real password

logger = logging.getLogger("app.auth")
password_hash = PasswordHash.recommended()
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")
# Each Argon2 verify holds 64 MiB of memory and a core for about 0.1 s. Logins verify on threads of
# their own, PASSWORD_CHECKS_AT_ONCE at a time: a burst of logins waits in line instead of filling
# the memory and the thread pool that every other route needs.
PASSWORD_CHECKS_AT_ONCE = 2
password_checks = ThreadPoolExecutor(max_workers=PASSWORD_CHECKS_AT_ONCE, thread_name_prefix="password-check")


class Token(BaseModel):
    access_token: str
    token_type: str


class User(BaseModel):
    username: str
    full_name: str | None = None


class UserInDB(User):
    hashed_password: str


@cache
def dummy_hash() -> str:
    """A hash no password matches, to verify against when the user is unknown (made once)."""
    return password_hash.hash("a password nobody has")


@cache
def demo_password_hash() -> str:
    """The Argon2 hash of the demo password, made once per process: only the hash is kept."""
    return password_hash.hash(DEMO_PASSWORD)


def demo_users() -> dict[str, UserInDB]:
    """The course's one demo user, stored with the hash of the demo password."""
    alice = UserInDB(username=DEMO_USERNAME, full_name="Alice Liddell", hashed_password=demo_password_hash())
    return {alice.username: alice}


def authenticate_user(users: dict[str, UserInDB], username: str, password: str) -> UserInDB | None:
    """The user whose password this is, or None; an unknown name costs one Argon2 verify too."""
    user = users.get(username)
    if user is None:
        password_hash.verify(password, dummy_hash())
        return None
    if not password_hash.verify(password, user.hashed_password):
        return None
    return user


def create_access_token(subject: str, secret_key: str, expires_delta: timedelta = ACCESS_TOKEN_EXPIRE) -> str:
    """A JWT for `subject`, signed with HS256, that expires after `expires_delta`."""
    now = datetime.now(UTC)
    claims = {"sub": subject, "iat": now, "exp": now + expires_delta}
    return jwt.encode(claims, secret_key, algorithm=ALGORITHM)


def credentials_error() -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail="Could not validate credentials",
        headers={"WWW-Authenticate": "Bearer"},
    )


def get_current_user(request: Request, token: Annotated[str, Depends(oauth2_scheme)]) -> UserInDB:
    """The user a valid token names; any other token is answered with 401."""
    try:
        claims = jwt.decode(
            token,
            request.app.state.secret_key,
            algorithms=[ALGORITHM],
            options={"require": ["exp", "sub"]},
        )
    except jwt.InvalidTokenError as error:
        logger.info("token rejected: %r", str(error))  # %r: a reason that quotes the token cannot forge a log line
        raise credentials_error() from None
    user = request.app.state.users.get(claims["sub"])
    if user is None:
        logger.info("token rejected: no such user")
        raise credentials_error()
    return user


CurrentUser = Annotated[UserInDB, Depends(get_current_user)]


def set_up_auth(app: FastAPI, secret_key: str | None = None) -> None:
    """Give the app its signing key (the argument, else JWT_SECRET_KEY, else a random one) and users.

    A key shorter than MIN_KEY_BYTES is refused: an HS256 key must be at least as long as the
    hash's output, 256 bits (RFC 7518, section 3.2), or it can be guessed offline from any token.
    """
    source = "secret_key" if secret_key else "JWT_SECRET_KEY" if os.environ.get("JWT_SECRET_KEY") else None
    key = secret_key or os.environ.get("JWT_SECRET_KEY") or secrets.token_urlsafe(32)
    if source and len(key.encode()) < MIN_KEY_BYTES:
        raise ValueError(
            f"{source} has {len(key.encode())} bytes; an HS256 signing key needs at least {MIN_KEY_BYTES} "
            "(RFC 7518, section 3.2). Make one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    app.state.secret_key = key
    app.state.users = demo_users()
    app.state.login_throttle = LoginThrottle()


class LoginThrottle:
    """Logins per client address and username that failed, or are still being checked: past
    `limit` within `window` seconds, the next attempts are refused until the oldest is `window`
    seconds old. An attempt counts from the moment it starts, so that parallel guesses cannot
    slip past while their passwords wait to be checked. The username is kept only as a hash, and
    expired entries are swept, so no client can make the throttle's memory grow without end. A sweep
runs once the table has doubled since the last one, so a flood of live entries costs each login
constant time on average, never a full scan per attempt.
    In this process only: replicas behind a load balancer would share it through a store such
    as Redis."""

    def __init__(self, limit: int = 5, window: float = 60.0, sweep_above: int = 10_000) -> None:
        self.limit, self.window, self.sweep_above = limit, window, sweep_above
        self._attempts: dict[tuple[str, bytes], deque[float]] = defaultdict(deque)
        self._next_sweep = sweep_above

    @staticmethod
    def key(address: str, username: str) -> tuple[str, bytes]:
        return address, hashlib.sha256(username.encode("utf-8", "surrogatepass")).digest()

    def _recent(self, key: tuple[str, bytes]) -> deque[float]:
        attempts, now = self._attempts[key], time.monotonic()
        while attempts and now - attempts[0] >= self.window:
            attempts.popleft()
        if not attempts:
            del self._attempts[key]
        return attempts

    def retry_after(self, key: tuple[str, bytes]) -> int | None:
        """Whole seconds to wait before trying again, or None when a try is allowed now."""
        attempts = self._recent(key)
        if len(attempts) < self.limit:
            return None
        return math.ceil(self.window - (time.monotonic() - attempts[0]))

    def started(self, key: tuple[str, bytes]) -> None:
        """Count an attempt now; `succeeded` takes it back if the password was right."""
        if len(self._attempts) > self._next_sweep:
            for old in list(self._attempts):
                self._recent(old)
            self._next_sweep = max(self.sweep_above, 2 * len(self._attempts))
        self._recent(key)
        self._attempts[key].append(time.monotonic())

    def succeeded(self, key: tuple[str, bytes]) -> None:
        if attempts := self._recent(key):
            attempts.pop()


UNAUTHORIZED: dict[int | str, dict[str, Any]] = {401: {"model": Message, "description": "Missing or invalid credentials"}}
LOGIN_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": Message, "description": "Incorrect username or password"},
    429: {"model": Message, "description": "Too many failed logins: try again after Retry-After seconds"},
}

auth_router = APIRouter()


@auth_router.post("/token", responses=LOGIN_RESPONSES)
async def login_for_access_token(request: Request, form_data: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Token:
    throttle = request.app.state.login_throttle
    who = throttle.key(request.client.host if request.client else "", form_data.username)
    if (wait := throttle.retry_after(who)) is not None:
        raise HTTPException(
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
            detail="Too many failed logins: try again later",
            headers={"Retry-After": str(wait)},
        )
    throttle.started(who)
    verifying = password_checks.submit(authenticate_user, request.app.state.users, form_data.username, form_data.password)
    user = await asyncio.wrap_future(verifying)
    if user is None:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Incorrect username or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    throttle.succeeded(who)
    token = create_access_token(user.username, request.app.state.secret_key)
    return Token(access_token=token, token_type="bearer")


@auth_router.get("/users/me", responses=UNAUTHORIZED)
def read_users_me(current_user: CurrentUser) -> User:
    return current_user


items_router = APIRouter()
items_router.add_api_route("/items/", lesson_05.list_items, methods=["GET"])
items_router.add_api_route("/items/{item_id}", lesson_05.read_item, methods=["GET"], responses=lesson_05.NOT_FOUND)


@items_router.post("/items/", status_code=status.HTTP_201_CREATED, responses={**lesson_02.UNPARSABLE_BODY, **UNAUTHORIZED})
def create_item(item: Item, store: StoreDep, user: CurrentUser) -> ItemOut:
    return store.add(item)


@items_router.put("/items/{item_id}", responses={**lesson_02.UNPARSABLE_BODY, **UNAUTHORIZED, **lesson_05.NOT_FOUND})
def replace_item(item_id: ItemId, item: Item, store: StoreDep, user: CurrentUser) -> ItemOut:
    replaced = store.replace(item_id, item)
    if replaced is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Item not found")
    return replaced


@items_router.delete("/items/{item_id}", status_code=status.HTTP_204_NO_CONTENT, responses={**UNAUTHORIZED, **lesson_05.NOT_FOUND})
def delete_item(item_id: ItemId, store: StoreDep, user: CurrentUser) -> None:
    if not store.delete(item_id):
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Item not found")


def create_app(secret_key: str | None = None) -> FastAPI:
    app = FastAPI(**lesson_03.METADATA, exception_handlers=lesson_05.EXCEPTION_HANDLERS, max_body_size=lesson_05.MAX_BODY_SIZE)
    app.state.store = lesson_05.ItemStore()
    set_up_auth(app, secret_key)
    app.include_router(lesson_01.home_router)
    app.include_router(items_router)
    app.include_router(lesson_06.db_router)
    app.include_router(lesson_02.quotes_router)
    app.include_router(auth_router)
    lesson_07.install_middleware(app)
    return app


app = create_app()
