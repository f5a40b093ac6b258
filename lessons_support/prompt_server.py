"""uvicorn's server, made to stop promptly and on demand when it runs in a notebook's thread.

`LiveServer` (server.py) runs one of these. Stopping a server is frequent in a lesson (every
re-served app, every exercise check), so the 0.1 s uvicorn waits before noticing and during
shutdown is worth taking out; and a server whose lifespan or event loop hangs must still be
stoppable, or say that it is not.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from typing import Any

import uvicorn

UVICORN_LOG = logging.getLogger("uvicorn.error")


class PromptServer(uvicorn.Server):
    """uvicorn's server, which exits as soon as it is asked, and can be forced to stop.

    uvicorn checks `should_exit` every 0.1 s; `ask_to_exit` wakes it at once. Its shutdown gives
    open connections and tasks `timeout_graceful_shutdown` seconds, then cancels them, and runs
    the lifespan shutdown. `force_stop` cancels the whole server task, for a lifespan that never
    finishes starting or stopping.
    """

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._exit_asked: asyncio.Event | None = None

    async def serve(self, sockets: list[socket.socket] | None = None) -> None:
        self._loop, self._task = asyncio.get_running_loop(), asyncio.current_task()
        self._exit_asked = asyncio.Event()
        await super().serve(sockets)

    async def main_loop(self) -> None:
        """uvicorn's main loop (a tick every 0.1 s), woken early by `ask_to_exit`."""
        assert self._exit_asked is not None
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            counter = (counter + 1) % 864000
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._exit_asked.wait(), 0.1)
            should_exit = await self.on_tick(counter)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """uvicorn's shutdown, without its fixed 0.1 s pause when no connection is open.

        uvicorn pauses so that open connections can react to being told to close; a server in a
        notebook usually has none (the lessons' client opens a connection per request), and it is
        stopped dozens of times per lesson. With a connection open, uvicorn's own shutdown runs.
        """
        if self.server_state.connections or sockets:
            await super().shutdown(sockets)
            return
        UVICORN_LOG.info("Shutting down")
        for server in self.servers:
            server.close()
        try:
            await asyncio.wait_for(self._wait_tasks_to_complete(), timeout=self.config.timeout_graceful_shutdown)
        except TimeoutError:
            UVICORN_LOG.error("Cancel %s running task(s), timeout graceful shutdown exceeded", len(self.server_state.tasks))
            for task in self.server_state.tasks:
                task.cancel(msg="Task cancelled, timeout graceful shutdown exceeded")
        if not self.force_exit:
            await self.lifespan.shutdown()

    def _call_in_loop(self, callback: Any) -> None:
        if self._loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop has already closed
                self._loop.call_soon_threadsafe(callback)

    def ask_to_exit(self) -> None:
        """From any thread: set `should_exit` and wake the main loop."""
        self.should_exit = True
        if self._exit_asked is not None:
            self._call_in_loop(self._exit_asked.set)

    def force_stop(self, cancel_after: float = 0.0) -> None:
        """From any thread: stop waiting for connections, tasks and the lifespan, and cancel the
        server task `cancel_after` seconds after its loop next runs, unless it has ended by then
        (a loop that was blocked then shuts down cleanly, closing its sockets)."""
        self.force_exit = True
        self.ask_to_exit()
        loop, task = self._loop, self._task
        if loop is not None and task is not None:
            self._call_in_loop(lambda: loop.call_later(cancel_after, task.cancel))
