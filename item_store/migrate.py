"""Alembic, driven from Python: the configuration of the package's migrations, and revisions.

`alembic -c item_store/alembic.ini <command>` is the command line; this module gives the app,
the tests and scripts/check_migrations.py the same configuration for a database URL of their
choosing (migrations/env.py reads the URL from here, else from the app's settings).
"""

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

PACKAGE = Path(__file__).resolve().parent
ALEMBIC_INI = PACKAGE / "alembic.ini"


def alembic_config(database_url: str | None = None) -> Config:
    """The package's Alembic configuration; `database_url` overrides the settings' URL."""
    config = Config(ALEMBIC_INI)
    config.attributes["configure_logging"] = False  # the caller's logging stays as it is
    if database_url:
        config.attributes["database_url"] = database_url
    return config


@cache
def head_revision() -> str | None:
    """The newest revision of the package's migrations."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    """The revision the database is at: None for a database no migration has touched."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)
