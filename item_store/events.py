"""Item events: every write announces what it changed to every live listener.

An event is `{"event": "created" | "replaced", "item": {...}}` or `{"event": "deleted", "id": 3}`.
`ItemEvents` fans each one out to one bounded queue per listener (an SSE stream or a WebSocket).
A listener that falls MAX_QUEUED events behind is dropped rather than slowing the others or
growing memory; one that leaves is removed at once. The fan-out lives in this process: with
several workers or machines each would hear only its own writes, and events would go through a
broker (Redis pub/sub, say) instead.
"""

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

logger = logging.getLogger(__name__)

MAX_QUEUED = 100
Event = dict[str, Any]


class ItemEvents:
    def __init__(self, max_queued: int = MAX_QUEUED) -> None:
        self.max_queued = max_queued
        self._queues: set[asyncio.Queue[Event | None]] = set()

    @property
    def listeners(self) -> int:
        return len(self._queues)

    @contextmanager
    def listen(self) -> Iterator[asyncio.Queue[Event | None]]:
        """A queue of events for one listener; `None` in it means "too far behind, dropped"."""
        queue: asyncio.Queue[Event | None] = asyncio.Queue(self.max_queued + 1)
        self._queues.add(queue)
        try:
            yield queue
        finally:
            self._queues.discard(queue)

    def publish(self, event: Event) -> None:
        """Give `event` to every listener. Called on the event loop's thread only (the queues are
        not thread-safe): routes announce through `announce`, an async background task."""
        for queue in list(self._queues):
            if queue.qsize() < self.max_queued:
                queue.put_nowait(event)
            else:
                self._queues.discard(queue)
                queue.put_nowait(None)
                logger.warning("dropped an item-events listener %s events behind", self.max_queued)


async def announce(events: ItemEvents, event: Event) -> None:
    """A background task: async, so that it runs on the event loop, where the queues live."""
    events.publish(event)
