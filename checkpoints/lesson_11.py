"""The Item store as lesson 11 leaves it: lesson 10's service, and live clients told of every change.

Each write (POST, PUT, DELETE on `/items/`) announces what it changed, as an event such as
`{"event": "created", "item": {...}}` or `{"event": "deleted", "id": 3}`. The announcement is a
`BackgroundTasks` task, so it runs after the response is sent and never delays the writer. Two
routes deliver the events as they happen:
- `GET /items/events`: Server-Sent Events, with FastAPI's `EventSourceResponse`;
- `/ws/items`: a WebSocket; any number of clients at once, each receives every event.

`ItemEvents` fans each event out to one bounded queue per listener. A listener that falls
`MAX_QUEUED` events behind is dropped rather than slowing the others or growing memory (its SSE
stream ends; its WebSocket is closed with code 1013, "try again later"); a client that
disconnects is removed at once. `/items/events` is included before the items routes, or
`/items/{item_id}` would take it (and answer 422). The new `items_router` takes the place of
lesson 09's: its reads are lesson 09's functions, its writes call lesson 09's and then announce.
The fan-out lives in this process: with several workers or machines, each would only hear its own
writes, and the events would go through a broker (Redis pub/sub, say) instead. The WebSocket route
reads whatever the client sends only to learn when it leaves, so a text or binary frame is ignored.

Run it:
    export JWT_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(32))')"
    uvicorn checkpoints.lesson_11:app --timeout-graceful-shutdown 5

An event stream never ends by itself, and uvicorn, when asked to stop, waits for every open
request: without `--timeout-graceful-shutdown`, one connected `/items/events` client keeps it from
stopping (and from running the lifespan's shutdown) until that client leaves. With it, uvicorn
cancels what is still running after 5 s, logs the cancellation, and shuts down.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import anyio
from fastapi import APIRouter, BackgroundTasks, FastAPI, Request, WebSocket, WebSocketDisconnect, status
from fastapi.sse import EventSourceResponse

from checkpoints import lesson_01, lesson_02, lesson_03, lesson_05, lesson_07, lesson_08, lesson_09, lesson_10
from checkpoints.lesson_05 import NOT_FOUND, Item, ItemId, ItemOut
from checkpoints.lesson_08 import UNAUTHORIZED, CurrentUser
from checkpoints.lesson_09 import SessionDep

logger = logging.getLogger("app")

MAX_QUEUED = 100


class ItemEvents:
    """In-process fan-out: every event goes to every current listener's queue."""

    def __init__(self, max_queued: int = MAX_QUEUED) -> None:
        self.max_queued = max_queued
        self._queues: set[asyncio.Queue[dict[str, Any] | None]] = set()

    @property
    def listeners(self) -> int:
        return len(self._queues)

    @contextmanager
    def listen(self) -> Iterator[asyncio.Queue[dict[str, Any] | None]]:
        """A queue of events for one listener; `None` in it means "too far behind, dropped"."""
        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(self.max_queued + 1)
        self._queues.add(queue)
        try:
            yield queue
        finally:
            self._queues.discard(queue)

    def publish(self, event: dict[str, Any]) -> None:
        for queue in list(self._queues):
            if queue.qsize() < self.max_queued:
                queue.put_nowait(event)
            else:
                self._queues.discard(queue)
                queue.put_nowait(None)
                logger.warning("dropped an item-events listener %s events behind", self.max_queued)


def item_events(request: Request) -> ItemEvents:
    return request.app.state.item_events


async def announce(events: ItemEvents, event: dict[str, Any]) -> None:
    events.publish(event)


items_router = APIRouter()
items_router.add_api_route("/items/", lesson_09.list_items, methods=["GET"])
items_router.add_api_route("/items/{item_id}", lesson_09.read_item, methods=["GET"], responses=NOT_FOUND)


@items_router.post("/items/", status_code=status.HTTP_201_CREATED, responses={**lesson_02.UNPARSABLE_BODY, **UNAUTHORIZED})
def create_item(item: Item, session: SessionDep, user: CurrentUser, request: Request, background: BackgroundTasks) -> ItemOut:
    created = lesson_09.create_item(item, session, user)
    background.add_task(announce, item_events(request), {"event": "created", "item": created.model_dump()})
    return created


@items_router.put("/items/{item_id}", responses={**lesson_02.UNPARSABLE_BODY, **UNAUTHORIZED, **NOT_FOUND})
def replace_item(
    item_id: ItemId, item: Item, session: SessionDep, user: CurrentUser, request: Request, background: BackgroundTasks
) -> ItemOut:
    replaced = lesson_09.replace_item(item_id, item, session, user)
    background.add_task(announce, item_events(request), {"event": "replaced", "item": replaced.model_dump()})
    return replaced


@items_router.delete("/items/{item_id}", status_code=status.HTTP_204_NO_CONTENT, responses={**UNAUTHORIZED, **NOT_FOUND})
def delete_item(item_id: ItemId, session: SessionDep, user: CurrentUser, request: Request, background: BackgroundTasks) -> None:
    lesson_09.delete_item(item_id, session, user)
    background.add_task(announce, item_events(request), {"event": "deleted", "id": item_id})


events_router = APIRouter()


@events_router.get("/items/events", response_class=EventSourceResponse)
async def stream_item_events(request: Request) -> AsyncIterator[dict[str, Any]]:
    with item_events(request).listen() as queue:
        while (event := await queue.get()) is not None:
            yield event


@events_router.websocket("/ws/items")
async def item_events_socket(websocket: WebSocket) -> None:
    await websocket.accept()
    with websocket.app.state.item_events.listen() as queue:
        async with anyio.create_task_group() as tasks:

            async def forward() -> None:
                try:
                    while (event := await queue.get()) is not None:
                        await websocket.send_json(event)
                    await websocket.close(code=status.WS_1013_TRY_AGAIN_LATER, reason="too far behind")
                except WebSocketDisconnect:
                    pass  # the client left as an event was on its way: the loop below hears it leave

            tasks.start_soon(forward)
            while (message := await websocket.receive())["type"] != "websocket.disconnect":
                pass  # what the client sends is ignored: the loop only waits for it to leave
            logger.info("item-events client left with code %s", message.get("code"))
            tasks.cancel_scope.cancel()


def create_app(database_url: str | None = None, secret_key: str | None = None) -> FastAPI:
    app = FastAPI(
        **lesson_03.METADATA,
        lifespan=lesson_09.lifespan,
        exception_handlers=lesson_05.EXCEPTION_HANDLERS,
        max_body_size=lesson_05.MAX_BODY_SIZE,
    )
    app.state.database_url = database_url
    app.state.item_events = ItemEvents()
    lesson_08.set_up_auth(app, secret_key)
    app.include_router(lesson_01.home_router)
    app.include_router(events_router)
    app.include_router(items_router)
    app.include_router(lesson_09.db_router)
    app.include_router(lesson_02.quotes_router)
    app.include_router(lesson_08.auth_router)
    app.include_router(lesson_10.ws_router)
    lesson_07.install_middleware(app)
    return app


app = create_app()
