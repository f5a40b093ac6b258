"""Passwords, tokens and the login throttle: everything `/token` and `CurrentUser` rely on.

Passwords are hashed with Argon2 (pwdlib's recommended parameters). Each verify holds 64 MiB and a
core for about 0.1 s, so logins verify on threads of their own, PASSWORD_CHECKS_AT_ONCE at a time:
a burst of logins waits in line instead of filling the memory and the thread pool every other
route needs. Tokens are JWTs signed with HS256 (PyJWT) that name their user (`sub`) and expire.
"""

import hashlib
import logging
import math
import time
from collections import defaultdict, deque
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Annotated

import jwt
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordBearer
from pwdlib import PasswordHash
from pydantic import BaseModel

ALGORITHM = "HS256"
ACCESS_TOKEN_EXPIRE = timedelta(minutes=30)
DEMO_USERNAME = "alice"
DEMO_PASSWORD = "wonderland"  # the course's demo credential, never a real password
PASSWORD_CHECKS_AT_ONCE = 2

logger = logging.getLogger(__name__)
password_hash = PasswordHash.recommended()
password_checks = ThreadPoolExecutor(max_workers=PASSWORD_CHECKS_AT_ONCE, thread_name_prefix="password-check")
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")


class UserInDB(BaseModel):
    username: str
    full_name: str | None = None
    hashed_password: str


@cache
def dummy_hash() -> str:
    """A hash no password matches, verified against when the user is unknown, so that an unknown
    name costs as much time as a known one and the answer's timing does not tell them apart."""
    return password_hash.hash("a password nobody has")


@cache
def demo_password_hash() -> str:
    """The demo password's hash, made once per process: only the hash is kept."""
    return password_hash.hash(DEMO_PASSWORD)


def demo_users() -> dict[str, UserInDB]:
    alice = UserInDB(username=DEMO_USERNAME, full_name="Alice Liddell", hashed_password=demo_password_hash())
    return {alice.username: alice}


def authenticate_user(users: dict[str, UserInDB], username: str, password: str) -> UserInDB | None:
    """The user whose password this is, or None."""
    user = users.get(username)
    if user is None:
        password_hash.verify(password, dummy_hash())
        return None
    if not password_hash.verify(password, user.hashed_password):
        return None
    return user


def create_access_token(subject: str, secret_key: str, expires_delta: timedelta = ACCESS_TOKEN_EXPIRE) -> str:
    now = datetime.now(UTC)
    return jwt.encode({"sub": subject, "iat": now, "exp": now + expires_delta}, secret_key, algorithm=ALGORITHM)


def credentials_error() -> HTTPException:
    """The one 401 for every rejected token: the reason goes to the log, never to the client."""
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail="Could not validate credentials",
        headers={"WWW-Authenticate": "Bearer"},
    )


def get_current_user(request: Request, token: Annotated[str, Depends(oauth2_scheme)]) -> UserInDB:
    """The user a valid token names; any other token is answered with 401."""
    try:
        claims = jwt.decode(token, request.app.state.secret_key, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]})
    except jwt.InvalidTokenError as error:
        logger.info("token rejected: %s", error)
        raise credentials_error() from None
    user = request.app.state.users.get(claims["sub"])
    if user is None:
        logger.info("token rejected: no such user")
        raise credentials_error()
    return user


class LoginThrottle:
    """Logins per client address and username that failed, or are still being checked: past
    `limit` within `window` seconds, the next attempts are refused until the oldest is `window`
    seconds old. An attempt counts from the moment it starts, so parallel guesses cannot slip past
    while their passwords wait to be checked. The username is kept only as a hash, and expired
    entries are swept once the table has doubled since the last sweep, so no client can make its
    memory grow without end and a login never pays for a full scan on its own.
    In this process only: replicas (or `--workers`) each keep their own, and would share one
    through a store such as Redis."""

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

    def __len__(self) -> int:
        return len(self._attempts)
