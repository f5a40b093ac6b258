"""The Item store as lesson 13 leaves it: configured by settings, its list paginated and rate-limited.

Settings. `Settings` (pydantic-settings) reads JWT_SECRET_KEY, DATABASE_URL and ITEMS_PER_MINUTE
from the environment, else from a `.env` file in the working directory, else its defaults (no
key: a random one per process, so tokens die with it; no database: a SQLite file in a temporary
folder, as in lesson 09). The key and the URL, which holds the database's password, are
`SecretStr`: `repr`, `str`, logs and `model_dump_json()` show `**********`, and a validation error
never repeats what it was given (`hide_input_in_errors`). `load_settings()` reads them once per
process (`lru_cache`). `create_app(settings)` builds the app from a `Settings` of the caller's own
(a test's, say); without one, from `load_settings()`. The key and the database are used once, at
start-up; routes read the rest per request through the `get_settings` dependency, which a test may
override (`app.dependency_overrides[get_settings] = lambda: Settings(items_per_minute=3)`).

Pagination. `GET /items/?limit=20&offset=0` answers at most `limit` items, by id, after skipping
`offset`; `limit` runs from 1 to MAX_PAGE_SIZE and `offset` from 0 to MAX_OFFSET, else 422 (an
unbounded offset reached the database driver as a number it cannot hold: a 500). Lesson 09's
`name` filter is kept. A client has seen everything when a page holds fewer than `limit` items.

Rate limit. Each client address may list items ITEMS_PER_MINUTE times in any RATE_WINDOW seconds.
`RateLimiter` raises `RateLimited`, an exception of the app's own that knows nothing of HTTP; the
`rate_limited_handler` exception handler turns it into 429 with `Retry-After` (whole seconds). The
count lives in this process: replicas behind a load balancer would share one in a store such as
Redis, and behind a proxy every client has the proxy's address: uvicorn replaces it with the one
in `X-Forwarded-For` only when the proxy's address is trusted (--forwarded-allow-ips, by default
127.0.0.1 and ::1, so a proxy on the same machine is trusted and one elsewhere must be named).

The new `items_router` takes the place of lesson 11's: its list route is new, the other four are
lesson 09's read and lesson 11's announcing writes, reused as they are. The exception handlers
are lesson 12's (a 405 lists every allowed method) plus `rate_limited_handler`.

Run it:
    export JWT_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(32))')"
    uvicorn checkpoints.lesson_13:app --timeout-graceful-shutdown 5
(`/items/events` streams until its client leaves: lesson 11 says why the timeout.)
"""

import math
import secrets
import time
from collections import deque
from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request, status
from fastapi.responses import JSONResponse
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import select

from checkpoints import lesson_01, lesson_02, lesson_03, lesson_05, lesson_07, lesson_08, lesson_09, lesson_10, lesson_11, lesson_12
from checkpoints.lesson_02 import NO_NUL, UNPARSABLE_BODY, Message
from checkpoints.lesson_05 import NOT_FOUND, ItemOut
from checkpoints.lesson_08 import UNAUTHORIZED
from checkpoints.lesson_09 import ItemRow, SessionDep, to_item_out

MAX_PAGE_SIZE = 100
MAX_OFFSET = lesson_05.MAX_ITEM_ID
RATE_WINDOW = 60.0


def random_key() -> SecretStr:
    return SecretStr(secrets.token_urlsafe(32))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", hide_input_in_errors=True)

    jwt_secret_key: SecretStr = Field(default_factory=random_key, min_length=lesson_08.MIN_KEY_BYTES)
    database_url: SecretStr | None = None
    items_per_minute: int = Field(default=120, ge=1, le=100_000)


@lru_cache
def load_settings() -> Settings:
    """The settings of the environment and `.env`, read once per process."""
    return Settings()


def get_settings(request: Request) -> Settings:
    """The settings the app was built with: the dependency a test overrides."""
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__("too many requests")
        self.retry_after = retry_after


async def rate_limited_handler(request: Request, error: RateLimited) -> JSONResponse:
    return JSONResponse(
        {"detail": "Too many requests: try again later"},
        status_code=status.HTTP_429_TOO_MANY_REQUESTS,
        headers={"Retry-After": str(error.retry_after)},
    )


