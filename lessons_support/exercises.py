"""Check a learner's exercise and answer with a friendly message, never a traceback.

    check(
        "GET /hello/Ada greets Ada",
        lambda: httpx.get(server.url + "/hello/Ada"),
        status=200,
        expect={"message": "Hello, Ada!"},
        hint="Return a dict with one key, 'message'.",
    )

`attempt` is called inside the check, so whatever the learner's code does there (raises, returns
the wrong type, answers with an error status) becomes a message with a hint; a value that is not
callable is taken as the result itself. When `attempt`
returns an httpx response, `status` is compared with its status code and `expect` with its JSON
body; otherwise `expect` is compared with the value itself. `expect` may also be a function that
takes the value and returns True, or raises AssertionError with its own message. `attempt` may
return a coroutine: it is run to completion on an event loop of its own, so that async code can
be checked from a notebook cell whose loop is already running.

An answer that is not written yet reads as "not done yet", never as a failure: `attempt` raising
`NotImplementedError` or `NotYet`, or giving `None` (the value of a student copy's
`pass  # your code here`) where something else is expected.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx

_UNSET: Any = object()


class NotYet(Exception):
    """Raised by a check when the learner's answer is still the student copy's stub."""


@dataclass(frozen=True)
class CheckResult:
    task: str
    passed: bool
    message: str

    def __str__(self) -> str:
        return self.message


def _a(name: str) -> str:
    return f"an {name}" if name[:1].lower() in "aeio" else f"a {name}"


def _short(value: Any, limit: int = 300) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _resolve(value: Any) -> Any:
    """Run a coroutine to completion in a worker thread with its own event loop."""
    if not inspect.isawaitable(value):
        return value

    async def wait() -> Any:
        return await value

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, wait()).result()


def _is_nothing(value: Any) -> bool:
    """True for None, and for a 200 response whose JSON body is `null` (a route that returns None)."""
    if isinstance(value, httpx.Response):
        return value.status_code == 200 and value.content.strip() == b"null"
    return value is None


def _compare(value: Any, status: int | None, expect: Any) -> str | None:
    """None when `value` meets the expectations, else what is wrong, in one sentence."""
    if isinstance(value, httpx.Response):
        if status is not None and value.status_code != status:
            extra = ""
            if value.status_code >= 500:
                extra = " Your endpoint raised an exception: run server.print_last_error() to see it."
            elif value.status_code == 422:
                extra = f" The validation error says: {_short(value.json().get('detail'))}."
            return f"expected status {status}, got {value.status_code}.{extra}"
        if expect is _UNSET:
            return None
        try:
            value = value.json()
        except ValueError:
            return f"expected a JSON body, got {_short(value.text)}."
    elif status is not None:
        return f"expected an HTTP response, got {_a(type(value).__name__)}."
    if expect is _UNSET:
        return None
    if callable(expect):
        try:
            ok = expect(value)
        except AssertionError as error:
            return str(error) or f"{_short(value)} is not what was expected."
        return None if ok else f"{_short(value)} is not what was expected."
    if type(value) is not type(expect) and not (isinstance(value, (int, float)) and isinstance(expect, (int, float))):
        return f"expected {_a(type(expect).__name__)}, got {_a(type(value).__name__)}: {_short(value)}."
    if value != expect:
        return f"expected {_short(expect)}, got {_short(value)}."
    return None


def evaluate(
    task: str,
    attempt: Callable[[], Any] | Any,
    *,
    status: int | None = None,
    expect: Any = _UNSET,
    hint: str = "",
) -> CheckResult:
    """Run `attempt` and judge what it gives; never raises."""
    hint_line = f"\n  Hint: {hint}" if hint else ""
    not_yet = CheckResult(task, False, f"… {task}: not done yet: write your answer in the exercise cell above.")
    try:
        value = _resolve(attempt() if callable(attempt) else attempt)
    except (NotImplementedError, NotYet):
        return not_yet
    except Exception as error:  # the learner's code: any exception becomes feedback
        return CheckResult(task, False, f"✗ {task}: your code raised {type(error).__name__}: {error}{hint_line}")
    if expect is not None and _is_nothing(value):
        return not_yet
    try:
        problem = _compare(value, status, expect)
    except Exception as error:
        problem = f"the check itself could not read your result ({type(error).__name__}: {error})."
    if problem is None:
        return CheckResult(task, True, f"✓ {task}: passed.")
    return CheckResult(task, False, f"✗ {task}: {problem}{hint_line}")


def check(
    task: str,
    attempt: Callable[[], Any] | Any,
    *,
    status: int | None = None,
    expect: Any = _UNSET,
    hint: str = "",
) -> None:
    """Print a pass or fail message, with the hint on failure."""
    print(evaluate(task, attempt, status=status, expect=expect, hint=hint).message)
