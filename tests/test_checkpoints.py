"""Each checkpoint is a runnable module that builds on the one before it.

The notebooks' own checkpoint cells prove notebook == module; these tests prove the modules
themselves: each imports, builds a fresh app, serves it, and keeps every path of the lesson
before it unless it says it replaces it.
"""

import importlib
from pathlib import Path

import httpx
import pytest

from lessons_support.checkpoint import differences, schema_of
from lessons_support.server import serve, stop_all
from tests.notebooks import LESSONS as LESSON_NOTEBOOKS

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted(p.stem for p in (ROOT / "checkpoints").glob("lesson_[0-9][0-9].py"))


def test_every_notebook_has_a_checkpoint():
    notebooks = [p.name[:2] for p in LESSON_NOTEBOOKS]
    assert [f"lesson_{n}" for n in notebooks] == [name for name in LESSONS if name[-2:] in notebooks]


@pytest.mark.parametrize("name", LESSONS)
def test_the_module_has_an_app_and_builds_a_fresh_one(name):
    module = importlib.import_module(f"checkpoints.{name}")
    assert module.app is not module.create_app()
    assert schema_of(module.app) == schema_of(module.create_app())


@pytest.mark.parametrize("name", LESSONS)
def test_the_checkpoint_serves_its_openapi_schema(name):
    app = importlib.import_module(f"checkpoints.{name}").create_app()
    try:
        server = serve(app, name=name)
        response = httpx.get(server.url + "/openapi.json")
        assert response.status_code == 200
        assert response.json()["paths"] == schema_of(app)["paths"]
    finally:
        stop_all()


@pytest.mark.parametrize("earlier, later", list(zip(LESSONS, LESSONS[1:])))
def test_each_checkpoint_keeps_the_paths_of_the_one_before(earlier, later):
    before = schema_of(importlib.import_module(f"checkpoints.{earlier}").create_app())["paths"]
    after = schema_of(importlib.import_module(f"checkpoints.{later}").create_app())["paths"]
    assert set(before) <= set(after), f"{later} dropped {sorted(set(before) - set(after))}"


def test_differences_name_what_differs():
    a = {"openapi": "3.1.0", "paths": {"/a": {"get": {}}, "/b": {"get": {}}}, "components": {"schemas": {"Item": {"x": 1}}}}
    b = {"openapi": "3.1.0", "paths": {"/a": {"post": {}}, "/c": {"get": {}}}, "components": {"schemas": {"Item": {"x": 2}}}}
    assert differences(a, b) == [
        "route /a differs",
        "route /b is in the notebook only",
        "route /c is in the checkpoint only",
        "component Item differs",
    ]
    assert differences(a, a) == []


@pytest.mark.parametrize("name", LESSONS)
def test_the_checkpoint_is_plain_fastapi(name):
    """No course plumbing: a checkpoint is what a learner could write in a project of their own."""
    source = (ROOT / "checkpoints" / f"{name}.py").read_text(encoding="utf-8")
    assert "lessons_support" not in source


def endpoints(router):
    """Every route of `router`, the routes of the routers it includes too (none has a prefix)."""
    for route in router.routes:
        included = getattr(route, "original_router", None)  # FastAPI's record of include_router
        if included is not None:
            yield from endpoints(included)
        else:
            yield route


@pytest.mark.parametrize("name", LESSONS)
def test_no_route_is_shadowed_by_an_earlier_one(name):
    """Plain FastAPI answers with the first route that matches: a second one would be dead code."""
    app = importlib.import_module(f"checkpoints.{name}").create_app()
    seen = set()
    for route in endpoints(app.router):
        key = (route.path, frozenset(getattr(route, "methods", None) or ()))
        assert key not in seen, f"{name} defines {key} twice"
        seen.add(key)