class RateLimiter:
    """At most `limit` hits per key in any `window` seconds: a sliding log of each key's recent
    hits. Used from async code only, on the event loop's thread, so it needs no lock. Keys whose
    hits have all expired are swept once the table has doubled since the last sweep, so a flood
    of addresses costs memory in proportion to the addresses still active, and each sweep is paid
    for by as many hits as it scans."""

    def __init__(self, sweep_above: int = 10_000) -> None:
        self._hits: dict[str, deque[float]] = {}
        self._sweep_at = self._sweep_above = sweep_above

    def hit(self, key: str, limit: int, window: float) -> None:
        """Count a hit for `key`, or raise RateLimited if it had `limit` in the last `window` s."""
        now = time.monotonic()
        if len(self._hits) > self._sweep_at:
            self._hits = {k: hits for k, hits in self._hits.items() if now - hits[-1] < window}
            self._sweep_at = max(self._sweep_above, 2 * len(self._hits))
        hits = self._hits.setdefault(key, deque())
        while hits and now - hits[0] >= window:
            hits.popleft()
        if len(hits) >= limit:
            raise RateLimited(retry_after=math.ceil(window - (now - hits[0])))
        hits.append(now)


async def limit_listing(request: Request, settings: SettingsDep) -> None:
    address = request.client.host if request.client else ""
    request.app.state.rate_limiter.hit(address, settings.items_per_minute, RATE_WINDOW)


RATE_LIMITED: dict[int | str, dict[str, Any]] = {
    429: {"model": Message, "description": "Too many requests: try again after Retry-After seconds"}
}
NameFilter = Annotated[
    str | None,
    Query(max_length=100, pattern=NO_NUL, description="Only items whose name contains this text, in any case."),
]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="At most this many items.")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Skip this many items first.")]


items_router = APIRouter()


@items_router.get("/items/", responses=RATE_LIMITED, dependencies=[Depends(limit_listing)])
def list_items(session: SessionDep, name: NameFilter = None, limit: Limit = 20, offset: Offset = 0) -> list[ItemOut]:
    query = select(ItemRow).order_by(ItemRow.id).offset(offset).limit(limit)
    if name is not None:
        query = query.where(ItemRow.name.icontains(name, autoescape=True))
    return [to_item_out(row) for row in session.scalars(query)]


items_router.add_api_route("/items/{item_id}", lesson_09.read_item, methods=["GET"], responses=NOT_FOUND)
items_router.add_api_route(
    "/items/", lesson_11.create_item, methods=["POST"], status_code=status.HTTP_201_CREATED, responses={**UNPARSABLE_BODY, **UNAUTHORIZED}
)
items_router.add_api_route("/items/{item_id}", lesson_11.replace_item, methods=["PUT"], responses={**UNPARSABLE_BODY, **UNAUTHORIZED, **NOT_FOUND})
items_router.add_api_route(
    "/items/{item_id}", lesson_11.delete_item, methods=["DELETE"], status_code=status.HTTP_204_NO_CONTENT, responses={**UNAUTHORIZED, **NOT_FOUND}
)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings()
    app = FastAPI(
        **lesson_03.METADATA,
        lifespan=lesson_09.lifespan,
        exception_handlers={**lesson_12.EXCEPTION_HANDLERS, RateLimited: rate_limited_handler},
        max_body_size=lesson_05.MAX_BODY_SIZE,
    )
    app.state.settings = settings
    app.state.database_url = settings.database_url.get_secret_value() if settings.database_url else None
    app.state.item_events = lesson_11.ItemEvents()
    app.state.rate_limiter = RateLimiter()
    lesson_08.set_up_auth(app, settings.jwt_secret_key.get_secret_value())
    app.include_router(lesson_01.home_router)
    app.include_router(lesson_11.events_router)
    app.include_router(items_router)
    app.include_router(lesson_09.db_router)
    app.include_router(lesson_02.quotes_router)
    app.include_router(lesson_08.auth_router)
    app.include_router(lesson_10.ws_router)
    lesson_07.install_middleware(app)
    return app


app = create_app()
