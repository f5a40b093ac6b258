"""Exception handlers: each makes an error answer that is correct HTTP and can always be sent.

- 422: FastAPI's own, with the input it echoes made JSON-safe first. Without this, a price of NaN
  or a body of bytes that are not UTF-8 gets a 500, because the 422 repeating it cannot be encoded.
- 405: `Allow` lists every method some route takes at the path (RFC 9110, section 15.5.6);
  FastAPI's own names only the first matching route's methods.
- 429: RateLimited, the rate limiter's own exception, becomes 429 with Retry-After.
"""

import math
from typing import Any

from fastapi import Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match

from item_store.ratelimit import RateLimited

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def json_safe(value: Any) -> Any:
    """`value` with what JSON cannot carry turned into text: NaN and the infinities, strings that
    are not valid Unicode (a lone surrogate such as "\\ud800"), and raw bytes, which may not be UTF-8."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {json_safe(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    return value


async def validation_error_handler(request: Request, error: RequestValidationError) -> JSONResponse:
    return JSONResponse(status_code=status.HTTP_422_UNPROCESSABLE_CONTENT, content={"detail": jsonable_encoder(json_safe(error.errors()))})


async def method_not_allowed(request: Request, error: HTTPException) -> JSONResponse:
    allowed = [
        method
        for method in METHODS
        if any(route.matches({**request.scope, "method": method})[0] == Match.FULL for route in request.app.routes)
    ]
    return JSONResponse({"detail": error.detail}, status_code=error.status_code, headers={"Allow": ", ".join(allowed)})


async def rate_limited_handler(request: Request, error: RateLimited) -> JSONResponse:
    return JSONResponse(
        {"detail": "Too many requests: try again later"},
        status_code=status.HTTP_429_TOO_MANY_REQUESTS,
        headers={"Retry-After": str(error.retry_after)},
    )


EXCEPTION_HANDLERS: dict[Any, Any] = {
    RequestValidationError: validation_error_handler,
    status.HTTP_405_METHOD_NOT_ALLOWED: method_not_allowed,
    RateLimited: rate_limited_handler,
}
