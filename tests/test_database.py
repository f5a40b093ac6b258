"""Lesson 09's Item store on a real database: SQLite always, PostgreSQL when one is named.

Every check runs against a SQLite file in a temporary folder. The same checks run against
PostgreSQL when `TEST_DATABASE_URL` names a database (`.ci/postgres.sh` starts a server and prints
it); without it they are skipped, saying so. The module drops lesson 09's tables there and
empties them before each test, so name a database that holds nothing else.
"""

import asyncio
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, delete, func, inspect, make_url, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from checkpoints import lesson_09
from checkpoints.lesson_09 import Base, ItemRow
from lessons_support.server import LiveServer, serve

NO_POSTGRES = "TEST_DATABASE_URL not set: no PostgreSQL server"
LAPTOP = {"name": "Laptop", "price": 999.99, "in_stock": True}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database for this module: a new SQLite file, or the PostgreSQL test database emptied."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('database') / 'items.db'}"
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip(NO_POSTGRES)
    engine = create_engine(url)
    Base.metadata.drop_all(engine)
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def live(database: str) -> Iterator[LiveServer]:
    """One server per database for the module: starting one costs an Argon2 hash."""
    with serve(lesson_09.create_app(database_url=database), name="test-database") as server:
        yield server


@pytest.fixture
def database_url(database: str) -> str:
    """The module's database, with an empty items table."""
    engine = create_engine(database)
    Base.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(delete(ItemRow))
    engine.dispose()
    return database


@pytest.fixture
def server(live: LiveServer, database_url: str) -> LiveServer:
    return live


