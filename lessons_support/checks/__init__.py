"""Every exercise's check, so that a notebook's check cell is one line:

    check_exercise("04.1", build_reviews_app)

Each lesson has a module here, `lesson_NN.py`, whose checks register themselves:

    @exercise("04.1", "reviews of an item")
    def reviews(build_reviews_app):
        yield evaluate("GET /items/7/reviews answers", lambda: ..., status=200, expect={...})

A check is a generator of `evaluate(...)` results, one per thing it verifies; it receives what
the notebook passes (the learner's function, app or server). `check_exercise` prints each result,
stops at the first that says "not done yet", and records whether the exercise passed in the
learner's progress files (`lessons_support.tracking`). A check may raise `NotYet` when it sees the
student copy's stub before it can evaluate anything.

Helpers for checks that serve the learner's app: `served(app)` serves it once, as the server
named "exercise", and returns `send(method, path, **kwargs)`; when the app answers 500, `send`
raises the route's own exception (rebuilt from the server's log), so the check's message names
what went wrong in the learner's code. `built(build)` calls the learner's builder and raises
NotYet for a stub's app with no routes; `rejected_at("path.item_id", …)` judges a 422's errors.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import re

import httpx

from lessons_support import tracking
from lessons_support.exercises import CheckResult, NotYet
from lessons_support.server import LiveServer, serve
from lessons_support.waiting import wait_for


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    run: Callable[..., Iterable[CheckResult]]

    @property
    def lesson(self) -> str:
        return self.id.split(".")[0]

    @property
    def number(self) -> int:
        return int(self.id.split(".")[1])


REGISTRY: dict[str, Exercise] = {}


def exercise(exercise_id: str, title: str) -> Callable[[Callable[..., Iterable[CheckResult]]], Callable[..., Iterable[CheckResult]]]:
    """Register a check as exercise `exercise_id` ("NN.K": lesson NN, exercise K)."""
    lesson, _, number = exercise_id.partition(".")
    if not (len(lesson) == 2 and lesson.isdigit() and number.isdigit()):
        raise ValueError(f"an exercise id looks like '04.1', not {exercise_id!r}")

    def register(run: Callable[..., Iterable[CheckResult]]) -> Callable[..., Iterable[CheckResult]]:
        if exercise_id in REGISTRY:
            raise ValueError(f"exercise {exercise_id} is registered twice")
        REGISTRY[exercise_id] = Exercise(exercise_id, title, run)
        return run

    return register


def load_all() -> dict[str, Exercise]:
    """Import every lesson's check module and return the registry, in lesson and exercise order."""
    for module in pkgutil.iter_modules(__path__):
        if module.name.startswith("lesson_"):
            importlib.import_module(f"{__name__}.{module.name}")
    return dict(sorted(REGISTRY.items(), key=lambda item: (item[1].lesson, item[1].number)))


def load_lesson(lesson: str) -> dict[str, Exercise]:
    """Import one lesson's check module (if it has one) and return that lesson's exercises, in order."""
    try:
        importlib.import_module(f"{__name__}.lesson_{lesson}")
    except ModuleNotFoundError as error:
        if error.name != f"{__name__}.lesson_{lesson}":
            raise
    found = [e for e in REGISTRY.values() if e.lesson == lesson]
    return {e.id: e for e in sorted(found, key=lambda e: e.number)}


def find(exercise_id: str) -> Exercise:
    load_lesson(exercise_id.partition(".")[0])
    if exercise_id not in REGISTRY:
        known = ", ".join(load_all()) or "none"
        raise LookupError(f"no exercise {exercise_id!r}; the course has {known}")
    return REGISTRY[exercise_id]


def run_checks(exercise_id: str, *answers: Any, **context: Any) -> list[CheckResult]:
    """The results of an exercise's check, up to the first "not done yet"; never raises for the learner's code."""
    found = find(exercise_id)
    results: list[CheckResult] = []
    try:
        for result in found.run(*answers, **context):
            results.append(result)
            if result.message.startswith("…"):
                break
    except (NotYet, NotImplementedError):
        results.append(CheckResult(found.title, False, f"… Exercise {found.number} ({found.title}): not done yet: write your answer in the exercise cell above."))
    except Exception as error:  # the learner's code failed where the check could not catch it
        results.append(CheckResult(found.title, False, f"✗ Exercise {found.number} ({found.title}): your code raised {type(error).__name__}: {error}"))
    return results


