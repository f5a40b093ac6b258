"""Request logging with a request id on every line.

`RequestIdMiddleware` gives each request an id: the client's `X-Request-ID` when it is a short
token of safe characters (a proxy or a caller tracing a request through several services sends
one), else a new random one. It keeps the id in a context variable, sends it back in the
response's `X-Request-ID`, and logs the request as it starts and ends, with status and duration.
`RequestIdFilter` stamps every record that reaches the handler `configure_logging` installs with
that id (`-` outside a request), whichever logger made it: the app's, SQLAlchemy's or uvicorn's,
including the traceback uvicorn logs for a 500. Each line also names its process: with
`--workers`, the worker that wrote it. `SafeFormatter` escapes line breaks and other control
characters in a message, so that text a client chose (a path with `%0A` in it, the reason PyJWT
gives for refusing a forged token header) can never start a line of its own and pass for another
request's; a traceback keeps its lines.

The context variable is set and never reset: an ASGI server runs each request in a task of its
own, and a task's context dies with it, so the id stays readable until the very last line logged
for the request (uvicorn logs a 500's traceback after the app has returned).
"""

import logging
import re
import time
import uuid
from contextvars import ContextVar
from logging.config import dictConfig

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "X-Request-ID"
ACCEPTED_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
LOG_FORMAT = "%(asctime)s %(levelname)s %(process)d [%(request_id)s] %(name)s: %(message)s"
# What str.splitlines() breaks at, and the other C0 and C1 control characters.
UNSAFE_IN_A_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")

request_id: ContextVar[str] = ContextVar("request_id", default="-")
logger = logging.getLogger("item_store.requests")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class SafeFormatter(logging.Formatter):
    """A formatter whose messages stay on one line: control characters become escapes (`\\n`)."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = UNSAFE_IN_A_LINE.sub(lambda found: repr(found.group())[1:-1], record.message)
        return super().formatMessage(record)


def configure_logging(level: str = "INFO") -> None:
    """One handler, on stderr, for every logger, each line with its request id. uvicorn's own
    access log is silenced: RequestIdMiddleware logs the same, with the id and the duration."""
    dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "filters": {"request_id": {"()": RequestIdFilter}},
            "formatters": {"default": {"()": SafeFormatter, "fmt": LOG_FORMAT}},
            "handlers": {
                "stderr": {
                    "class": "logging.StreamHandler",
                    "stream": "ext://sys.stderr",
                    "formatter": "default",
                    "filters": ["request_id"],
                }
            },
            "root": {"level": level, "handlers": ["stderr"]},
            "loggers": {
                "uvicorn": {"handlers": [], "propagate": True},
                "uvicorn.error": {"handlers": [], "propagate": True},
                "uvicorn.access": {"handlers": [], "propagate": True, "level": "WARNING"},
            },
        }
    )


def choose_request_id(given: str | None) -> str:
    """The id the client sent, if it is safe to log and echo; else a new one."""
    if given is not None and ACCEPTED_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """A pure ASGI middleware (it streams, unlike BaseHTTPMiddleware): the outermost one, so that
    even a request the trusted-host check refuses is logged with its id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id.set(choose_request_id(Headers(scope=scope).get(REQUEST_ID_HEADER)))
        method = scope.get("method", "WEBSOCKET")
        path = scope["path"]
        started = time.perf_counter()
        outcome = "?"
        logger.info("→ %s %s", method, path)

        async def send_with_id(message: Message) -> None:
            nonlocal outcome
            if message["type"] == "http.response.start":
                outcome = str(message["status"])
                MutableHeaders(scope=message).append(REQUEST_ID_HEADER, request_id.get())
            elif message["type"] == "websocket.accept":
                outcome = "accepted"
            elif message["type"] == "websocket.close":
                outcome = f"closed {message.get('code', 1000)}"
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            outcome = "500 (unhandled error)"
            raise
        finally:
            logger.info("← %s %s %s in %.1f ms", outcome, method, path, (time.perf_counter() - started) * 1000)