def count_rows(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        with Session(engine) as session:
            return session.scalar(select(func.count()).select_from(ItemRow))
    finally:
        engine.dispose()


def test_create_read_update_delete_answer_with_the_right_status(server, auth):
    created = httpx.post(server.url + "/items/", json={"name": "Laptop", "price": 999.99}, headers=auth)
    assert created.status_code == 201
    item_id = created.json()["id"]
    assert created.json() == {**LAPTOP, "id": item_id}

    assert httpx.get(server.url + f"/items/{item_id}").json() == {**LAPTOP, "id": item_id}
    assert httpx.get(server.url + "/items/").json() == [{**LAPTOP, "id": item_id}]

    changed = {"name": "Laptop Pro", "price": 1999.0, "in_stock": False}
    replaced = httpx.put(server.url + f"/items/{item_id}", json=changed, headers=auth)
    assert replaced.status_code == 200
    assert replaced.json() == {**changed, "id": item_id}
    assert httpx.get(server.url + f"/items/{item_id}").json() == replaced.json()

    deleted = httpx.delete(server.url + f"/items/{item_id}", headers=auth)
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert httpx.get(server.url + "/items/").json() == []


def test_a_missing_item_is_a_404_for_every_method(server, auth):
    for response in (
        httpx.get(server.url + "/items/999999"),
        httpx.put(server.url + "/items/999999", json={"name": "Pen", "price": 1.5}, headers=auth),
        httpx.delete(server.url + "/items/999999", headers=auth),
    ):
        assert response.status_code == 404, response.request.method
        assert response.json() == {"detail": "Item not found"}


def test_writes_need_a_token_and_a_valid_body(server, auth, database_url):
    no_token = httpx.post(server.url + "/items/", json={"name": "Pen", "price": 1.5})
    assert no_token.status_code == 401
    assert no_token.headers["www-authenticate"] == "Bearer"
    invalid = httpx.post(server.url + "/items/", json={"name": "Pen"}, headers=auth)
    assert invalid.status_code == 422
    assert invalid.json()["detail"][0]["loc"] == ["body", "price"]
    assert count_rows(database_url) == 0


def test_db_route_asks_the_database(server):
    response = httpx.get(server.url + "/db")
    assert response.status_code == 200
    assert response.json() == {"db": "Connected"}


def test_items_survive_a_restart(database_url):
    with serve(lesson_09.create_app(database_url=database_url), name="restart") as first:
        token = httpx.post(first.url + "/token", data={"username": "alice", "password": "wonderland"}).json()["access_token"]
        for name in ("Laptop", "Mouse", "Keyboard"):
            response = httpx.post(first.url + "/items/", json={"name": name, "price": 10.0}, headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 201
        before = httpx.get(first.url + "/items/").json()
    assert not first.running

    with serve(lesson_09.create_app(database_url=database_url), name="restart") as second:
        assert httpx.get(second.url + "/items/").json() == before
    assert [item["name"] for item in before] == ["Laptop", "Mouse", "Keyboard"]


def test_fifty_concurrent_writes_lose_nothing(server, auth, database_url):
    async def create_all() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=server.url, headers=auth, timeout=60) as client:
            return await asyncio.gather(
                *(client.post("/items/", json={"name": f"Widget {n}", "price": n + 1.0}) for n in range(50))
            )

    responses = asyncio.run(create_all())
    assert sorted({r.status_code for r in responses}) == [201]
    ids = {r.json()["id"] for r in responses}
    assert len(ids) == 50
    assert count_rows(database_url) == 50
    listed = httpx.get(server.url + "/items/").json()
    assert {item["id"] for item in listed} == ids
    assert sorted(item["name"] for item in listed) == sorted(f"Widget {n}" for n in range(50))


INJECTIONS = ["' OR 1=1 --", "'; DROP TABLE items; --", "x' UNION SELECT 1, 'a', 1.0, 1 --", "%", "_"]


def test_sql_injection_through_the_name_filter_does_nothing(server, auth, database_url):
    for name in ("Laptop", "Mouse"):
        httpx.post(server.url + "/items/", json={"name": name, "price": 10.0}, headers=auth)

    for attempt in INJECTIONS:
        response = httpx.get(server.url + "/items/", params={"name": attempt})
        assert response.status_code == 200, attempt
        assert response.json() == [], attempt
    assert count_rows(database_url) == 2
    engine = create_engine(database_url)
    try:
        assert inspect(engine).has_table("items")
    finally:
        engine.dispose()


def test_the_name_filter_finds_names_containing_the_text_in_any_case(server, auth):
    for name in ("Laptop", "Laptop stand", "Mouse", "50% off"):
        httpx.post(server.url + "/items/", json={"name": name, "price": 10.0}, headers=auth)
    names = lambda text: [item["name"] for item in httpx.get(server.url + "/items/", params={"name": text}).json()]  # noqa: E731
    assert names("LAP") == ["Laptop", "Laptop stand"]
    assert names("stand") == ["Laptop stand"]
    assert names("%") == ["50% off"]
    assert names("nothing like it") == []
    assert httpx.get(server.url + "/items/", params={"name": "x" * 101}).status_code == 422


def test_without_a_url_the_app_uses_a_temporary_sqlite_file_deleted_at_shutdown(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = lesson_09.create_app()
    with serve(app, name="default") as live:
        engine = app.state.sessions.kw["bind"]
        assert engine.dialect.name == "sqlite"
        path = Path(engine.url.database)
        assert path.exists()
        token = httpx.post(live.url + "/token", data={"username": "alice", "password": "wonderland"}).json()["access_token"]
        response = httpx.post(live.url + "/items/", json={"name": "Pen", "price": 1.5}, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 201
    assert not path.exists()
    assert not path.parent.exists()


def test_database_url_comes_from_the_environment(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'from-env.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    app = lesson_09.create_app()
    with serve(app, name="from-env"):
        assert app.state.sessions.kw["bind"].url == make_url(url)
    assert (tmp_path / "from-env.db").exists()
    assert count_rows(url) == 0


def test_concurrent_puts_and_deletes_of_the_same_items_never_fail_and_delete_once(server, auth, database_url):
    """Each write is one UPDATE or DELETE that says whether a row was there: a request that loses
    the race gets a 404, never a 500, and an item is deleted (204) once."""
    ids = [httpx.post(server.url + "/items/", json=LAPTOP, headers=auth).json()["id"] for _ in range(10)]

    async def race() -> list[tuple[str, int, int]]:
        limits = httpx.Limits(max_connections=50)
        async with httpx.AsyncClient(base_url=server.url, headers=auth, limits=limits, timeout=60) as client:

            async def one(n: int) -> tuple[str, int, int]:
                item_id = ids[n % len(ids)]
                if n % 3 == 0:
                    response = await client.delete(f"/items/{item_id}")
                else:
                    response = await client.put(f"/items/{item_id}", json={**LAPTOP, "price": n + 1.0})
                return response.request.method, item_id, response.status_code

            return await asyncio.gather(*(one(n) for n in range(300)))

    answers = asyncio.run(race())
    assert {status for _, _, status in answers} <= {200, 204, 404}, sorted({s for _, _, s in answers})
    deleted = [item_id for method, item_id, status in answers if method == "DELETE" and status == 204]
    assert sorted(deleted) == sorted(set(deleted)) == sorted(ids)
    assert count_rows(database_url) == 0


def test_the_lifespan_opens_the_database_at_start_up_and_deletes_its_temporary_file_at_shutdown():
    app = lesson_09.create_app()
    assert app.router.lifespan_context is not None and not hasattr(app.state, "sessions")
    with serve(app, name="lifespan") as server:
        database = Path(app.state.sessions.kw["bind"].url.database)
        assert database.exists()
        assert httpx.get(server.url + "/db").json() == {"db": "Connected"}
    assert not database.parent.exists()


def test_an_in_memory_sqlite_database_is_not_shared_between_threads():
    """Why the lesson uses a file: each thread's connection has its own in-memory database."""
    engine = create_engine("sqlite://", connect_args={"check_same_thread": False})
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE notes (body TEXT)"))
        failures = []

        def count_in_another_thread() -> None:
            try:
                with engine.connect() as connection:
                    connection.execute(text("SELECT count(*) FROM notes"))
            except OperationalError as error:
                failures.append(str(error.orig))

        thread = threading.Thread(target=count_in_another_thread)
        thread.start()
        thread.join()
        assert failures == ["no such table: notes"]
    finally:
        engine.dispose()
