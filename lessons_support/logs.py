"""Keep server logs out of other cells' output.

uvicorn logs from its own thread. Left alone, those records reach the kernel's stderr, which is
the output of whichever cell happens to run at that moment: a traceback from a 500 can land in
the next cell, or in none. Here every record is sent instead to the buffer of the server whose
thread wrote it, where a learner reads it on purpose.
"""

from __future__ import annotations

import contextvars
import logging
import sys
import threading
import traceback
from collections import deque
from dataclasses import dataclass

# "app" is the logger the course's own app code writes to: logging.getLogger("app").
LOGGER_NAMES = ("uvicorn", "uvicorn.error", "uvicorn.access", "fastapi", "app")

_current: contextvars.ContextVar[LogBuffer | None] = contextvars.ContextVar("log_buffer", default=None)


@dataclass(frozen=True)
class LogLine:
    logger: str
    level: str
    message: str
    traceback: str

    def __str__(self) -> str:
        text = f"{self.level:<8} {self.logger}: {self.message}"
        return f"{text}\n{self.traceback}" if self.traceback else text


class LogBuffer:
    """The most recent log lines of one server."""

    def __init__(self, size: int = 1000) -> None:
        self._lines: deque[LogLine] = deque(maxlen=size)
        self._lock = threading.Lock()

    def add(self, record: logging.LogRecord) -> None:
        trace = ""
        if record.exc_info and record.exc_info[1] is not None:
            trace = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        line = LogLine(record.name, record.levelname, record.getMessage(), trace)
        with self._lock:
            self._lines.append(line)

    def lines(self) -> list[LogLine]:
        with self._lock:
            return list(self._lines)

    def clear(self) -> None:
        with self._lock:
            self._lines.clear()


class _ToServerBuffer(logging.Handler):
    """Sends a record to the buffer of the server it was logged in.

    A server thread sets the context variable before its event loop starts; asyncio tasks and
    the worker threads that run sync endpoints copy that context, so the record finds its
    server whichever thread wrote it. A record logged outside any server (in a cell) goes to
    stderr as usual, which is then the output of the cell that logged it.
    """

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        buffer = _current.get()
        if buffer is not None:
            buffer.add(record)
        else:
            try:
                sys.stderr.write(self.format(record) + "\n")
            except Exception:
                self.handleError(record)


_handler = _ToServerBuffer()
_installed = False
_install_lock = threading.Lock()


def _install() -> None:
    """Route the server loggers to the handler above, once per process."""
    global _installed
    with _install_lock:
        if _installed:
            return
        for name in LOGGER_NAMES:
            logger = logging.getLogger(name)
            logger.setLevel(logging.INFO)
            logger.propagate = False
            logger.handlers = [_handler]
        _installed = True


def capture_into(buffer: LogBuffer) -> None:
    """From now on, in this thread and the tasks it starts, log records go to `buffer`.

    Call it first thing in a server thread.
    """
    _install()
    _current.set(buffer)
