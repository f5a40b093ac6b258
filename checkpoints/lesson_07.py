"""The Item store as lesson 07 leaves it: lesson 06's app wrapped in five middlewares.

From the outermost in, a request meets:
    log_requests           logs "→ METHOD /path" and "← STATUS METHOD /path" to the "app" logger
    TrustedHostMiddleware  answers 400 "Invalid host header" unless Host is listed in ALLOWED_HOSTS
    CORSMiddleware         lets the listed front-end origins call the API from a browser
    GZipMiddleware         compresses responses of 1000 bytes or more for clients that accept gzip
    ProcessTimeMiddleware  adds X-Process-Time (seconds spent in the app) to every response

Run it:  uvicorn checkpoints.lesson_07:app --reload
"""

import logging
import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.middleware.trustedhost import TrustedHostMiddleware
from starlette.datastructures import MutableHeaders
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from checkpoints import lesson_06

ALLOWED_ORIGINS = ["https://shop.example.com", "http://localhost:3000"]
# "testserver" is the Host that Starlette's TestClient sends: without it, every test of this app
# through TestClient would get 400 "Invalid host header".
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

log = logging.getLogger("app")


async def log_requests(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Log each request on its way in and its status on the way out."""
    log.info("→ %s %s", request.method, request.url.path)
    response = await call_next(request)
    log.info("← %s %s %s", response.status_code, request.method, request.url.path)
    return response


class ProcessTimeMiddleware:
    """A pure ASGI middleware: adds X-Process-Time, the seconds the inner app took to answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def send_with_time(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Process-Time"] = f"{time.perf_counter() - started:.6f}"
            await send(message)

        await self.app(scope, receive, send_with_time)


def install_middleware(app: FastAPI) -> None:
    """Add the middlewares, innermost first: the last one added sees a request first."""
    app.add_middleware(ProcessTimeMiddleware)
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=ALLOWED_ORIGINS,
        allow_methods=["GET", "POST", "PUT", "DELETE"],
        allow_headers=["Authorization", "Content-Type"],
        expose_headers=["X-Process-Time"],
    )
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=ALLOWED_HOSTS)
    app.add_middleware(BaseHTTPMiddleware, dispatch=log_requests)


def create_app() -> FastAPI:
    app = lesson_06.create_app()
    install_middleware(app)
    return app


app = create_app()
