"""Show an httpx response the way a learner reads it, the same from run to run.

    show(httpx.get(server.url + "/items/42?category=electronics"))

prints

    GET /items/42?category=electronics
    200 OK
    content-type: application/json
    {
      "item_id": 42,
      "category": "electronics"
    }

The host and port never appear, and only the headers asked for do, so nothing varies between
runs unless the app itself does.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import httpx

DEFAULT_HEADERS = ("content-type",)
MAX_BODY = 1200


def request_line(request: httpx.Request) -> str:
    """The method and the path with its query, without scheme, host or port."""
    target = request.url.raw_path.decode("ascii")
    return f"{request.method} {target}"


def body_text(response: httpx.Response, max_body: int = MAX_BODY) -> str:
    """Pretty JSON when the body is JSON, else the text, cut at `max_body` characters."""
    if not response.content:
        return ""
    if "json" in response.headers.get("content-type", ""):
        try:
            text = json.dumps(response.json(), indent=2, ensure_ascii=False)
        except ValueError:
            text = response.text
    else:
        text = response.text
    if len(text) > max_body:
        text = text[:max_body].rstrip() + f"\n… ({len(text) - max_body} more characters)"
    return text


def format_response(
    response: httpx.Response,
    headers: Iterable[str] = DEFAULT_HEADERS,
    body: bool = True,
    max_body: int = MAX_BODY,
) -> str:
    lines = [request_line(response.request), f"{response.status_code} {response.reason_phrase}"]
    for name in headers:
        for value in response.headers.get_list(name):
            lines.append(f"{name.lower()}: {value}")
    if body:
        text = body_text(response, max_body)
        if text:
            lines.append(text)
    return "\n".join(lines)


def show(
    response: httpx.Response,
    headers: Iterable[str] = DEFAULT_HEADERS,
    body: bool = True,
    max_body: int = MAX_BODY,
) -> None:
    """Print the request line, the status, the chosen headers and the body of `response`."""
    if not isinstance(response, httpx.Response):
        raise TypeError(f"show() takes the response of an httpx call, such as show(httpx.get(url)), not {type(response).__name__}")
    print(format_response(response, headers=headers, body=body, max_body=max_body))


def format_errors(response: httpx.Response) -> str:
    """A 422 read field by field: the request and status, then one line per error."""
    lines = [f"{request_line(response.request)} → {response.status_code}"]
    try:
        detail = response.json()["detail"]
    except (ValueError, KeyError, TypeError):
        return "\n".join([*lines, f"  (no validation errors in the body: {response.text[:200]!r})"])
    if isinstance(detail, str):
        return "\n".join([*lines, f"  {detail}"])
    for error in detail:
        where = ".".join(str(part) for part in error.get("loc", ()))
        lines.append(f"  {where}: {error.get('msg')} [{error.get('type')}] input={error.get('input')!r}")
    return "\n".join(lines)


def show_errors(response: httpx.Response) -> None:
    """Print a validation error response (a 422) one error per line: where, what, and the input."""
    if not isinstance(response, httpx.Response):
        raise TypeError(f"show_errors() takes the response of an httpx call, not {type(response).__name__}")
    print(format_errors(response))
