"""Make `/docs` and `/redoc` render with no internet, for any app that `serve()` runs.

FastAPI's docs pages are small HTML pages whose JavaScript, CSS and favicon come from a CDN
(https://fastapi.tiangolo.com/how-to/custom-docs-ui-assets/); with no internet, as in a workshop
room with bad Wi-Fi, they stay blank. `OfflineDocs` wraps the app as it is served: in every HTML
page the app sends with status 200, it points those CDN addresses at copies that it serves itself
under `/_offline_docs/`, from the fastapi-offline package (maintained, and on PyPI), and drops
ReDoc's Google Fonts link. The app's own code, routes, middleware and status codes stay as they
are; such a page is held back until its last byte, so a streamed HTML page arrives all at once.

This is course plumbing: `uvicorn module:app` serves the app's pages unchanged. For an app of your
own, build it with `fastapi_offline.FastAPIOffline()` in place of `FastAPI()`, or follow FastAPI's
recipe above.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from starlette.responses import FileResponse, PlainTextResponse

PREFIX = "/_offline_docs/"
ASSETS = Path(fastapi_offline.__file__).parent / "static"


def _default(function: Any, parameter: str) -> str:
    return inspect.signature(function).parameters[parameter].default


# The CDN addresses FastAPI's pages use, read from FastAPI itself, and the file that replaces each.
REPLACEMENTS = {
    _default(get_swagger_ui_html, "swagger_js_url"): "swagger-ui-bundle.js",
    _default(get_swagger_ui_html, "swagger_css_url"): "swagger-ui.css",
    _default(get_swagger_ui_html, "swagger_favicon_url"): "favicon.png",
    _default(get_redoc_html, "redoc_js_url"): "redoc.standalone.js",
}
GOOGLE_FONTS = re.compile(rb'\s*<link href="https://fonts\.googleapis\.com/[^"]*" rel="stylesheet">')


def route_path(scope: dict[str, Any]) -> str:
    """The path the app routes on: uvicorn puts the root path in front of it (ASGI spec)."""
    path, root = scope["path"], scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def offline_page(body: bytes, root_path: str) -> bytes:
    """The HTML page with each CDN asset replaced by its local copy, and no Google Fonts."""
    for cdn, name in REPLACEMENTS.items():
        body = body.replace(cdn.encode(), f"{root_path}{PREFIX}{name}".encode())
    return GOOGLE_FONTS.sub(b"", body)


class OfflineDocs:
    """ASGI wrapper: serves the docs' assets, and rewrites HTML pages to use them."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = route_path(scope)
        if path.startswith(PREFIX):
            name = path[len(PREFIX) :]
            known = name in REPLACEMENTS.values()
            response = FileResponse(ASSETS / name) if known else PlainTextResponse("Not Found", status_code=404)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, _Rewriter(send, scope.get("root_path", "").rstrip("/")).send)


class _Rewriter:
    """Passes a response through, holding back a 200 HTML one to rewrite its asset addresses.

    Other statuses pass untouched (a 206's Content-Range, a 304's empty body), and so does a
    response with no body, such as the answer to HEAD, whose Content-Length describes the GET.
    """

    def __init__(self, send: Any, root_path: str) -> None:
        self._send, self._root_path = send, root_path
        self._start: dict[str, Any] | None = None
        self._body: list[bytes] = []

    async def send(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            headers = {key.lower(): value for key, value in message.get("headers", [])}
            is_html = headers.get(b"content-type", b"").startswith(b"text/html")
            if is_html and message.get("status", 200) == 200 and b"content-encoding" not in headers:
                self._start = message
                return
        elif message["type"] == "http.response.body" and self._start is not None:
            self._body.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            original = b"".join(self._body)
            if not original:
                await self._send(self._start)
                await self._send(message)
                self._start = None
                return
            body = offline_page(original, self._root_path)
            headers = [(k, v) for k, v in self._start.get("headers", []) if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await self._send({**self._start, "headers": headers})
            message = {"type": "http.response.body", "body": body}
            self._start = None
        await self._send(message)
