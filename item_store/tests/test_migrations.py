"""The migrations: a round trip from nothing and back, the models they must agree with, the SQL
they print, and the command line's database (the app's settings)."""

import logging

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Index, Integer, MetaData, Table, create_engine, inspect

from item_store.migrate import alembic_config, current_revision, head_revision, upgrade
from item_store.models import Base
from item_store.scripts import check_migrations


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'items.db'}"


def test_the_models_and_the_migrated_database_agree(migrated_url):
    engine = create_engine(migrated_url)
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    engine.dispose()


def test_the_check_finds_a_model_the_migrations_lack(migrated_url):
    metadata = MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(metadata)
    Table("orders", metadata, Column("id", Integer, primary_key=True))
    engine = create_engine(migrated_url)
    with engine.connect() as connection:
        assert [diff[0] for diff in compare_metadata(MigrationContext.configure(connection), metadata)] == ["add_table"]
    engine.dispose()


def test_the_round_trip_check_passes_and_says_each_step(sqlite_url):
    said: list[str] = []
    check_migrations.check(sqlite_url, said.append)
    assert [line.split(":")[0] for line in said] == ["upgrade head from empty", "downgrade base", "upgrade head again", "alembic check"]
    assert "revision none, tables: alembic_version" in said[1]


def test_the_round_trip_check_fails_on_a_migration_that_leaves_a_table(sqlite_url, monkeypatch):
    monkeypatch.setattr(check_migrations, "downgrade", lambda url: None)
    with pytest.raises(check_migrations.MigrationCheckFailed, match="downgrade base: expected revision none"):
        check_migrations.check(sqlite_url, lambda line: None)


def test_the_script_prints_its_verdict(capsys):
    assert check_migrations.main([]) == 0
    assert "Migrations OK" in capsys.readouterr().out


def test_the_script_fails_when_the_models_differ(sqlite_url, capsys):
    items = Base.metadata.tables["items"]
    index = Index("ix_items_name", items.c.name)  # a model change no migration made
    try:
        assert check_migrations.main(["--database-url", sqlite_url]) == 1
    finally:
        items.indexes.remove(index)
    assert "FAILED: the models and the migrations differ" in capsys.readouterr().err


def test_the_migrations_print_their_sql_without_a_database(capsys):
    command.upgrade(alembic_config("postgresql+psycopg://nobody@nowhere/none"), "head", sql=True)
    sql = capsys.readouterr().out
    assert "CREATE TABLE items" in sql and "CONSTRAINT pk_items PRIMARY KEY (id)" in sql


def test_the_command_line_migrates_the_app_database_even_in_production_without_a_key(sqlite_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("ENVIRONMENT", "production")
    command.upgrade(alembic_config(), "head")
    engine = create_engine(sqlite_url)
    assert sorted(inspect(engine).get_table_names()) == ["alembic_version", "items"]
    engine.dispose()


def current_revision_of(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return current_revision(connection)
    finally:
        engine.dispose()


def test_upgrading_twice_changes_nothing(sqlite_url):
    upgrade(sqlite_url)
    first = current_revision_of(sqlite_url)
    upgrade(sqlite_url)
    assert current_revision_of(sqlite_url) == first == head_revision()


def test_from_the_command_line_alembic_logs_as_its_ini_says(sqlite_url):
    config = alembic_config(sqlite_url)
    config.attributes["configure_logging"] = True
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        command.upgrade(config, "head")
        assert logging.getLogger("alembic").level == logging.INFO
    finally:
        root.handlers[:], root.level = saved[0], saved[1]
