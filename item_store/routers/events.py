"""Live connections: item events over Server-Sent Events and a WebSocket, and a WebSocket echo.

`GET /items/events` must be included before the items router, or `/items/{item_id}` would take
it (and answer 422). An event stream never ends by itself: the server needs a graceful-shutdown
timeout to stop while a client listens (README, "Stopping").
"""

import logging
from collections.abc import AsyncIterator

import anyio
from fastapi import APIRouter, WebSocket, WebSocketDisconnect, status
from fastapi.sse import EventSourceResponse

from item_store.dependencies import ItemEventsDep
from item_store.events import Event, ItemEvents

logger = logging.getLogger(__name__)

router = APIRouter()


@router.get("/items/events", response_class=EventSourceResponse)
async def stream_item_events(events: ItemEventsDep) -> AsyncIterator[Event]:
    with events.listen() as queue:
        while (event := await queue.get()) is not None:
            yield event


@router.websocket("/ws/items")
async def item_events_socket(websocket: WebSocket) -> None:
    events: ItemEvents = websocket.app.state.item_events
    await websocket.accept()
    with events.listen() as queue:
        async with anyio.create_task_group() as tasks:

            async def forward() -> None:
                try:
                    while (event := await queue.get()) is not None:
                        await websocket.send_json(event)
                    await websocket.close(code=status.WS_1013_TRY_AGAIN_LATER, reason="too far behind")
                except WebSocketDisconnect:
                    pass  # the client left as an event was on its way: the loop below hears it leave

            tasks.start_soon(forward)
            # What the client sends is ignored: the loop only waits for it to leave.
            while (message := await websocket.receive())["type"] != "websocket.disconnect":
                pass
            logger.info("item-events client left with code %s", message.get("code"))
            tasks.cancel_scope.cancel()


@router.websocket("/ws/echo")
async def echo(websocket: WebSocket) -> None:
    """Echoes text frames; a binary frame closes the connection with 1003 ("unsupported data")."""
    await websocket.accept()
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                raise WebSocketDisconnect(message.get("code", status.WS_1000_NORMAL_CLOSURE))
            if message.get("text") is None:
                await websocket.close(status.WS_1003_UNSUPPORTED_DATA, "text frames only")
                return
            await websocket.send_text(f"echo: {message['text']}")
    except WebSocketDisconnect as disconnect:
        logger.info("echo client left with code %s", disconnect.code)
