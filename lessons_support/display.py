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

# RFC 9110 (2022), the HTTP standard, renamed four statuses. A reason phrase is only a label
# (HTTP/2 sends none), and uvicorn takes it from Python's http.HTTPStatus, which uses the new
# names from Python 3.13 on and the old ones before. `show` prints the standard's name on every
# Python, so a lesson reads the same on 3.11, 3.12 and 3.13.
STANDARD_PHRASES = {
    413: "Content Too Large",
    414: "URI Too Long",
    416: "Range Not Satisfiable",
    422: "Unprocessable Content",
}


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


def status_line(response: httpx.Response) -> str:
    """The status code and its name in RFC 9110, for example `422 Unprocessable Content`."""
    phrase = STANDARD_PHRASES.get(response.status_code, response.reason_phrase)
    return f"{response.status_code} {phrase}"


def format_response(
    response: httpx.Response,
    headers: Iterable[str] = DEFAULT_HEADERS,
    body: bool = True,
    max_body: int = MAX_BODY,
) -> str:
    lines = [request_line(response.request), status_line(response)]
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
