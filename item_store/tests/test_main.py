"""create_app and the entry point: the app's settings, its signing key, its start-up, and what
importing item_store.main does to the process (its logging)."""

import importlib
import logging
import sys

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from item_store.app import create_app
from item_store.database import DatabaseNotMigrated
from item_store.migrate import head_revision
from item_store.settings import Settings, load_settings


def test_without_settings_the_app_reads_the_environment(monkeypatch, database_url):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("ITEMS_PER_MINUTE", "9")
    load_settings.cache_clear()
    try:
        app = create_app()
    finally:
        load_settings.cache_clear()
    assert app.state.settings.items_per_minute == 9
    with TestClient(app) as client:
        assert client.get("/health").json() == {"status": "ok"}


def test_the_given_key_signs_the_tokens(app, settings):
    assert app.state.secret_key == settings.jwt_secret_key.get_secret_value()


def test_without_a_key_each_app_draws_its_own_and_says_so(database_url, caplog):
    with caplog.at_level(logging.WARNING):
        one, two = (create_app(Settings(database_url=database_url, _env_file=None)) for _ in range(2))
    assert one.state.secret_key != two.state.secret_key and len(one.state.secret_key) >= 32
    assert "JWT_SECRET_KEY is not set" in caplog.text


def test_a_demo_user_in_production_is_a_warning(database_url, caplog):
    with caplog.at_level(logging.WARNING):
        app = create_app(Settings(database_url=database_url, environment="production", jwt_secret_key="k" * 32, demo_user=True, _env_file=None))
    assert "alice" in app.state.users
    assert "DEMO_USER is on in production" in caplog.text


def test_the_app_refuses_to_start_on_a_database_the_migrations_have_not_made(tmp_path):
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'empty.db'}", _env_file=None))
    expected = rf"revision none \(empty\), the code needs {head_revision()}: run  alembic -c item_store/alembic.ini upgrade head"
    with pytest.raises(DatabaseNotMigrated, match=expected), TestClient(app):
        pass


def test_the_app_refuses_a_database_at_another_revision(database_url):
    """A database a newer release has migrated, after a rollback of the code, say."""
    engine = create_engine(database_url)

    def stamp(revision: str) -> None:
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :revision"), {"revision": revision})

    stamp("9999_from_a_newer_release")
    try:
        app = create_app(Settings(database_url=database_url, _env_file=None))
        with pytest.raises(DatabaseNotMigrated, match=f"at revision 9999_from_a_newer_release, the code needs {head_revision()}"), TestClient(app):
            pass
    finally:
        stamp(head_revision())  # on PostgreSQL the next tests share this database
        engine.dispose()


def test_the_entry_point_builds_the_app_from_the_environment_and_configures_logging(monkeypatch):
    monkeypatch.setenv("ITEMS_PER_MINUTE", "11")
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    load_settings.cache_clear()
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        sys.modules.pop("item_store.main", None)
        main = importlib.import_module("item_store.main")
        assert root.level == logging.WARNING
        assert [type(f).__name__ for f in root.handlers[-1].filters] == ["RequestIdFilter"]
    finally:
        root.handlers[:], root.level = saved[0], saved[1]
        load_settings.cache_clear()
    assert main.app.state.settings.items_per_minute == 11
    assert main.create_app is create_app
