"""The capstone package `item_store` serves the same API as the course's last checkpoint,
checkpoints/lesson_13.py: equal OpenAPI schemas (every path, method, parameter, model, status
and `responses=` declaration), except what the package adds (`/health` and its model), and the
same WebSocket routes, which OpenAPI does not describe, and the same answers to a sequence of
requests that succeed and fail in each way the API documents."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from checkpoints import lesson_13
from item_store.app import create_app
from item_store.migrate import upgrade
from item_store.security import create_access_token
from item_store.settings import Settings

ADDED_PATHS = {"/health"}
ADDED_SCHEMAS = {"Health"}


def package_settings(**values: str) -> Settings:
    """The package's settings, whatever ENVIRONMENT or ALLOWED_HOSTS the shell running the tests holds."""
    return Settings(environment="development", allowed_hosts=["testserver"], _env_file=None, **values)


@pytest.fixture(scope="module")
def schemas() -> tuple[dict, dict]:
    return create_app(package_settings()).openapi(), lesson_13.create_app().openapi()


def test_the_package_adds_only_the_health_endpoint(schemas):
    package, lesson = schemas
    assert set(package["paths"]) - set(lesson["paths"]) == ADDED_PATHS
    assert set(package["components"]["schemas"]) - set(lesson["components"]["schemas"]) == ADDED_SCHEMAS


def test_every_path_of_lesson_13_is_served_the_same(schemas):
    package, lesson = schemas
    assert {path: package["paths"].get(path) for path in lesson["paths"]} == lesson["paths"]


def test_every_model_of_lesson_13_is_the_same(schemas):
    package, lesson = schemas
    assert {name: package["components"]["schemas"].get(name) for name in lesson["components"]["schemas"]} == lesson["components"]["schemas"]


def test_the_rest_of_the_schema_is_the_same(schemas):
    package, lesson = schemas
    assert set(package) == set(lesson) == {"openapi", "info", "paths", "components"}
    assert (package["openapi"], package["info"]) == (lesson["openapi"], lesson["info"])
    assert set(package["components"]) == set(lesson["components"]) == {"schemas", "securitySchemes"}
    assert package["components"]["securitySchemes"] == lesson["components"]["securitySchemes"]


def serve(name: str, folder: Path) -> TestClient:
    url = f"sqlite:///{folder / f'{name}.db'}"
    if name == "lesson_13":
        return TestClient(lesson_13.create_app(lesson_13.Settings(database_url=url, _env_file=None)))
    upgrade(url)
    return TestClient(create_app(package_settings(database_url=url)))


@pytest.fixture(params=["lesson_13", "item_store"])
def client(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TestClient]:
    with serve(request.param, tmp_path) as client:
        yield client


# (method, path, JSON text or None, with a token?): successes and refusals of each kind, in order.
EXCHANGES = [
    ("GET", "/", None, False),
    ("GET", "/db", None, False),
    ("POST", "/items/", '{"name": "Pen", "price": 1.5}', False),
    ("POST", "/items/", '{"name": "Pen", "price": 1.5}', True),
    ("POST", "/items/", '{"name": "x", "price": NaN}', True),
    ("GET", "/items/", None, False),
    ("GET", "/items/?name=PE&limit=1&offset=0", None, False),
    ("GET", "/items/?limit=0", None, False),
    ("GET", "/items/1", None, False),
    ("GET", "/items/0", None, False),
    ("PATCH", "/items/1", None, False),
    ("PUT", "/items/1", '{"name": "Ink", "price": 2, "in_stock": false}', True),
    ("DELETE", "/items/1", None, True),
    ("DELETE", "/items/1", None, True),
    ("POST", "/quotes/", '{"name": "Pen", "price": 1.25, "quantity": 10}', False),
    ("GET", "/users/me", None, True),
    ("GET", "/users/me", None, False),
]
COMPARED_HEADERS = ("content-type", "allow", "www-authenticate")


def test_the_same_answers_to_the_same_requests(tmp_path):
    """What OpenAPI cannot say: the bodies, statuses and headers both apps actually send."""
    answers = {}
    for name in ("lesson_13", "item_store"):
        with serve(name, tmp_path) as client:
            bearer = {"Authorization": f"Bearer {create_access_token('alice', client.app.state.secret_key)}"}
            answers[name] = []
            for method, path, body, authorized in EXCHANGES:
                headers = {"content-type": "application/json"} if body else {}
                response = client.request(method, path, content=body, headers=headers | (bearer if authorized else {}))
                kept = {header: response.headers.get(header) for header in COMPARED_HEADERS}
                answers[name].append((method, path, response.status_code, response.text, kept))
    assert answers["item_store"] == answers["lesson_13"]


def test_the_same_websocket_routes(client):
    """OpenAPI does not describe WebSockets: both apps are asked the same things instead."""
    with client.websocket_connect("/ws/echo") as echo:
        echo.send_text("hi")
        assert echo.receive_text() == "echo: hi"
    with client.websocket_connect("/ws/items"):
        pass
    with pytest.raises(WebSocketDisconnect), client.websocket_connect("/ws/other"):
        pass
