"""The middlewares every request passes, and the order they wrap the app in.

From the outermost in, a request meets:
    RequestIdMiddleware    gives it an id, logs it in and out (logs.py)
    TrustedHostMiddleware  400 "Invalid host header" unless Host is in ALLOWED_HOSTS
    CORSMiddleware         lets the CORS_ORIGINS front-ends call the API from a browser
    GZipMiddleware         compresses answers of 1000 bytes or more for clients that accept gzip
    ProcessTimeMiddleware  adds X-Process-Time, the seconds the app took
"""

import time

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.middleware.trustedhost import TrustedHostMiddleware
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from item_store.logs import REQUEST_ID_HEADER, RequestIdMiddleware
from item_store.settings import Settings


class ProcessTimeMiddleware:
    """Adds X-Process-Time: the seconds the inner app took until it started its answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def send_with_time(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["X-Process-Time"] = f"{time.perf_counter() - started:.6f}"
            await send(message)

        await self.app(scope, receive, send_with_time)


def install_middleware(app: FastAPI, settings: Settings) -> None:
    """Add the middlewares innermost first: the last one added sees a request first."""
    app.add_middleware(ProcessTimeMiddleware)
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST", "PUT", "DELETE"],
        allow_headers=["Authorization", "Content-Type", REQUEST_ID_HEADER],
        expose_headers=["X-Process-Time", REQUEST_ID_HEADER],
    )
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.allowed_hosts)
    app.add_middleware(RequestIdMiddleware)
