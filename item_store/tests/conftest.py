"""Fixtures for the Item store's tests: a migrated database per test, the app, clients, a token.

The database is made by the real migrations, once per run, so the tests run against exactly the
schema production gets. Each test then starts from an empty store: on SQLite, a copy of the
migrated file (a millisecond, and no test sees another's rows); on PostgreSQL, named by
ITEM_STORE_TEST_DATABASE_URL, the same migrated database with its table emptied before each test
(a new database per test would take far longer there).
"""

import os
import secrets
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, MetaData, create_engine, text

# The settings are read from the environment: only what a test gives may reach the app.
for variable in ("ENVIRONMENT", "JWT_SECRET_KEY", "DATABASE_URL", "ITEMS_PER_MINUTE", "DEMO_USER", "ALLOWED_HOSTS", "CORS_ORIGINS", "LOG_LEVEL"):
    os.environ.pop(variable, None)

from item_store.app import create_app  # noqa: E402  (after the environment is cleaned)
from item_store.migrate import upgrade  # noqa: E402
from item_store.security import create_access_token  # noqa: E402
from item_store.settings import Settings  # noqa: E402
from item_store.tests.live import LiveServer  # noqa: E402

# Nor may a `.env` file in the folder the tests run from (a learner's own): the one test of `.env`
# names its file.
Settings.model_config["env_file"] = None

POSTGRES_ENV = "ITEM_STORE_TEST_DATABASE_URL"
KEY = secrets.token_urlsafe(32)


def pytest_report_header() -> str:
    if os.environ.get(POSTGRES_ENV):
        return f"item_store database: PostgreSQL ({POSTGRES_ENV}), one migrated database emptied before each test"
    return "item_store database: SQLite, a copy of one migrated file per test"


def drop_everything(engine: Engine) -> None:
    """Every table, alembic_version included: the database as new."""
    metadata = MetaData()
    metadata.reflect(engine)
    metadata.drop_all(engine)


@pytest.fixture(scope="session")
def migrated_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database the migrations have brought to head: PostgreSQL's if named, else a SQLite file."""
    url = os.environ.get(POSTGRES_ENV)
    if url:
        engine = create_engine(url)
        drop_everything(engine)
        engine.dispose()
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('template') / 'items.db'}"
    upgrade(url)
    yield url


@pytest.fixture
def database_url(migrated_url: str, tmp_path: Path) -> str:
    """An empty, migrated database for this test alone."""
    if migrated_url.startswith("sqlite"):
        copy = tmp_path / "items.db"
        shutil.copyfile(migrated_url.removeprefix("sqlite:///"), copy)
        return f"sqlite:///{copy}"
    engine = create_engine(migrated_url)
    with engine.begin() as connection:
        connection.execute(text("TRUNCATE items RESTART IDENTITY"))
    engine.dispose()
    return migrated_url


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, jwt_secret_key=KEY)


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """A TestClient inside `with`, so that the app's lifespan runs (and opens the database)."""
    with TestClient(app) as client:
        yield client


@pytest.fixture
async def async_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx.AsyncClient that sends its requests into the app (ASGITransport), with the
    lifespan run by hand: ASGITransport does not run it."""
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        yield client


@pytest.fixture
def auth() -> dict[str, str]:
    """A bearer header for the demo user, signed with the tests' key: no login, no Argon2."""
    return {"Authorization": f"Bearer {create_access_token('alice', KEY)}"}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def live_url(app: FastAPI) -> Iterator[str]:
    with LiveServer(app) as url:
        yield url
