"""Checks for lesson 03's exercises (see lessons_support/checks/__init__.py)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import httpx

from lessons_support.checks import exercise, has_routes
from lessons_support.exercises import CheckResult, NotYet, evaluate
from lessons_support.process import UvicornProcess
from lessons_support.server import serve

PAGES = ("/", "/docs", "/redoc", "/openapi.json")
WELCOME = {"message": "Welcome to the shop"}


def page_statuses(app: Any) -> dict[str, int]:
    server = serve(app, name="exercise")
    with httpx.Client(limits=httpx.Limits(max_keepalive_connections=0)) as client:
        return {page: client.get(server.url + page).status_code for page in PAGES}


@exercise("03.1", "an app for production, without the docs")
def production_app(create_production_app):
    app = create_production_app()
    if not has_routes(app):
        raise NotYet
    yield evaluate(
        "the production app answers / and publishes no documentation",
        lambda: page_statuses(app),
        expect={"/": 200, "/docs": 404, "/redoc": 404, "/openapi.json": 404},
        hint="Every page that answers 200 is still published: the lesson's link to FastAPI's metadata page says how each one is set.",
    )


def home_page(args: list[str], project: Path) -> tuple[Any, list[str]]:
    """Run `uvicorn ARGS` in `project` (host and port added), GET /, stop uvicorn: the JSON body and the log's warnings."""
    with tempfile.TemporaryDirectory() as logs:
        process = UvicornProcess(*args, cwd=project, log_path=Path(logs) / "uvicorn.log", timeout=20)
        try:
            body = process.get("/", timeout=20).json()
            return body, [line for line in process.new_log_lines() if line.startswith("WARNING")]
        finally:
            process.stop()


@exercise("03.2", "a project uvicorn cannot load")
def uvicorn_command(uvicorn_args, project):
    args = uvicorn_args()
    if args is None:
        raise NotYet
    task = "uvicorn, run in the shop's project folder with your arguments, serves the shop"
    if not (isinstance(args, list) and args and all(isinstance(arg, str) for arg in args)):
        yield CheckResult(task, False, f"✗ {task}: uvicorn_args() should return a list of strings, the words after `uvicorn`; it returned {args!r:.80}.")
        return
    try:
        body, warnings = home_page(args, project)
    except (RuntimeError, TimeoutError) as error:
        yield CheckResult(task, False, f"✗ {task}: {error}\n  Hint: Fix what that line names, run the check again, and read the next line.")
        return
    served = evaluate(task, body, expect=WELCOME, hint="uvicorn served an app, but not the shop's: is it the right module?")
    yield served
    if served.passed:
        yield evaluate(
            "uvicorn starts without a warning",
            warnings,
            expect=[],
            hint="A warning is uvicorn guessing what you meant: read it, and say it instead.",
        )