def error_places(body: Any) -> list[str]:
    """Where a 422's errors sit ("path.item_id", …). A learner who checks the values in the function
    and raises HTTPException(422) is told so, instead of the check failing to read the body."""
    detail = body.get("detail") if isinstance(body, dict) else None
    if not (isinstance(detail, list) and all(isinstance(error, dict) and "loc" in error for error in detail)):
        raise AssertionError(
            f"this 422 is not FastAPI's list of errors (its body is {body!r:.120}): "
            "declare the limits with the parameters, and FastAPI refuses the values before your function runs."
        )
    return [".".join(str(part) for part in error["loc"]) for error in detail]


def rejected_at(*locations: str, ordered: bool = True) -> Callable[[Any], bool]:
    """An `expect` for a 422 body: its errors sit at exactly these places ("path.item_id", …),
    in this order unless `ordered` is False."""

    def judge(body: Any) -> bool:
        found = error_places(body)
        if (found if ordered else sorted(found)) != (list(locations) if ordered else sorted(locations)):
            raise AssertionError(f"the 422 names {', '.join(found) or 'nothing'}; expected {', '.join(locations)}.")
        return True

    return judge


def refused_under(location: str) -> Callable[[Any], bool]:
    """A 422 whose every error sits at `location` or inside it ("path.category", "path.category.…")."""

    def judge(body: Any) -> bool:
        found = error_places(body)
        if not found or any(not (place == location or place.startswith(location + ".")) for place in found):
            raise AssertionError(f"the 422 names {', '.join(found) or 'nothing'}; expected {location}.")
        return True

    return judge


EXCEPTION_LINE = re.compile(r"^(?:[A-Za-z_]\w*\.)*([A-Za-z_]\w*(?:Error|Exception|Exit))\b:? ?(.*)$")


def route_error(server: LiveServer, before: int) -> Exception:
    """The exception behind a 500, rebuilt from the server's log (uvicorn logs it just after the
    response): same class name, its message (Pydantic's links left out, ten lines at most), no
    traceback and no file path."""
    try:
        trace = wait_for(lambda: server.errors()[before:], timeout=5.0)[-1]
    except TimeoutError:
        return RuntimeError("the server answered 500 and logged no error")
    lines = trace.strip().splitlines()
    start = max((i for i, line in enumerate(lines) if EXCEPTION_LINE.match(line)), default=len(lines) - 1)
    match = EXCEPTION_LINE.match(lines[start])
    name, first = (match[1], match[2]) if match else ("Exception", lines[start])
    rest = [line for line in lines[start + 1 :] if not line.strip().startswith("For further information")]
    message = "\n".join([first, *rest[:9]]).strip()
    return type(name, (Exception,), {})(message)


_clients: list[httpx.Client] = []


def shared_client() -> httpx.Client:
    """One client for every check: building an httpx.Client costs far more than a request (it
    loads the certificates for TLS). A new connection for each request, as in the notebooks."""
    if not _clients:
        _clients.append(httpx.Client(limits=httpx.Limits(max_keepalive_connections=0)))
    return _clients[0]


def served(app: Any) -> Callable[..., httpx.Response]:
    """Serve `app` once, as the server named "exercise" (replacing the previous one), and return
    `send(method, path, **kwargs)`, which sends it one request (`send.url` is the server's URL): A 500 raises the route's own
    exception instead, so that the check's message says what went wrong in the learner's code."""
    server = serve(app, name="exercise")

    def send(method: str, path: str, **kwargs: Any) -> httpx.Response:
        before = len(server.errors())
        response = shared_client().request(method, server.url + path, **kwargs)
        if response.status_code == 500:
            raise route_error(server, before)
        return response

    send.url = server.url  # type: ignore[attr-defined]
    return send


def built(build: Callable[[], Any]) -> Any:
    """The learner's app, or NotYet when it is still the stub's app with no routes."""
    app = build()
    if not has_routes(app):
        raise NotYet
    return app


def has_routes(app: Any) -> bool:
    """False for an app with only FastAPI's own routes (the docs and the schema): a stub's app."""
    own = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}
    return any(getattr(route, "path", None) not in own for route in getattr(app, "routes", []))


def check_exercise(exercise_id: str, *answers: Any, **context: Any) -> None:
    """Check exercise `exercise_id` with the learner's answers, print one line per result, record progress."""
    results = run_checks(exercise_id, *answers, **context)
    for result in results:
        print(result.message)
    attempted = not any(result.message.startswith("…") for result in results)
    passed = attempted and bool(results) and all(result.passed for result in results)
    status = "passed" if passed else ("failed" if attempted else "not done")
    problem = tracking.record(exercise_id, status)
    if problem:
        print(problem)
