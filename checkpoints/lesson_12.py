"""The Item store as lesson 12 leaves it: lesson 11's service, its 405 answers corrected.

Lesson 12 tests the service: `TestClient` and `httpx.AsyncClient` tests, fixtures for a fresh
database and an authenticated client, WebSocket tests, tests generated from the OpenAPI schema
(schemathesis), and coverage. The schema's tests found one bug, fixed here. A request whose path
exists but whose method does not, such as `PATCH /items/1`, gets a 405 whose `Allow` header must
list the methods the resource supports (RFC 9110, section 15.5.6). FastAPI answers with the
first route whose path matches, so `Allow` named that one route's methods (`GET`) and left out
the others at the same path (`PUT`, `DELETE`). `method_not_allowed`, an exception handler for
405, asks every route which of the standard methods it would take at that path, and lists them
all (at `/items/events` that includes PUT and DELETE, which `/items/{item_id}` takes there too,
answering 401 or 422). Starlette reads an app's exception handlers when the app starts, so the
handler is added before the first request. Routes and schema are lesson 11's, unchanged.

An app that builds on this one keeps the fix by passing EXCEPTION_HANDLERS (lesson 05's and this
one) to `FastAPI(exception_handlers=...)`.

Run it:
    export JWT_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(32))')"
    uvicorn checkpoints.lesson_12:app --timeout-graceful-shutdown 5
(`/items/events` streams until its client leaves: lesson 11 says why the timeout.)
"""

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match

from checkpoints import lesson_05, lesson_11

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


async def method_not_allowed(request: Request, error: HTTPException) -> JSONResponse:
    """A 405 whose `Allow` lists every method that some route takes at this path."""
    allowed = [
        method
        for method in METHODS
        if any(route.matches({**request.scope, "method": method})[0] == Match.FULL for route in request.app.routes)
    ]
    return JSONResponse({"detail": error.detail}, status_code=error.status_code, headers={"Allow": ", ".join(allowed)})


EXCEPTION_HANDLERS = {**lesson_05.EXCEPTION_HANDLERS, status.HTTP_405_METHOD_NOT_ALLOWED: method_not_allowed}


def create_app(database_url: str | None = None, secret_key: str | None = None) -> FastAPI:
    app = lesson_11.create_app(database_url=database_url, secret_key=secret_key)
    app.add_exception_handler(status.HTTP_405_METHOD_NOT_ALLOWED, method_not_allowed)
    return app


app = create_app()
